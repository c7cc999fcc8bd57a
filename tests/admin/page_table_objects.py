"""The objects the web page permission table's URLs point at (Tây Ninh's, so Tam Điệp's users are "other")."""

from __future__ import annotations

import io
from datetime import date, timedelta

import sqlalchemy as sa

from coordination.agencies.models import Agency, AgencyGroup
from coordination.assignments.operations import request_extension
from coordination.assignments.states import Status
from coordination.auth.models import User
from coordination.db import today
from coordination.directives.operations import update_task
from coordination.evidence.operations import add_evidence
from coordination.extensions import db
from coordination.indicators.models import Indicator
from coordination.reminders.calendar import ensure_calendar_token
from coordination.reminders.operations import request_explanation
from coordination.webhooks.operations import create_endpoint, send_test_event
from coordination.workdays.operations import save_calendar_day
from tests.conftest import SETUP, directive, get_user, tiny_pdf
from tests.factories import make_assignment


def make_objects() -> dict[str, object]:
    """Sở Tư pháp's overdue work with an explanation request, then a new deadline, a file and a pending extension.

    Directive pages use the demo's 2157/UBND-KSTT; the work is on a directive of Tây Ninh's made for the test,
    where Sở GD&ĐT has a task too (so education.tayninh sees the directive, not this work's private record).
    """
    work = make_assignment(
        "TN-STP", officer="justice.tayninh", status=Status.in_progress, deadline_in_days=-3, beside=("TN-SGDDT",)
    )
    officer, monitor = get_user("justice.tayninh"), get_user("monitor.tayninh")
    explanation = request_explanation(work, "Vì sao chậm?", today() + timedelta(days=3), actor=monitor)
    update_task(work.task, {"deadline": today() + timedelta(days=5)}, actor=get_user("office.tayninh"))
    evidence = add_evidence(work, io.BytesIO(tiny_pdf()), "a.pdf", actor=officer)
    extension = request_extension(work, today() + timedelta(days=20), "Cần thêm thời gian.", actor=officer)
    kstt = directive("2157/UBND-KSTT")
    indicator = db.session.scalar(sa.select(Indicator).where(Indicator.directive_id == kstt.id).limit(1))
    agency = db.session.scalar(sa.select(Agency).where(Agency.code == "TN-STP"))
    group = db.session.scalar(sa.select(AgencyGroup).limit(1))
    token = ensure_calendar_token(officer)
    # a correction of the working-day calendar, on a day long past that no deadline of the demo reaches
    calendar_day = save_calendar_day(None, {"day": date(2000, 1, 3), "kind": "off", "name": "Kiểm thử"}, actor=SETUP)
    webhook, _ = create_endpoint({"url": "https://93.184.215.14/hook", "events": ["reminder.sent"]}, actor=SETUP)
    delivery = send_test_event(webhook, actor=SETUP)
    db.session.commit()
    return {
        "directive_id": kstt.id,
        "task_id": work.task_id,
        "assignment_id": work.id,
        "evidence_id": evidence.id,
        "request_id": extension.id,
        "explanation_id": explanation.id,
        "indicator_id": indicator.id if indicator else 1,
        "agency_id": agency.id,
        "group_id": group.id,
        "user_id": db.session.scalar(sa.select(User.id).where(User.username == "justice.tayninh")),
        "token": token,
        "calendar_day_id": calendar_day.id,
        "webhook_id": webhook.id,
        "delivery_id": delivery.id,
    }
