"""Two scheduler runs at once (two machines) send each reminder once: the database constraint decides."""

from __future__ import annotations

import os
import threading
from datetime import date

import pytest
import sqlalchemy as sa
from flask import Flask

from coordination.extensions import db
from coordination.reminders.models import Notification, Reminder
from coordination.reminders.operations import run_scheduled

pytestmark = pytest.mark.skipif(not os.environ.get("TEST_DATABASE_URL"), reason="needs PostgreSQL")


def test_two_concurrent_runs_send_each_reminder_once(scratch_demo_app: Flask) -> None:
    app = scratch_demo_app
    day = date(2026, 11, 25)
    start = threading.Barrier(2)
    results: list = []

    def run() -> None:
        with app.app_context():
            start.wait(timeout=10)
            summary = run_scheduled(day)
            db.session.commit()
            results.append(summary)

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert len(results) == 2
    with app.app_context():
        rows = db.session.execute(sa.select(Reminder.assignment_id, Reminder.rule, Reminder.sent_on)).all()
        assert len(rows) == len(set(rows)) > 0
        assert sum(r.sent for r in results) == len(rows)
        # the runs' own notices (the demo's activation and reviews told the agencies of their work before)
        notified = db.session.execute(
            sa.select(Notification.user_id, Notification.assignment_id).where(
                Notification.kind.in_(("reminder", "escalation"))
            )
        ).all()
        assert len(notified) == len(set(notified))  # nobody told twice about the same work
        db.session.remove()
        db.engine.dispose()
