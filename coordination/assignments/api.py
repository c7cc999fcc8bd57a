"""GET /api/v1/assignments and /api/v1/assignments/{id}: work the user may see."""

from __future__ import annotations

from typing import Any

from flask import request
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from coordination.api.core import Blueprint
from coordination.api.pagination import paginate
from coordination.api.schemas import MAX_ID, page_of
from coordination.assignments.models import Assignment
from coordination.assignments.queries import Listed, assignment_query, get_assignment
from coordination.assignments.schemas import AssignmentArgsSchema, AssignmentDetailSchema, AssignmentSchema
from coordination.errors import NotFound

blp = Blueprint(
    "api_assignments", __name__, url_prefix="/api/v1/assignments", description="Assignments: one agency's task"
)

ETAG_DOC = {
    "ETag": {"description": "the assignment's version; send it as If-Match to change it", "schema": {"type": "string"}}
}


@blp.get("")
@blp.arguments(AssignmentArgsSchema, location="query", as_kwargs=True)
@blp.response(200, page_of(AssignmentSchema))
def list_assignments(page_size: int, page_token: int | None, **filters: Any) -> dict[str, Any]:
    """List the assignments you may see; `timeliness` is as of today, the same rule as the value shown."""
    query = assignment_query(current_user, filters)
    page = paginate(query, {"page_size": page_size, "page_token": page_token}, key=Assignment.id, rows=True)
    page["items"] = [Listed.of(row) for row in page["items"]]
    return page


@blp.get(f"/<int(max={MAX_ID}):assignment_id>")
@blp.response(200, AssignmentDetailSchema, headers=ETAG_DOC)
@blp.alt_response(304, description="Not modified: If-None-Match holds the current ETag")
def get_assignment_detail(assignment_id: int) -> Response | tuple[Listed, dict[str, str]]:
    """One assignment, with an ETag that changes with its version."""
    listed = get_assignment(current_user, assignment_id)
    if listed is None:
        # The same answer when it exists but is not yours to see: its existence is not told.
        raise NotFound(
            _("Không tìm thấy nhiệm vụ số %(id)s.", id=assignment_id),
            errors={"id": [_("Không có nhiệm vụ này, hoặc bạn không được xem.")]},
        )
    etag = listed.assignment.etag
    # If-None-Match compares weakly (RFC 9110): W/"5-2" matches "5-2".
    if request.if_none_match.contains_weak(etag.strip('"')):
        return Response(status=304, headers={"ETag": etag})
    return listed, {"ETag": etag}
