"""/api/v1/directives/parse and /import: read a directive's text, then create the reviewed draft.

`parse` changes nothing: it returns what the parser read, each agency name's resolution against
the registry, and `proposal`, the body of `import` (the same body as POST /directives) with the
resolved codes filled in. The client reviews and corrects the proposal, then posts it to `import`.
"""

from __future__ import annotations

import functools
from typing import Any

from flask import request, url_for
from flask_babel import gettext as _

from coordination.api.core import Blueprint, json_body, load_body, signed_in
from coordination.api.schemas import ApiSchema, long_text
from coordination.directives.api import visible_directive
from coordination.directives.models import Directive
from coordination.directives.schemas import DirectiveCreateSchema, DirectiveDetailSchema
from coordination.errors import Forbidden, Invalid
from coordination.importer.operations import import_directive, proposed_directive
from coordination.importer.parser import parse_directive
from coordination.importer.resolve import resolve_extraction
from coordination.importer.text import ImportTextError, extract_text
from coordination.permissions import Permission, can

blp = Blueprint(
    "api_directive_import",
    __name__,
    url_prefix="/api/v1/directives",
    description="Directive import: read a directive's text, then create the reviewed draft",
)

MAX_TEXT = 200_000


class ParseTextSchema(ApiSchema):
    text = long_text(MAX_TEXT, metadata={"description": "the directive's text (application/json)"})


#: one request body, two ways to send it (webargs' two locations would document an invalid "in: body")
PARSE_BODY = {
    "required": True,
    "content": {
        "application/json": {"schema": ParseTextSchema},
        "multipart/form-data": {
            "schema": {
                "type": "object",
                "required": ["file"],
                "properties": {
                    "file": {"type": "string", "format": "binary", "description": ".txt, .docx or text-layer .pdf"}
                },
            }
        },
    },
}


def _parse_input() -> str:
    """The directive's text: from a multipart `file`, or from the JSON body's `text`."""
    if request.mimetype == "multipart/form-data":
        upload = request.files.get("file")
        if upload is None or not upload.filename:
            raise Invalid(_("Hãy gửi nội dung văn bản hoặc một tệp."), errors={"file": [_("Bắt buộc.")]})
        try:
            return extract_text(upload.filename, upload.read())
        except ImportTextError as error:
            raise Invalid(str(error), errors={"file": [str(error)]}) from error
    return load_body(ParseTextSchema(), json_body()).get("text") or ""


def office_only(view: Any) -> Any:
    """Refuse (403) anyone but an office user with an agency, before the body is validated."""

    @functools.wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        user = signed_in()
        if user.agency_id is None or not can(user, Permission.directive_create):
            raise Forbidden(_("Bạn không có quyền thực hiện thao tác này."))
        return view(*args, **kwargs)

    return wrapper


@blp.post("/parse")
@office_only
@blp.doc(requestBody=PARSE_BODY)
@blp.response(200, description="What the parser read, each agency name's resolution, and the proposal")
@blp.alt_response(403, response="FORBIDDEN", description="Only an office imports directives")
@blp.alt_response(422, response="UNPROCESSABLE_ENTITY", description="No text, or a file that cannot be read")
def parse() -> dict[str, Any]:
    """Read a directive (JSON `text`, or a multipart `file`): header, tasks, agencies, deadlines, warnings.

    `resolutions` maps each agency name as written to its registry match (`matches`: agency codes or
    groups with a score) or, when `status` is `unresolved`, to `candidates` to pick from.
    """
    text = _parse_input()
    if not text.strip():
        raise Invalid(
            _("Không có nội dung văn bản để đọc."), errors={"text": [_("Hãy gửi nội dung văn bản hoặc một tệp.")]}
        )
    user = signed_in()
    extraction = parse_directive(text[:MAX_TEXT])
    resolutions = resolve_extraction(extraction, issuer=user.agency)
    proposal = proposed_directive(extraction, resolutions, text[:MAX_TEXT])
    return {
        **extraction,
        "resolutions": {name: r.as_json() for name, r in resolutions.items()},
        "proposal": DirectiveCreateSchema().dump(proposal),
    }


@blp.post("/import")
@office_only
@blp.arguments(DirectiveCreateSchema)
@blp.response(201, DirectiveDetailSchema, headers={"Location": {"schema": {"type": "string"}}})
@blp.alt_response(403, response="FORBIDDEN", description="Only an office imports directives")
@blp.alt_response(409, response="CONFLICT", description="Your agency already has a directive with this number")
def import_reviewed(data: dict[str, Any]) -> tuple[Directive, dict[str, str]]:
    """Create the reviewed directive as a draft (the body of POST /directives, e.g. `proposal` corrected)."""
    directive = import_directive(data, actor=signed_in())
    location = url_for("api_directives.get_directive_detail", directive_id=directive.id)
    return visible_directive(directive.id), {"Location": location}
