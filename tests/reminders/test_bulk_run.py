"""Issue 14: the scheduled run writes in bulk, a bounded number of statements whatever it sends."""

from __future__ import annotations

from datetime import date, timedelta

import sqlalchemy as sa
from flask import Flask

from coordination.assignments.models import Assignment
from coordination.assignments.states import Status
from coordination.audit import AuditEvent
from coordination.directives.models import Directive, DirectiveStatus
from coordination.extensions import db
from coordination.reminders.models import Notification, Reminder
from coordination.reminders.operations import run_scheduled
from tests.conftest import count_queries

DAY = date(2026, 11, 25)


def _overdue(count: int) -> None:
    """Exactly `count` open assignments a week overdue, of every agency the demo assigns, and no other work due.

    The demo has fewer assignments: each is copied as further periods (period_index) of the same work.
    """
    db.session.execute(sa.update(Directive).values(status=DirectiveStatus.active))
    db.session.execute(sa.update(Assignment).values(deadline=None, status=Status.in_progress))
    demo = db.session.execute(
        sa.select(Assignment.task_id, Assignment.directive_id, Assignment.agency_id, Assignment.role).order_by(
            Assignment.id
        )
    ).all()
    copies = [
        {**row._asdict(), "status": Status.in_progress, "period_index": 100 + n, "deadline": DAY - timedelta(days=7)}
        for n in range(count // len(demo) + 1)
        for row in demo
    ][:count]
    db.session.execute(sa.insert(Assignment), copies)
    db.session.expire_all()


def _counts() -> tuple[int, ...]:
    return tuple(
        db.session.scalar(sa.select(sa.func.count()).select_from(model))
        for model in (Reminder, AuditEvent, Notification)
    )


def _run(count: int) -> tuple[int, int, list[str]]:
    """Run with `count` reminders due; returns (sent, agencies reminded, statements)."""
    _overdue(count)
    with count_queries() as statements:
        summary = run_scheduled(DAY)
    db.session.commit()
    agencies = db.session.scalar(
        sa.select(sa.func.count(sa.distinct(Assignment.agency_id))).join(
            Reminder, Reminder.assignment_id == Assignment.id
        )
    )
    return summary.sent, agencies, statements


def test_statements_do_not_grow_with_the_reminders(app: Flask) -> None:
    sent, agencies, statements = _run(300)
    assert (sent, agencies) == (300, 44)
    # candidates, history, policies, recipients; the letters' rows (selectin loads); the reminders,
    # the chain's head and the audit events, the notifications: one each, whatever the number sent
    assert len(statements) <= 18
    assert sum(s.lstrip().upper().startswith("INSERT INTO REMINDER") for s in statements) == 1


def test_few_reminders_take_as_many_statements(app: Flask) -> None:
    sent, _agencies, statements = _run(10)
    assert sent == 10
    assert len(statements) <= 18


def test_second_run_sends_nothing_and_adds_nothing(app: Flask) -> None:
    _run(300)
    counts = _counts()
    second = run_scheduled(DAY)
    db.session.commit()
    assert (second.sent, second.escalated, second.skipped, second.lines) == (0, 0, 0, [])
    assert _counts() == counts


def test_audit_chain_verifies_after_a_bulk_run(app: Flask) -> None:
    before = _counts()
    _run(300)
    after = _counts()
    assert (after[0] - before[0], after[1] - before[1]) == (300, 300)
    result = app.test_cli_runner().invoke(args=["audit", "verify", "--batch-size", "7"])
    assert result.exit_code == 0
    assert result.output == f"OK: chuỗi băm của {after[1]} sự kiện nhật ký khớp.\n"
