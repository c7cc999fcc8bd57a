"""GET /api/v1/reports/compliance: the compliance report in JSON, or as HTML, PDF, xlsx or CSV."""

from __future__ import annotations

from datetime import date

from flask import current_app, jsonify, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from coordination.api.core import Blueprint
from coordination.assignments.states import Status, Timeliness
from coordination.jobs.operations import goes_to_queue, report_arguments, request_export, scope_from_arguments
from coordination.jobs.schemas import ExportJobSchema
from coordination.replica import replica_reads
from coordination.reports.compliance import build_report
from coordination.reports.operations import record_report_generated
from coordination.reports.output import MIMETYPES, download
from coordination.reports.schemas import ComplianceArgsSchema, ComplianceReportSchema, dump_report

blp = Blueprint("api_reports", __name__, url_prefix="/api/v1/reports", description="Compliance reports")

_FILES = {fmt: {"schema": {"type": "string", "format": "binary"}} for fmt in ("pdf", "xlsx", "csv")}


@blp.get("/compliance")
@blp.arguments(ComplianceArgsSchema, location="query", as_kwargs=True)
@blp.response(200, ComplianceReportSchema, description="The report: JSON, or the file of the `format` asked for")
@blp.alt_response(
    202,
    schema=ExportJobSchema,
    headers={"Location": {"schema": {"type": "string"}, "description": "the job: GET it until done"}},
    description="Too big for one request: the worker makes it; follow `Location` (/api/v1/jobs/{id})",
)
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
    arguments = report_arguments(
        {
            "directive": directive,
            "agency": agency,
            "issued_from": issued_from,
            "issued_to": issued_to,
            "as_of": as_of,
            "status": status,
            "timeliness": timeliness,
            "role": role,
        }
    )
    scope, day = scope_from_arguments(user, arguments)
    if goes_to_queue(user, scope, day):
        # Too big for one request (issue 14): 202, and the job's URL to follow.
        from coordination.jobs.api import api_state

        job = request_export(arguments, format, actor=user)
        response = jsonify(ExportJobSchema().dump(api_state(job)))
        response.status_code = 202
        response.headers["Location"] = url_for("api_jobs.get_job", job_id=job.id)
        return response
    # issue 14: the rows only read; REPLICA_DATABASE_URL set, from the standby (a CSV streamed after this block
    # still reads there). The audit event after it, on the primary: the chain's head must be the latest.
    with replica_reads():
        if format == "json":
            # Already the documented JSON (dump_report equals ComplianceReportSchema's dump): sent as is.
            answer = current_app.json.response(dump_report(build_report(user, scope, as_of=day)))
        else:
            answer = download(user, scope, day, format)
    record_report_generated(scope, day, format, actor=user)
    return answer
