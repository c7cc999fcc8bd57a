"""/api/v1/assignments and /api/v1/extension-requests: work the user may see, and working it.

Every change runs in the same order: load or 404, permission, validate, one operation, commit, dump.
A progress update must carry `If-Match` with the ETag of `GET /api/v1/assignments/{id}`: a save based
on a stale read is a 409 with the current state, never a lost update.
"""

from __future__ import annotations

from typing import Any

from flask import current_app, request
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.wrappers import Response

from coordination.access import found_or_404
from coordination.api.core import Blueprint, PreconditionRequired, loads, reads_only, refused, signed_in
from coordination.api.pagination import paginate, run_paged
from coordination.api.schemas import MAX_ID, PageArgs, page_of
from coordination.assignments.models import Assignment, ExtensionRequest, ProgressUpdate
from coordination.assignments.operations import (
    assign_handlers,
    decide_extension,
    report_progress,
    request_extension,
    review_assignment,
)
from coordination.assignments.queries import (
    Listed,
    Recorded,
    assignment_list_page,
    current_handlers,
    get_assignment,
    history_query,
    through_visible_assignment,
    with_record,
)
from coordination.assignments.schemas import (
    AssignmentArgsSchema,
    AssignmentDetailSchema,
    AssignmentSchema,
    AssignmentWorkSchema,
    ExtensionDecisionSchema,
    ExtensionRequestInSchema,
    ExtensionRequestSchema,
    HandlerSchema,
    HandlersInSchema,
    HistoryEventSchema,
    ProgressInSchema,
    ProgressUpdateSchema,
    ReviewSchema,
    dump_list_row,
)
from coordination.assignments.states import Action, Status
from coordination.audit import AuditEvent
from coordination.directives.operations import remove_assignment
from coordination.errors import Conflict, Forbidden, NotFound
from coordination.evidence.schemas import RemovalSchema
from coordination.extensions import db
from coordination.permissions import Permission, can

blp = Blueprint(
    "api_assignments", __name__, url_prefix="/api/v1/assignments", description="Assignments: one agency's task"
)
extensions_blp = Blueprint(
    "api_extension_requests",
    __name__,
    url_prefix="/api/v1/extension-requests",
    description="Deadline extension requests (gia hạn)",
)

ASSIGNMENT_ID = f"/<int(max={MAX_ID}):assignment_id>"
ETAG_DOC = {
    "ETag": {"description": "the assignment's version; send it as If-Match to change it", "schema": {"type": "string"}}
}
IF_MATCH_DOC = {
    "name": "If-Match",
    "in": "header",
    "schema": {"type": "string"},
    "description": "the ETag of GET /api/v1/assignments/{id}",
}


def _not_found(assignment_id: int) -> NotFound:
    # The same answer when it exists but is not yours to see: its existence is not told.
    return NotFound(
        _("Không tìm thấy nhiệm vụ số %(id)s.", id=assignment_id),
        errors={"id": [_("Không có nhiệm vụ này, hoặc bạn không được xem.")]},
    )


def _visible(assignment_id: int, *, record_parts: bool = False) -> Listed:
    # the user itself, not Flask-Login's proxy: the visibility clauses read several of its attributes
    listed = get_assignment(signed_in(), assignment_id, record_parts=record_parts)
    if listed is None:
        raise _not_found(assignment_id)
    return listed


def visible_assignment(assignment_id: int) -> Assignment:
    """The assignment, if the signed-in user may see it; else NotFound."""
    return _visible(assignment_id).assignment


def visible_extension_request(request_id: int) -> ExtensionRequest:
    """The extension request, if the signed-in user may see its assignment; else NotFound."""
    return found_or_404(
        through_visible_assignment(ExtensionRequest, request_id, current_user),
        _("Không tìm thấy đề nghị gia hạn số %(id)s.", id=request_id),
        errors={"id": [_("Không có đề nghị này, hoặc bạn không được xem.")]},
    )


def _require(permission: Permission, assignment: Assignment) -> None:
    # Asked before If-Match is read, so that a refusal tells nothing of the assignment's state.
    if not can(current_user, permission, assignment):
        raise Forbidden(_("Bạn không có quyền cập nhật nhiệm vụ này."))


