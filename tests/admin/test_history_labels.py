"""Every kind of event the history holds reads as words, not as code names."""

from __future__ import annotations

import re
from datetime import date, timedelta

import sqlalchemy as sa

from coordination.admin.labels import AUDIT_ACTION_LABELS
from coordination.audit import AuditEvent
from coordination.db import today
from coordination.extensions import db
from coordination.reminders.operations import answer_explanation, request_explanation, run_scheduled, send_reminders
from tests.conftest import assignment_of, get_user


def test_reminders_and_explanations_read_well_in_the_history(app, login) -> None:
    assignment = assignment_of("2157/UBND-KSTT", "5", "TN-STP")
    monitor = get_user("monitor.tayninh")
    send_reminders([assignment], actor=monitor, message="Đề nghị báo cáo trước thứ Sáu.")
    request = request_explanation(assignment, "Vì sao chậm?", today() + timedelta(days=3), actor=monitor)
    answer_explanation(request, "Thiếu nhân lực.", today() + timedelta(days=10), actor=get_user("justice.tayninh"))
    run_scheduled(date(2026, 11, 25))
    db.session.commit()
    html = login("justice.tayninh").get(f"/app/assignment/details/?id={assignment.id}").get_data(as_text=True)
    page = re.sub(r"<[^>]+>", " ", html)  # what a reader sees, not attributes
    for text in ("Đôn đốc", "Đề nghị báo cáo trước thứ Sáu.", "Yêu cầu giải trình", "Vì sao chậm?", "Thiếu nhân lực."):
        assert text in page, text
    for code in ("reminder.manual", "explanation.request", "explanation.answer", "due_on"):
        assert code not in page, code


def test_every_recorded_action_has_a_label(app) -> None:
    assignment = assignment_of("2157/UBND-KSTT", "5", "TN-STP")
    monitor = get_user("monitor.tayninh")
    send_reminders([assignment], actor=monitor)
    request = request_explanation(assignment, "Vì sao chậm?", today() + timedelta(days=3), actor=monitor)
    answer_explanation(request, "Thiếu nhân lực.", None, actor=get_user("justice.tayninh"))
    for offset in range(0, 12, 3):
        run_scheduled(date(2026, 11, 25) + timedelta(days=offset))
    actions = set(db.session.scalars(sa.select(AuditEvent.action).distinct()))
    assert actions - set(AUDIT_ACTION_LABELS) == set()
