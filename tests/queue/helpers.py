"""Work waiting in the queue, made through the operations an agency uses."""

from __future__ import annotations

from datetime import timedelta

from coordination.assignments.models import Assignment, ExtensionRequest
from coordination.assignments.operations import request_extension
from coordination.db import today
from coordination.reminders.models import ExplanationRequest
from coordination.reminders.operations import answer_explanation, request_explanation
from tests.conftest import get_user
from tests.support.monitoring import overdue_of


def ask_for_time(agency: str = "TN-STP", username: str = "justice.tayninh", days: int = 30) -> ExtensionRequest:
    """The agency's overdue work on 2157/UBND-KSTT gets an extension request to today + `days`."""
    assignment = overdue_of(agency)
    return request_extension(assignment, today() + timedelta(days=days), "Thiếu nhân lực.", actor=get_user(username))


def answered_explanation(agency: str = "TN-STP", username: str = "justice.tayninh") -> ExplanationRequest:
    """The monitor asks the agency to explain its late work; the agency answers."""
    assignment: Assignment = overdue_of(agency)
    request = request_explanation(
        assignment, "Đề nghị giải trình lý do chậm.", today() + timedelta(days=3), actor=get_user("monitor.tayninh")
    )
    return answer_explanation(request, "Do thiếu nhân lực.", today() + timedelta(days=10), actor=get_user(username))