def _require_current(assignment: Assignment, *, required: bool) -> None:
    """Refuse a change based on a stale read: If-Match must hold the assignment's current ETag."""
    if request.headers.get("If-Match") is None or request.if_match.star_tag:
        if not required:
            return
        raise PreconditionRequired(
            _(
                "Thiếu tiêu đề If-Match: gửi kèm ETag nhận được từ GET /api/v1/assignments/%(id)s.",
                id=assignment.id,
            ),
            errors={"If-Match": [_("Bắt buộc.")]},
        )
    # Strong comparison (RFC 9110): a weak W/"..." tag never proves the client read this version.
    if not request.if_match.contains(assignment.etag.strip('"')):
        raise _stale(assignment.id)


def _stale(assignment_id: int) -> Conflict:
    """The 409 of a save based on a stale read: with the assignment as it is now, and its ETag."""
    listed = _visible(assignment_id)
    etag = listed.assignment.etag
    conflict = Conflict(
        _("Nhiệm vụ đã được người khác cập nhật; hãy tải lại và thử lại."),
        current={**AssignmentDetailSchema().dump(listed), "etag": etag},
    )
    conflict.headers = {"ETag": etag}  # type: ignore[attr-defined]
    return conflict


@blp.errorhandler(StaleDataError)
def lost_race(error: StaleDataError) -> Response:
    """Another save committed between our If-Match check and our write: the same 409, with what it saved."""
    db.session.rollback()
    return refused(_stale(request.view_args["assignment_id"]))  # type: ignore[index]


def _action_towards(current: Status, target: str | None) -> Action | None:
    """The agency's action for the status it asks for; the state machine then allows it or not."""
    if target is None or target == current:
        return None
    if target == Status.reported_done:
        return Action.report_done
    return Action.resume if current == Status.returned else Action.start


@blp.get("")
@reads_only
@blp.arguments(AssignmentArgsSchema, location="query", as_kwargs=True)
@blp.response(200, page_of(AssignmentSchema))
def list_assignments(page_size: int, page_token: int | None, **filters: Any) -> Response:
    """List the assignments you may see; `timeliness` is as of today, the same rule as the value shown."""
    statement = assignment_list_page(signed_in(), filters)
    page = run_paged(statement, {"page_size": page_size, "page_token": page_token})
    page["items"] = [dump_list_row(row) for row in page["items"]]
    # Already the documented JSON (dump_list_row equals AssignmentSchema's dump): sent as is, not dumped again.
    return current_app.json.response(page)


@blp.get(ASSIGNMENT_ID)
@reads_only
@blp.response(200, AssignmentWorkSchema, headers=ETAG_DOC)
@blp.alt_response(304, description="Not modified: If-None-Match holds the current ETag")
def get_assignment_detail(assignment_id: int) -> Response | tuple[Recorded, dict[str, str]]:
    """One assignment, with an ETag that changes with its version; notes, files and extension requests
    only for the owning agency, the directive's monitor and its issuer's office (null for others)."""
    listed = _visible(assignment_id, record_parts=True)
    etag = listed.assignment.etag
    # If-None-Match compares weakly (RFC 9110): W/"5-2" matches "5-2".
    if request.if_none_match.contains_weak(etag.strip('"')):
        return Response(status=304, headers={"ETag": etag})
    return with_record(signed_in(), listed), {"ETag": etag}


@blp.post(f"{ASSIGNMENT_ID}/updates")
@loads("assignment", visible_assignment)
@blp.arguments(ProgressInSchema)
@blp.response(201, ProgressUpdateSchema, headers=ETAG_DOC)
@blp.alt_response(403, response="FORBIDDEN", description="Not your agency's assignment, or not open")
@blp.alt_response(409, response="CONFLICT", description="Stale If-Match (body: `current`), or a status not reachable")
@blp.alt_response(428, response="PRECONDITION_REQUIRED", description="If-Match missing")
@blp.doc(parameters=[{**IF_MATCH_DOC, "required": True}])
def post_update(data: dict[str, Any], assignment: Assignment) -> tuple[ProgressUpdate, dict[str, str]]:
    """Report progress: a note, optionally a percentage and the status you want (in_progress, reported_done)."""
    _require(Permission.assignment_work, assignment)
    _require_current(assignment, required=True)
    update = report_progress(
        assignment,
        actor=signed_in(),
        note=data["note"],
        progress_percent=data.get("progress_percent"),
        action=_action_towards(assignment.status, data.get("status")),
    )
    return update, {"ETag": assignment.etag}


