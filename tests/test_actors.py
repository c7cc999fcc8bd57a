"""Every operation names who acts: a user or a system actor; None is refused, and history says who in words."""

from __future__ import annotations

import io
from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from coordination.agencies.operations import rename_agency
from coordination.assignments.operations import decide_extension, report_progress, request_extension
from coordination.audit import SYSTEM_DEMO, SYSTEM_REMINDERS, AuditEvent, record
from coordination.auth.operations import create_user, set_password, update_user
from coordination.directives.operations import activate_directive, close_directive, create_directive
from coordination.evidence.operations import add_evidence, open_evidence
from coordination.extensions import db
from coordination.indicators.models import Indicator
from coordination.indicators.operations import add_measurement, create_indicator
from coordination.reminders.calendar import revoke_calendar_token
from coordination.reminders.operations import request_explanation, save_policy
from tests.conftest import assignment_of, get_user

REF = "2157/UBND-KSTT"


def _refusals():  # type: ignore[no-untyped-def]
    """One call per operation, each with actor=None."""
    work = lambda: assignment_of(REF, "5", "TN-STP")  # noqa: E731 -- read inside the app context
    directive = lambda: work().task.directive  # noqa: E731
    return {
        "report_progress": lambda: report_progress(work(), actor=None, note="x"),
        "request_extension": lambda: request_extension(work(), date(2030, 1, 1), "Lý do", actor=None),
        "add_evidence": lambda: add_evidence(work(), io.BytesIO(b"%PDF-1.4\n"), "a.pdf", actor=None),
        "activate_directive": lambda: activate_directive(directive(), actor=None),
        "close_directive": lambda: close_directive(directive(), actor=None),
        "create_directive": lambda: create_directive({}, actor=None),
        "create_user": lambda: create_user({}, actor=None),
        "set_password": lambda: set_password(get_user("justice.tayninh"), "a-long-password", actor=None),
        "update_user": lambda: update_user(get_user("justice.tayninh"), {}, actor=None),
        "rename_agency": lambda: rename_agency(work().agency, name_vi="Sở", actor=None),
        "create_indicator": lambda: create_indicator(directive(), {}, actor=None),
        "add_measurement": lambda: add_measurement(
            db.session.scalars(sa.select(Indicator)).first(), date(2026, 1, 1), 1, actor=None
        ),
        "request_explanation": lambda: request_explanation(work(), "Vì sao?", date(2030, 1, 1), actor=None),
        "save_policy": lambda: save_policy(None, {}, actor=None),
        "revoke_calendar_token": lambda: revoke_calendar_token(get_user("justice.tayninh"), actor=None),
        "audit.record": lambda: record(None, "x", "user", 1),
    }


@pytest.mark.parametrize("name", list(_refusals()))
def test_an_operation_refuses_a_missing_actor(app, name: str) -> None:
    with pytest.raises(TypeError, match="actor must be a User or a SystemActor"):
        _refusals()[name]()
    db.session.rollback()


def test_decide_and_open_refuse_a_missing_actor(app) -> None:
    work = assignment_of(REF, "5", "TN-STP")
    officer = get_user("justice.tayninh")
    request = request_extension(work, date.today() + timedelta(days=400), "Thiếu người.", actor=officer)
    evidence = add_evidence(work, io.BytesIO(b"%PDF-1.4\n%%EOF\n"), "a.pdf", actor=officer)
    with pytest.raises(TypeError):
        decide_extension(request, "approve", "", actor=None)
    with pytest.raises(TypeError):
        open_evidence(evidence, actor=None)
    db.session.rollback()


def test_a_system_actor_is_recorded_by_name(app) -> None:
    work = assignment_of(REF, "5", "TN-STP")
    report_progress(work, actor=SYSTEM_DEMO, note="Đang làm", progress_percent=10)
    db.session.flush()
    event = db.session.scalars(
        sa.select(AuditEvent).where(AuditEvent.assignment_id == work.id).order_by(AuditEvent.id.desc())
    ).first()
    assert (event.action, event.actor_id, event.system_actor, event.actor_label) == (
        "assignment.progress",
        None,
        "system:demo",
        "system:demo",
    )
    db.session.rollback()


def test_history_page_names_the_system_actor_in_words(app, client, login) -> None:
    work = assignment_of(REF, "5", "TN-STP")
    record(
        SYSTEM_REMINDERS, "reminder.overdue", "reminder", 1, assignment_id=work.id, directive_id=work.task.directive_id
    )
    db.session.commit()
    login("monitor.tayninh")
    page = client.get(f"/app/assignment/details/?id={work.id}").get_data(as_text=True)
    assert "Hệ thống (nhắc việc tự động)" in page
