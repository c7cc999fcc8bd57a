"""The objects the web page permission table's URLs point at (Tây Ninh's, so Tam Điệp's users are "other")."""

from __future__ import annotations

import io
from datetime import timedelta

import sqlalchemy as sa

from coordination.agencies.models import Agency, AgencyGroup
from coordination.assignments.operations import request_extension
from coordination.auth.models import User
from coordination.db import today
from coordination.evidence.operations import add_evidence
from coordination.extensions import db
from coordination.indicators.models import Indicator
from coordination.reminders.calendar import ensure_calendar_token
from coordination.reminders.operations import request_explanation
from tests.conftest import assignment_of, directive, get_user, tiny_pdf


def make_objects() -> dict[str, object]:
    """Sở Tư pháp's task 5 of 2157/UBND-KSTT with a file, a pending extension and an explanation request."""
    work = assignment_of("2157/UBND-KSTT", "5", "TN-STP")
    officer, monitor = get_user("justice.tayninh"), get_user("monitor.tayninh")
    explanation = request_explanation(work, "Vì sao chậm?", today() + timedelta(days=3), actor=monitor)  # overdue
    work.deadline = today() + timedelta(days=5)
    evidence = add_evidence(work, io.BytesIO(tiny_pdf()), "a.pdf", actor=officer)
    extension = request_extension(work, today() + timedelta(days=20), "Cần thêm thời gian.", actor=officer)
    kstt = directive("2157/UBND-KSTT")
    indicator = db.session.scalar(sa.select(Indicator).where(Indicator.directive_id == kstt.id).limit(1))
    agency = db.session.scalar(sa.select(Agency).where(Agency.code == "TN-STP"))
    group = db.session.scalar(sa.select(AgencyGroup).limit(1))
    token = ensure_calendar_token(officer)
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
    }
