"""The app as `make bench` serves it: wsgi.py's production app, with today pinned to the data set's day.

gunicorn loads `bench.wsgi_app:app` with COORDINATION_ENV=production, a SECRET_KEY and DATABASE_URL in the
environment (bench/serve.py sets them); BENCH_TODAY (YYYY-MM-DD, default 2026-11-24) shifts the app's clock
by whole days, as bench/run.py does, so that what is overdue does not drift with the calendar.
"""

from __future__ import annotations

import os
from datetime import date

from bench.run import pin_today

pin_today(date.fromisoformat(os.environ.get("BENCH_TODAY", "2026-11-24")))

from coordination import create_app  # noqa: E402 - after the clock is pinned

app = create_app()
