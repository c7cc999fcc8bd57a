"""One reminders run at a time across machines: a run that finds the job's lock held (another machine's run) does
nothing and says so; the lock is a PostgreSQL advisory lock, released when the run ends or its process dies."""

from __future__ import annotations

import json
import os

import pytest
import sqlalchemy as sa
from flask import Flask

from coordination.extensions import db
from coordination.reminders.cli import LOCK_NAME
from coordination.reminders.models import Notification, Reminder
from coordination.transaction import job_lock, job_lock_key

pytestmark = pytest.mark.skipif(not os.environ.get("TEST_DATABASE_URL"), reason="needs PostgreSQL")


def _counts() -> tuple[int, int]:
    return (
        db.session.scalar(sa.select(sa.func.count(Reminder.id))) or 0,
        db.session.scalar(sa.select(sa.func.count(Notification.id))) or 0,
    )


def test_a_run_that_finds_the_lock_held_does_nothing(scratch_demo_app: Flask) -> None:
    app = scratch_demo_app
    with app.app_context():
        before = _counts()
        with job_lock(LOCK_NAME) as taken:  # another machine's run, in the middle of its work
            assert taken is True
            result = app.test_cli_runner().invoke(args=["reminders", "run", "--today", "2026-11-25", "--json"])
        assert result.exit_code == 0, result.output
        assert "another reminders run holds the lock" in result.output
        assert json.loads(result.output.strip().splitlines()[-1]) == {"locked": True}
        db.session.rollback()
        assert _counts() == before  # no reminder recorded, nobody notified
        db.session.remove()
        db.engine.dispose()


def test_the_lock_is_free_again_once_the_run_ends(scratch_demo_app: Flask) -> None:
    app = scratch_demo_app
    with app.app_context():
        # the second on a connection of its own, as another machine's
        with job_lock(LOCK_NAME) as first, job_lock(LOCK_NAME) as second:
            assert (first, second) == (True, False)
        with db.engine.connect() as connection:  # nothing left held: anyone may take it now
            key = job_lock_key(LOCK_NAME)
            assert connection.execute(sa.select(sa.func.pg_try_advisory_lock(key))).scalar() is True
            connection.execute(sa.select(sa.func.pg_advisory_unlock(key)))
        db.engine.dispose()
