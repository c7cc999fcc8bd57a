"""The factories make what they say, through the operations (so the audit history has it too)."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from coordination.assignments.states import Status, Timeliness
from coordination.audit import AuditEvent
from coordination.db import today
from coordination.extensions import db
from tests.factories import make_assignment, make_directive


def test_a_directive_with_its_tasks_and_agencies(app) -> None:
    directive = make_directive({"1": ["TN-STP", "TN-SGDDT"], "2": ["TN-CA"]}, deadline_in_days=5)
    assert directive.status == "active"
    assert [(t.label, sorted(a.agency.code for a in t.assignments)) for t in directive.tasks] == [
        ("1", ["TN-SGDDT", "TN-STP"]),
        ("2", ["TN-CA"]),
    ]
    assert {a.deadline for t in directive.tasks for a in t.assignments} == {today() + timedelta(days=5)}


@pytest.mark.parametrize(
    ("status", "actions"),
    [
        (Status.not_started, []),
        (Status.in_progress, ["assignment.start"]),
        (Status.reported_done, ["assignment.start", "assignment.report_done"]),
        (Status.done, ["assignment.start", "assignment.report_done", "assignment.accept"]),
        (Status.returned, ["assignment.start", "assignment.report_done", "assignment.return"]),
    ],
)
def test_an_assignment_in_each_status(app, status: Status, actions: list[str]) -> None:
    assignment = make_assignment(status=status)
    assert assignment.status == status
    recorded = db.session.scalars(
        sa.select(AuditEvent.action).where(AuditEvent.assignment_id == assignment.id).order_by(AuditEvent.id)
    ).all()
    assert [a for a in recorded if a.startswith("assignment.") and a != "assignment.create"] == actions


def test_an_overdue_assignment(app) -> None:
    assignment = make_assignment(status=Status.in_progress, deadline_in_days=-12)
    assert assignment.timeliness_on(today(), 3) == Timeliness.overdue
    assert (today() - assignment.deadline).days == 12
