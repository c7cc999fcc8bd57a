"""Two people saving the same assignment at once: the second gets a conflict, never a lost update."""

from __future__ import annotations

import os
import threading

import pytest
import sqlalchemy as sa
from flask import Flask
from sqlalchemy.orm.exc import StaleDataError

from coordination.assignments.models import Assignment, ProgressUpdate
from coordination.assignments.operations import report_progress
from coordination.auth.models import User
from coordination.extensions import db

pytestmark = pytest.mark.skipif(
    not os.environ.get("TEST_DATABASE_URL"), reason="concurrent sessions need PostgreSQL (row locks)"
)


def test_second_concurrent_save_conflicts(scratch_demo_app: Flask) -> None:
    app = scratch_demo_app
    with app.app_context():
        assignment_id = db.session.scalar(
            sa.select(Assignment.id)
            .join(User, User.agency_id == Assignment.agency_id)
            .where(User.username == "justice.tayninh", Assignment.status == "in_progress")
        )
        updates_before = db.session.scalar(
            sa.select(sa.func.count(ProgressUpdate.id)).where(ProgressUpdate.assignment_id == assignment_id)
        )

    both_loaded = threading.Barrier(2)
    outcomes: dict[str, str] = {}

    def save(name: str, percent: int) -> None:
        with app.app_context():
            user = db.session.scalar(sa.select(User).where(User.username == "justice.tayninh"))
            assignment = db.session.get(Assignment, assignment_id)
            version = assignment.version
            both_loaded.wait(timeout=10)  # both hold the same version before either writes
            try:
                report_progress(
                    assignment, actor=user, note=f"{name} lưu", progress_percent=percent, expected_version=version
                )
                db.session.commit()
                outcomes[name] = "saved"
            except StaleDataError:
                db.session.rollback()
                outcomes[name] = "conflict"

    threads = [threading.Thread(target=save, args=(n, p)) for n, p in (("A", 80), ("B", 90))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert sorted(outcomes.values()) == ["conflict", "saved"]
    winner = next(name for name, outcome in outcomes.items() if outcome == "saved")
    with app.app_context():
        assignment = db.session.get(Assignment, assignment_id)
        assert assignment.progress_percent == {"A": 80, "B": 90}[winner]
        notes = db.session.scalars(
            sa.select(ProgressUpdate.note).where(ProgressUpdate.assignment_id == assignment_id)
        ).all()
        assert len(notes) == updates_before + 1
        assert f"{winner} lưu" in notes
        db.session.remove()
        db.engine.dispose()
