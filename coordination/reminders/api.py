"""Urging in the API: reminders by hand, explanation requests and answers, the user's notifications."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask import request
from flask_babel import gettext as _
from flask_login import current_user

from coordination.access import found_or_404
from coordination.agencies.lookup import agency_by_code
from coordination.api.core import Blueprint, json_body, load_body
from coordination.api.schemas import MAX_ID, encode_page_token, page_of
from coordination.assignments.models import Assignment
from coordination.assignments.queries import get_assignment
from coordination.db import local_tz
from coordination.directives.models import Directive
from coordination.errors import Forbidden, Invalid, NotFound
from coordination.evidence.models import Evidence
from coordination.extensions import db
from coordination.permissions import Permission, can, visible_directives
from coordination.reminders.models import ExplanationRequest, Notification
from coordination.reminders.operations import answer_explanation, mark_read, request_explanation, send_reminders
from coordination.reminders.queries import assignments_by_ids, overdue_assignments, unread_count
from coordination.reminders.schemas import (
    ExplanationAnswerCreateSchema,
    ExplanationRequestCreateSchema,
    ExplanationSchema,
    MarkReadResultSchema,
    MarkReadSchema,
    NotificationArgsSchema,
    NotificationSchema,
    ReminderRequestSchema,
    ReminderResultSchema,
)
from coordination.reports.dashboard import DashboardFilters

blp = Blueprint(
    "api_reminders", __name__, url_prefix="/api/v1", description="Reminders, explanations and notifications"
)


# --- reminders by hand ----------------------------------------------------------------------------


def _directive_filter(user: Any, directive_id: int) -> int:
    seen = db.session.scalar(sa.select(Directive.id).where(Directive.id == directive_id, visible_directives(user)))
    if seen is None:
        raise Invalid(
            _("Không tìm thấy văn bản số %(id)s.", id=directive_id),
            errors={"directive": [_("Không có văn bản này, hoặc bạn không được xem.")]},
        )
    return directive_id


@blp.post("/reminders")
@blp.arguments(ReminderRequestSchema)
@blp.response(201, ReminderResultSchema)
@blp.alt_response(403, response="FORBIDDEN", description="Not the directive's monitor or office")
@blp.alt_response(404, response="NOT_FOUND", description="An assignment that does not exist or is not yours to see")
def send(data: dict[str, Any]) -> dict[str, Any]:
    """Remind agencies of overdue work, by assignment or for all overdue work of an agency and/or directive.

    The text names the directive, the task, the deadline and the days late, unless `message` replaces it.
    Work already reported or closed, and work already reminded by hand today, is skipped.
    """
    user = current_user._get_current_object()
    if not can(user, Permission.reminder_send):
        raise Forbidden(_("Bạn không có quyền đôn đốc."))
    if "assignment_ids" in data:
        assignments, missing = assignments_by_ids(user, data["assignment_ids"])
        if missing:
            raise NotFound(
                _("Không tìm thấy nhiệm vụ số %(ids)s.", ids=", ".join(map(str, missing))),
                errors={"assignment_ids": [_("Không có nhiệm vụ này, hoặc bạn không được xem.")]},
            )
    else:
        filters = DashboardFilters(
            directive_id=_directive_filter(user, data["directive"]) if "directive" in data else None,
            agency_id=agency_by_code(data["agency"], field="agency").id if "agency" in data else None,
        )
        assignments = overdue_assignments(user, filters)
    sent, skipped = send_reminders(assignments, actor=user, message=data.get("message"))
    return {"sent": len(sent), "skipped": len(skipped), "reminders": sent}


# --- explanations ---------------------------------------------------------------------------------


def _explanation_out(explanation: ExplanationRequest) -> dict[str, Any]:
    files = list(
        db.session.scalars(
            sa.select(Evidence).where(Evidence.explanation_request_id == explanation.id).order_by(Evidence.id)
        )
    )
    days_late = None
    if explanation.answered_at is not None:
        answered_on = explanation.answered_at.astimezone(local_tz()).date()
        days_late = max(0, (answered_on - explanation.due_on).days)
    return {
        "id": explanation.id,
        "assignment_id": explanation.assignment_id,
        "question": explanation.question,
        "due_on": explanation.due_on,
        "requested_at": explanation.requested_at,
        "requested_by": explanation.requested_by.username if explanation.requested_by else None,
        "answer": explanation.answer,
        "expected_finish_on": explanation.expected_finish_on,
        "answered_at": explanation.answered_at,
        "answered_by": explanation.answered_by.username if explanation.answered_by else None,
        "days_late": days_late,
        "files": files,
    }


def _visible_assignment(assignment_id: int) -> Assignment:
    return found_or_404(
        get_assignment(current_user, assignment_id),
        _("Không tìm thấy nhiệm vụ số %(id)s.", id=assignment_id),
        errors={"id": [_("Không có nhiệm vụ này, hoặc bạn không được xem.")]},
    ).assignment


@blp.post(f"/assignments/<int(max={MAX_ID}):assignment_id>/explanation-requests")
@blp.arguments(ExplanationRequestCreateSchema)
@blp.response(201, ExplanationSchema)
@blp.alt_response(403, response="FORBIDDEN", description="Not the directive's monitor or office")
@blp.alt_response(404, response="NOT_FOUND", description="No such assignment, or not yours to see")
@blp.alt_response(409, response="CONFLICT", description="The work is not overdue")
def require_explanation(data: dict[str, Any], assignment_id: int) -> dict[str, Any]:
    """Require the agency to explain in writing why its work is late and by when it will finish."""
    assignment = _visible_assignment(assignment_id)
    explanation = request_explanation(assignment, data["question"], data["due_on"], actor=current_user)
    return _explanation_out(explanation)


ANSWER_BODY = {
    "required": True,
    "content": {
        "application/json": {"schema": ExplanationAnswerCreateSchema},
        "multipart/form-data": {
            "schema": {
                "type": "object",
                "required": ["answer"],
                "properties": {
                    "answer": {"type": "string"},
                    "expected_finish_on": {"type": "string", "format": "date"},
                    "files": {"type": "array", "items": {"type": "string", "format": "binary"}},
                },
            }
        },
    },
}


def _answer_input() -> tuple[dict[str, Any], list[tuple[Any, str]]]:
    """The answer from a JSON body, or from a multipart form with its files ("files", or "file")."""
    if request.mimetype == "multipart/form-data":
        raw: Any = {k: v for k, v in request.form.items() if k in ("answer", "expected_finish_on")}
        if raw.get("expected_finish_on") == "":
            raw["expected_finish_on"] = None
        uploads = [*request.files.getlist("files"), *request.files.getlist("file")]
        files = [(f.stream, f.filename or "") for f in uploads if f is not None and (f.filename or f.content_length)]
    elif request.is_json:
        raw = json_body()
        files = []
    else:
        raise Invalid(
            _("Hãy gửi JSON hoặc multipart/form-data."),
            errors={"body": [_("Kiểu nội dung không được hỗ trợ.")]},
        )
    data = load_body(ExplanationAnswerCreateSchema(), raw)
    return data, files


@blp.post(f"/explanation-requests/<int(max={MAX_ID}):request_id>/answer")
@blp.doc(requestBody=ANSWER_BODY)
@blp.response(200, ExplanationSchema)
@blp.alt_response(403, response="FORBIDDEN", description="Not the agency asked")
@blp.alt_response(404, response="NOT_FOUND", description="No such request, or not yours to see")
@blp.alt_response(409, response="CONFLICT", description="Already answered")
def answer(request_id: int) -> dict[str, Any]:
    """Answer a request for explanation: the reason, the expected finish date, and files as evidence."""
    explanation = db.session.get(ExplanationRequest, request_id)
    if explanation is None or get_assignment(current_user, explanation.assignment_id) is None:
        raise NotFound(
            _("Không tìm thấy yêu cầu giải trình số %(id)s.", id=request_id),
            errors={"id": [_("Không có yêu cầu này, hoặc bạn không được xem.")]},
        )
    if not can(current_user, Permission.assignment_work, explanation.assignment):
        raise Forbidden(_("Bạn không có quyền trả lời yêu cầu giải trình này."))
    data, files = _answer_input()
    answer_explanation(explanation, data["answer"], data.get("expected_finish_on"), actor=current_user, files=files)
    return _explanation_out(explanation)


# --- notifications --------------------------------------------------------------------------------


@blp.get("/notifications")
@blp.arguments(NotificationArgsSchema, location="query", as_kwargs=True)
@blp.response(200, page_of(NotificationSchema))
def notifications(page_size: int, page_token: int | None, unread: bool | None = None) -> dict[str, Any]:
    """Your notifications, newest first; `unread=true` for the unread ones only."""
    query = sa.select(Notification).where(Notification.user_id == current_user.id)
    if unread is not None:
        query = query.where(Notification.read_at.is_(None) if unread else Notification.read_at.is_not(None))
    if page_token is not None:
        query = query.where(Notification.id < page_token)
    # Newest first: keyset on the id, descending (pagination.paginate only walks ids upwards).
    items = list(db.session.scalars(query.order_by(Notification.id.desc()).limit(page_size + 1)))
    more = len(items) > page_size
    items = items[:page_size]
    return {
        "items": items,
        "next_page_token": encode_page_token(items[-1].id) if more else None,
        "page_size": page_size,
    }


@blp.post("/notifications/read")
@blp.arguments(MarkReadSchema)
@blp.response(200, MarkReadResultSchema)
def read(data: dict[str, Any]) -> dict[str, int]:
    """Mark some of your notifications read ({"ids": [...]}), or all of them ({"all": true})."""
    user = current_user._get_current_object()
    marked = mark_read(user, data.get("ids"))
    return {"marked": marked, "unread": unread_count(user)}
