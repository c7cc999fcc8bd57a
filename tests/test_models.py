"""Database constraints: what the schema itself refuses."""

from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError, StatementError

from coordination.agencies.models import Agency
from coordination.assignments.models import Assignment, AssignmentRole
from coordination.audit import AuditEvent, record
from coordination.directives.models import Directive, Task
from coordination.extensions import db
from tests.conftest import SETUP


def _agency(code: str) -> Agency:
    return db.session.scalar(sa.select(Agency).where(Agency.code == code))


def test_duplicate_ref_per_issuer_refused(app) -> None:
    issuer = _agency("TN-UBND")
    db.session.add(
        Directive(
            number="2157",
            symbol="UBND-KSTT",
            ref="2157/UBND-KSTT",
            issuer=issuer,
            issued_on=date(2022, 8, 14),
            subject="bản trùng",
        )
    )
    with pytest.raises(IntegrityError):
        db.session.flush()


def test_same_ref_from_another_issuer_allowed(app) -> None:
    db.session.add(
        Directive(
            number="2157",
            symbol="UBND-KSTT",
            ref="2157/UBND-KSTT",
            issuer=_agency("TD-UBND"),
            issued_on=date(2022, 8, 14),
            subject="cùng số, khác cơ quan",
        )
    )
    db.session.flush()


def test_assignment_of_unknown_agency_refused(app) -> None:
    task = db.session.scalars(sa.select(Task)).first()
    db.session.add(Assignment(task=task, agency_id=999_999, role=AssignmentRole.lead))
    with pytest.raises(IntegrityError):
        db.session.flush()


def test_same_agency_twice_on_a_task_refused(app) -> None:
    existing = db.session.scalars(sa.select(Assignment)).first()
    db.session.add(Assignment(task_id=existing.task_id, agency_id=existing.agency_id, role=AssignmentRole.coordinate))
    with pytest.raises(IntegrityError):
        db.session.flush()


def test_progress_outside_0_100_refused(app) -> None:
    assignment = db.session.scalars(sa.select(Assignment)).first()
    assignment.progress_percent = 140
    with pytest.raises(IntegrityError):
        db.session.flush()


def test_unknown_status_refused(app) -> None:
    assignment = db.session.scalars(sa.select(Assignment)).first()
    with pytest.raises((StatementError, LookupError)):
        db.session.execute(sa.update(Assignment).where(Assignment.id == assignment.id).values(status="finished"))


def test_unknown_status_refused_by_the_database(app) -> None:
    """Even raw SQL cannot store a status the state machine does not know (CHECK constraint)."""
    assignment_id = db.session.scalar(sa.select(Assignment.id))
    with pytest.raises(IntegrityError):
        db.session.execute(sa.text("UPDATE assignment SET status = 'finished' WHERE id = :id"), {"id": assignment_id})


def test_stale_version_refused(app) -> None:
    """Optimistic locking: a write based on an old version fails instead of overwriting."""
    from sqlalchemy.orm.exc import StaleDataError

    assignment = db.session.scalars(sa.select(Assignment)).first()
    db.session.execute(sa.text("UPDATE assignment SET version = version + 1 WHERE id = :id"), {"id": assignment.id})
    assignment.progress_percent = 10
    with pytest.raises(StaleDataError):
        db.session.flush()


@pytest.mark.parametrize("statement", ["UPDATE audit_event SET action = 'x'", "DELETE FROM audit_event"])
def test_audit_history_is_append_only_in_the_database(app, statement: str) -> None:
    record(SETUP, "test.event", "test", 1)
    db.session.flush()
    assert db.session.scalar(sa.select(sa.func.count(AuditEvent.id))) > 0
    with pytest.raises(sa.exc.DatabaseError, match="append-only"):
        db.session.execute(sa.text(statement))
