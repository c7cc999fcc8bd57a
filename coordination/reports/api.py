"""GET /api/v1/reports/compliance: the compliance report in JSON, or as HTML, PDF, xlsx or CSV."""

from __future__ import annotations

from datetime import date

from flask import current_app
from flask_login import current_user
from werkzeug.wrappers import Response

from coordination.api.core import Blueprint
from coordination.assignments.states import Status, Timeliness
from coordination.db import today
from coordination.reports.compliance import (
    build_report,
    directive_for_report,
    require_reporter,
    resolve_scope,
)
from coordination.reports.operations import record_report_generated
from coordination.reports.output import MIMETYPES, download
from coordination.reports.schemas import ComplianceArgsSchema, ComplianceReportSchema, dump_report

blp = Blueprint("api_reports", __name__, url_prefix="/api/v1/reports", description="Compliance reports")

_FILES = {fmt: {"schema": {"type": "string", "format": "binary"}} for fmt in ("pdf", "xlsx", "csv")}


@blp.get("/compliance")
@blp.arguments(ComplianceArgsSchema, location="query", as_kwargs=True)
@blp.response(200, ComplianceReportSchema, description="The report: JSON, or the file of the `format` asked for")
@blp.alt_response(403, response="FORBIDDEN", description="Not the office, a monitor or an admin")
@blp.alt_response(404, response="NOT_FOUND", description="Unknown directive or agency, or not yours to see")
@blp.doc(
    responses={
        # merged with @blp.response's JSON content under the same (integer) status key
        200: {
            "content": {
                MIMETYPES["html"].split(";")[0]: {"schema": {"type": "string"}},
                **{MIMETYPES[fmt].split(";")[0]: spec for fmt, spec in _FILES.items()},
            }
        }
    }
)
def compliance_report(
    format: str,
    role: str,
    directive: int | None = None,
    agency: str | None = None,
    issued_from: date | None = None,
    issued_to: date | None = None,
    as_of: date | None = None,
    status: list[Status] | None = None,
    timeliness: list[Timeliness] | None = None,
) -> Response:
    """A directive's, an agency's or a period's compliance, as of today or any past day.

    The office reports on its own issuer's directives, a monitor on those it monitors, an admin on all.
    """
    user = current_user._get_current_object()
    require_reporter(user)
    scope = resolve_scope(
        user,
        directive=directive_for_report(user, directive) if directive is not None else None,
        agency_code=agency,
        issued_from=issued_from,
        issued_to=issued_to,
        statuses=status,
        timeliness=timeliness,
        role=role,
    )
    day = as_of or today()
    if format == "json":
        # Already the documented JSON (dump_report equals ComplianceReportSchema's dump): sent as is.
        answer = current_app.json.response(dump_report(build_report(user, scope, as_of=day)))
    else:
        answer = download(user, scope, day, format)
    record_report_generated(scope, day, format, actor=user)
    return answer
