"""The dashboard's overdue list and the queue's review section: page 1, a deep page by keyset and by OFFSET.

Read-only on the bench data set (the connection refuses writes), in-process, today pinned as the bench pins it:

    .venv/bin/python bench/keyset_lists.py [--user ca] [--depth 1000]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

URL = "postgresql+psycopg://postgres@127.0.0.1:5432/coord_bench?options=-c%20default_transaction_read_only%3Don"
SIZE = 20


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", default=URL)
    parser.add_argument("--user", default="ca")
    parser.add_argument("--depth", type=int, default=1000, help="the deep page's number (20 rows a page)")
    parser.add_argument("--repeat", type=int, default=9)
    options = parser.parse_args()
    os.environ["DATABASE_URL"] = options.url  # before the app's modules are imported: config reads it once
    from bench.run import pin_today

    pin_today(date(2026, 11, 24))
    import sqlalchemy as sa

    from coordination import create_app, keyset
    from coordination.assignments.models import Assignment
    from coordination.auth.models import User
    from coordination.extensions import db
    from coordination.queue.queries import QueueKind, _order_key, queue_page, queue_query
    from coordination.reminders.queries import overdue_page
    from coordination.reports.dashboard import DashboardFilters, overdue_query

    app = create_app()

    def median_ms(run: Callable[[], object]) -> float:
        samples = []
        for _ in range(options.repeat):
            started = time.perf_counter()
            run()
            samples.append((time.perf_counter() - started) * 1000)
            db.session.rollback()
        return statistics.median(samples)

    def report(name: str, total: int, depth: int, first: Callable, deep: Callable, offset: Callable) -> None:
        print(f"{name}: {total:,} rows, {SIZE} a page, the deep page starts at row {depth + 1:,}")
        for label, run in (("page 1", first), ("deep page, keyset", deep), ("deep page, OFFSET", offset)):
            print(f"  {label:<20} {median_ms(run):8.1f} ms")

    with app.test_request_context():
        user = db.session.scalar(sa.select(User).where(User.username == options.user))
        review = queue_query(QueueKind.review, user)
        keys = _order_key(QueueKind.review)
        total = db.session.scalar(sa.select(sa.func.count()).select_from(review.subquery()))
        depth = min(options.depth * SIZE, total - 2 * SIZE)
        last = db.session.execute(review.with_only_columns(*keys).offset(depth - 1).limit(1)).one()
        cursor = keyset.Cursor(tuple(last), keyset.Direction.after, depth - 1)
        report(
            f"queue, review section of {options.user}",
            total,
            depth,
            lambda: queue_page(QueueKind.review, user, cursor=None, size=SIZE, salt="q"),
            lambda: queue_page(QueueKind.review, user, cursor=cursor, size=SIZE, salt="q"),
            lambda: db.session.scalars(review.limit(SIZE).offset(depth)).unique().all(),
        )
        filters = DashboardFilters()
        overdue = overdue_query(user, filters)
        total = db.session.scalar(sa.select(sa.func.count()).select_from(overdue.subquery()))
        depth = min(options.depth * SIZE, total - 2 * SIZE)
        last = db.session.execute(
            overdue.with_only_columns(Assignment.deadline, Assignment.id).offset(depth - 1).limit(1)
        )
        cursor = keyset.Cursor(tuple(last.one()), keyset.Direction.after, depth - 1)
        report(
            f"dashboard, overdue list of {options.user}",
            total,
            depth,
            lambda: overdue_page(user, filters, SIZE),
            lambda: overdue_page(user, filters, SIZE, cursor),
            lambda: db.session.scalars(overdue.limit(SIZE).offset(depth)).unique().all(),
        )


if __name__ == "__main__":
    main()
