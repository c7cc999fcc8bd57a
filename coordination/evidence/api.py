"""Evidence files (minh chứng) through the API: upload to an assignment, download, withdraw.

Downloads are always attachments, never rendered by the browser: `Content-Disposition: attachment`,
`X-Content-Type-Options: nosniff` and a sandboxing Content-Security-Policy, whatever the file is.
"""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from coordination.access import found_or_404
from coordination.api.core import Blueprint, loads, signed_in
from coordination.api.schemas import MAX_ID
from coordination.assignments.api import visible_assignment
from coordination.assignments.models import Assignment
from coordination.assignments.queries import through_visible_assignment
from coordination.errors import OperationError
from coordination.evidence.download import evidence_download
from coordination.evidence.models import Evidence
from coordination.evidence.operations import add_evidence, remove_evidence
from coordination.evidence.schemas import EvidenceSchema, RemovalSchema, UploadSchema

blp = Blueprint("api_evidence", __name__, url_prefix="/api/v1", description="Evidence files (minh chứng)")

EVIDENCE_ID = f"/evidence/<int(max={MAX_ID}):evidence_id>"


class Gone(OperationError):
    status = 410


def visible_evidence(evidence_id: int) -> Evidence:
    """The evidence row, if the signed-in user may see its assignment; else NotFound."""
    return found_or_404(
        through_visible_assignment(Evidence, evidence_id, current_user),
        _("Không tìm thấy minh chứng số %(id)s.", id=evidence_id),
        errors={"id": [_("Không có minh chứng này, hoặc bạn không được xem.")]},
    )


@blp.post(f"/assignments/<int(max={MAX_ID}):assignment_id>/evidence")
@loads("assignment", visible_assignment)
@blp.arguments(UploadSchema, location="files")
@blp.response(201, EvidenceSchema(many=True))
@blp.alt_response(403, response="FORBIDDEN", description="Not your agency's assignment, or not open")
@blp.alt_response(413, response="REQUEST_ENTITY_TOO_LARGE", description="A file, or the request, is too large")
@blp.alt_response(415, response="UNSUPPORTED_MEDIA_TYPE", description="A file's content is not an allowed type")
def upload(files: dict[str, Any], assignment: Assignment) -> list[Evidence]:
    """Attach one or more files (field `file` or `files`); their type is read from their content.

    All or nothing: one refused file (empty, too large, not an allowed type) refuses them all.
    """
    uploads = [*files.get("file", []), *files.get("files", [])]
    actor = signed_in()
    stored = [add_evidence(assignment, upload.stream, upload.filename, actor=actor) for upload in uploads]
    return stored


@blp.get(EVIDENCE_ID)
@loads("evidence", visible_evidence)
@blp.response(200, description="The file, as an attachment", content_type="application/octet-stream")
@blp.alt_response(403, response="FORBIDDEN", description="Only the owning agency, the monitor and the office")
@blp.alt_response(410, response="GONE", description="The file was withdrawn")
def download(evidence: Evidence) -> Response:
    """Download an evidence file (always as an attachment)."""
    return evidence_download(evidence, actor=signed_in())


@blp.delete(EVIDENCE_ID)
@loads("evidence", visible_evidence)
@blp.arguments(RemovalSchema)
@blp.response(204)
@blp.alt_response(403, response="FORBIDDEN", description="Not your agency's assignment, or not open")
@blp.alt_response(409, response="CONFLICT", description="Already withdrawn, or the work is accepted")
def delete(data: dict[str, Any], evidence: Evidence) -> None:
    """Withdraw a file before the work is accepted; history keeps who, when and why."""
    remove_evidence(evidence, actor=signed_in(), reason=data["reason"])
