"""/api/v1/onboarding: the admin's import of agencies and users from a file, as the CLI and the page do it.

Each endpoint takes a multipart `file` (.xlsx or .csv) and `dry_run`. A dry run answers 200 with the
problems (if any) and what would change; an import answers 200 with what changed and the invitation
links, or 422 with every problem and nothing written.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from flask import request
from flask_babel import gettext as _
from marshmallow import fields

from coordination.api.core import Blueprint, signed_in
from coordination.api.schemas import ApiSchema
from coordination.errors import Forbidden, Invalid
from coordination.onboarding.operations import (
    OnboardingResult,
    Upload,
    import_agencies,
    import_onboarding,
    import_users,
)
from coordination.permissions import Permission, can

blp = Blueprint(
    "api_onboarding",
    __name__,
    url_prefix="/api/v1/onboarding",
    description="Onboarding: agencies and users from an .xlsx or .csv file (admin)",
)

_TRUE = {"1", "true", "yes", "on"}


class OnboardingProblemSchema(ApiSchema):
    sheet = fields.String(metadata={"description": "the sheet's title, or the CSV file's name"})
    row = fields.Integer(metadata={"description": "the line as a spreadsheet numbers it (headers: line 1)"})
    column = fields.String(metadata={"description": "the column's header as the file writes it"})
    value = fields.String()
    message = fields.String(metadata={"description": "what is wrong, translated"})


class OnboardingCountsSchema(ApiSchema):
    created = fields.Integer()
    updated = fields.Integer()
    unchanged = fields.Integer()


class OnboardingInvitationSchema(ApiSchema):
    username = fields.String()
    full_name = fields.String()
    email = fields.String(allow_none=True)
    url = fields.String(metadata={"description": "the one-time link to set a password; shown only here"})
    expires_at = fields.DateTime()


class OnboardingResultSchema(ApiSchema):
    dry_run = fields.Boolean()
    written = fields.Boolean(metadata={"description": "true when the file was imported (one transaction)"})
    kinds = fields.List(fields.String(), metadata={"description": "agencies, users, or both"})
    problems = fields.List(fields.Nested(OnboardingProblemSchema))
    agencies = fields.Nested(OnboardingCountsSchema)
    users = fields.Nested(OnboardingCountsSchema)
    invitations = fields.List(fields.Nested(OnboardingInvitationSchema), metadata={"description": "one per new user"})


UPLOAD_BODY = {
    "required": True,
    "content": {
        "multipart/form-data": {
            "schema": {
                "type": "object",
                "required": ["file"],
                "properties": {
                    "file": {"type": "string", "format": "binary", "description": ".xlsx or .csv (UTF-8)"},
                    "dry_run": {"type": "boolean", "default": False, "description": "check only; write nothing"},
                },
            }
        }
    },
}


def admin_only(view: Any) -> Any:
    """Refuse (403) anyone without onboarding:import before the file is read."""

    @functools.wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        if not can(signed_in(), Permission.onboarding_import):
            raise Forbidden(_("Chỉ quản trị viên được nhập cơ quan, người dùng từ tệp."))
        return view(*args, **kwargs)

    return wrapper


def _run(importer: Callable[..., OnboardingResult]) -> dict[str, Any]:
    upload = request.files.get("file") if request.mimetype == "multipart/form-data" else None
    if upload is None or not upload.filename:
        raise Invalid(_("Hãy gửi tệp .xlsx hoặc .csv (trường file)."), errors={"file": [_("Bắt buộc.")]})
    dry_run = (request.form.get("dry_run") or request.args.get("dry_run") or "").strip().lower() in _TRUE
    result = importer(Upload(upload.filename, upload.read()), actor=signed_in(), dry_run=dry_run)
    if result.problems and not dry_run:
        raise Invalid(
            _("Tệp có %(count)s vấn đề; chưa ghi gì. Sửa rồi gửi lại.", count=len(result.problems)),
            problems=[p.as_json() for p in result.problems],
        )
    return result.as_dict()


def _documented(view: Any) -> Any:
    view = blp.alt_response(422, response="UNPROCESSABLE_ENTITY", description="Problems (listed in `problems`)")(view)
    view = blp.alt_response(403, response="FORBIDDEN", description="Only an administrator imports")(view)
    view = blp.response(200, OnboardingResultSchema, description="What changed, or would change")(view)
    return blp.doc(requestBody=UPLOAD_BODY)(view)


@blp.post("/agencies")
@admin_only
@_documented
def post_agencies() -> dict[str, Any]:
    """Import agencies (the "Cơ quan" sheet, or a CSV of agencies); idempotent by code."""
    return _run(import_agencies)


@blp.post("/users")
@admin_only
@_documented
def post_users() -> dict[str, Any]:
    """Import users (the "Người dùng" sheet, or a CSV of users); idempotent by username; new users are invited."""
    return _run(import_users)


@blp.post("/import")
@admin_only
@_documented
def post_workbook() -> dict[str, Any]:
    """Import a workbook's agencies and users together, in one transaction (users may name the file's agencies)."""
    return _run(import_onboarding)
