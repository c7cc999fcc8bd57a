"""GET /api/v1/queue: what waits for the signed-in monitor's or office's decision, the page's same queries."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from flask_babel import gettext as _
from flask_login import current_user

from coordination.access import found_or_404
from coordination.api.core import Blueprint, reads_only
from coordination.api.schemas import MAX_ID, encode_page_token
from coordination.assignments.models import Assignment
from coordination.assignments.queries import get_assignment
from coordination.db import local_tz
from coordination.errors import Forbidden
from coordination.extensions import db
from coordination.permissions import keeps_a_queue
from coordination.queue.queries import QueueKind, count_limit, over_limit, queue_after, queue_counts
from coordination.queue.schemas import ExplanationReadSchema, QueueArgsSchema, QueuePageSchema
from coordination.reminders.models import ExplanationRequest
from coordination.reminders.operations import read_explanation_answer

blp = Blueprint("api_queue", __name__, url_prefix="/api/v1", description="Chờ xử lý: what waits for your decision")


def _day(moment: datetime | date | None) -> date | None:
    if isinstance(moment, datetime):
        return moment.astimezone(local_tz()).date()
    return moment


def _item(kind: QueueKind, row: Any) -> dict[str, Any]:
    assignment: Assignment = row if kind == QueueKind.review else row.assignment
    task = assignment.task
    item: dict[str, Any] = {
        "kind": kind.value,
        "id": row.id,
        "assignment_id": assignment.id,
        "directive": task.directive,
        "task_label": task.display_label,
        "agency": assignment.agency,
        "deadline": assignment.deadline,
    }
    if kind == QueueKind.review:
        item.update(waiting_since=assignment.reported_done_on, decide=f"/api/v1/assignments/{assignment.id}/review")
    elif kind == QueueKind.extension:
        item.update(
            waiting_since=_day(row.requested_at),
            requested_deadline=row.requested_deadline,
            reason=row.reason,
            by=row.requested_by,
            decide=f"/api/v1/extension-requests/{row.id}/decision",
        )
    else:
        item.update(
            waiting_since=_day(row.answered_at),
            question=row.question,
            answer=row.answer,
            expected_finish_on=row.expected_finish_on,
            by=row.answered_by,
            decide=f"/api/v1/explanation-requests/{row.id}/read",
        )
    return item


@blp.get("/queue")
@reads_only
@blp.arguments(QueueArgsSchema, location="query", as_kwargs=True)
@blp.response(200, QueuePageSchema)
@blp.alt_response(403, response="FORBIDDEN", description="An officer: no decisions wait for it")
def queue(kind: QueueKind, page_size: int, page_token: int | None) -> dict[str, Any]:
    """One section of your "Chờ xử lý" queue, oldest first: reported work, extension requests or unread explanations.

    The monitor sees the directives it monitors, the office those its agency issued, admin all; only active
    directives. Each item names the call that decides it; `counts` says how many wait in every section.
    """
    user = current_user._get_current_object()
    if not keeps_a_queue(user):
        raise Forbidden(_("Chỉ đơn vị theo dõi, văn phòng và quản trị viên có danh sách chờ xử lý."))
    rows, more = queue_after(kind, user, after=page_token, size=page_size)
    counts = queue_counts(user)
    return {
        "items": [_item(kind, row) for row in rows],
        "next_page_token": encode_page_token(rows[-1].id) if more else None,
        "page_size": page_size,
        "counts": _counts(counts),
    }


def _counts(counts: dict[str, int]) -> dict[str, Any]:
    limit = count_limit()
    return {
        **{kind.value: min(counts[kind.value], limit) for kind in QueueKind},
        "limit": limit,
        "over_limit": [kind.value for kind in QueueKind if over_limit(counts[kind.value])],
    }


@blp.post(f"/explanation-requests/<int(max={MAX_ID}):request_id>/read")
@blp.response(200, ExplanationReadSchema)
@blp.alt_response(403, response="FORBIDDEN", description="Not the directive's monitor or office")
@blp.alt_response(404, response="NOT_FOUND", description="No such request, or not yours to see")
@blp.alt_response(409, response="CONFLICT", description="Not answered yet, or already read")
def read_explanation(request_id: int) -> ExplanationRequest:
    """Mark an agency's answer to a request for explanation read: it leaves the queue."""
    explanation = db.session.get(ExplanationRequest, request_id)
    found_or_404(
        explanation if explanation is not None and get_assignment(current_user, explanation.assignment_id) else None,
        _("Không tìm thấy yêu cầu giải trình số %(id)s.", id=request_id),
        errors={"id": [_("Không có yêu cầu này, hoặc bạn không được xem.")]},
    )
    return read_explanation_answer(explanation, actor=current_user._get_current_object())  # type: ignore[arg-type]