@blp.post(f"{ASSIGNMENT_ID}/review")
@loads("assignment", visible_assignment)
@blp.arguments(ReviewSchema)
@blp.response(201, ProgressUpdateSchema, headers=ETAG_DOC)
@blp.alt_response(403, response="FORBIDDEN", description="Not the monitor or the issuing office")
@blp.alt_response(409, response="CONFLICT", description="Work not reported done, or a stale If-Match")
@blp.doc(parameters=[IF_MATCH_DOC])
def review(data: dict[str, Any], assignment: Assignment) -> tuple[ProgressUpdate, dict[str, str]]:
    """Accept reported work (→ done) or return it with a reason (→ returned); If-Match is checked when sent."""
    _require(Permission.assignment_review, assignment)
    _require_current(assignment, required=False)
    update = review_assignment(assignment, data["decision"], data["note"], actor=signed_in())
    return update, {"ETag": assignment.etag}


@blp.post(f"{ASSIGNMENT_ID}/extension-requests")
@loads("assignment", visible_assignment)
@blp.arguments(ExtensionRequestInSchema)
@blp.response(201, ExtensionRequestSchema)
@blp.alt_response(403, response="FORBIDDEN", description="Not your agency's assignment")
@blp.alt_response(409, response="CONFLICT", description="A request is already pending")
def post_extension_request(data: dict[str, Any], assignment: Assignment) -> ExtensionRequest:
    """Ask for more time (gia hạn), with a reason and the date you propose."""
    extension = request_extension(assignment, data["requested_deadline"], data["reason"], actor=signed_in())
    return extension


@blp.put(f"{ASSIGNMENT_ID}/handlers")
@loads("assignment", visible_assignment)
@blp.arguments(HandlersInSchema)
@blp.response(200, HandlerSchema(many=True))
@blp.alt_response(403, response="FORBIDDEN", description="Not the head of the assignment's agency, or not open")
def put_handlers(data: dict[str, Any], assignment: Assignment) -> list[Any]:
    """Name who handles the assignment inside its agency (phân công xử lý): the agency's head only.

    The handlers replace the current ones, whose rows are ended and kept (the trail is in the history);
    `due_on` may not be after the assignment's deadline (422). The monitor still deals with the agency.
    """
    _require_delegate(assignment)
    assign_handlers(assignment, data, actor=signed_in())
    return current_handlers(assignment)


def _require_delegate(assignment: Assignment) -> None:
    if not can(current_user, Permission.assignment_delegate, assignment):
        raise Forbidden(_("Chỉ lãnh đạo cơ quan thực hiện được phân công xử lý nhiệm vụ này."))


@blp.get(f"{ASSIGNMENT_ID}/history")
@reads_only
@loads("assignment", visible_assignment)
@blp.arguments(PageArgs, location="query", as_kwargs=True)
@blp.response(200, page_of(HistoryEventSchema))
@blp.alt_response(403, response="FORBIDDEN", description="Only the owning agency, the monitor and the office")
def history(assignment: Assignment, page_size: int, page_token: int | None) -> dict[str, Any]:
    """Every change of the assignment, newest first: who, when, what, before and after.

    Notes and files may hold personal data: the history is for those who may see them (the owning
    agency, the directive's monitor, its issuer's office).
    """
    if not can(current_user, Permission.audit_view, assignment):
        raise Forbidden(_("Bạn không có quyền xem lịch sử nhiệm vụ này."))
    page_args = {"page_size": page_size, "page_token": page_token}
    return paginate(history_query(assignment), page_args, key=AuditEvent.id, descending=True)


@blp.delete(ASSIGNMENT_ID)
@loads("assignment", visible_assignment)
@blp.arguments(RemovalSchema)
@blp.response(204)
@blp.alt_response(403, response="FORBIDDEN", description="Not your agency's directive")
@blp.alt_response(409, response="CONFLICT", description="Done or cancelled, or the directive is closed")
def delete_assignment(data: dict[str, Any], assignment: Assignment) -> None:
    """Take the task away from the agency; once it has worked on it, a `reason` is required and it is cancelled."""
    remove_assignment(assignment, actor=signed_in(), reason=data["reason"])


@extensions_blp.post(f"/<int(max={MAX_ID}):request_id>/decision")
@loads("extension", visible_extension_request, arg="request_id")
@extensions_blp.arguments(ExtensionDecisionSchema)
@extensions_blp.response(200, ExtensionRequestSchema)
@extensions_blp.alt_response(403, response="FORBIDDEN", description="Not the monitor or the issuing office")
@extensions_blp.alt_response(409, response="CONFLICT", description="Already decided")
def decide(data: dict[str, Any], extension: ExtensionRequest) -> ExtensionRequest:
    """Approve (the new deadline applies; the old one stays in history) or reject with a reason."""
    decide_extension(extension, data["decision"], data["note"], actor=signed_in())
    return extension
