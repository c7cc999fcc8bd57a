"""Báo cáo: choose a scope, filters, an "as of" day and a format; the print view or a file comes back."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

import sqlalchemy as sa
from flask import jsonify, redirect, request, url_for
from flask_admin import expose
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from marshmallow import ValidationError

from coordination.admin.base import SecureBaseView, current
from coordination.admin.queries import unreadable_dates
from coordination.agencies.models import Agency
from coordination.assignments.models import Assignment
from coordination.assignments.states import STATUS_LABELS, TIMELINESS_LABELS
from coordination.collation import vi_order
from coordination.db import today
from coordination.directives.models import Directive, Task
from coordination.extensions import db
from coordination.formatting import parse_date
from coordination.jobs.download import export_download, job_state, status_label
from coordination.jobs.operations import (
    goes_to_queue,
    job_for,
    recent_jobs,
    report_arguments,
    request_export,
    scope_from_arguments,
)
from coordination.replica import replica_reads
from coordination.reports.compliance import may_report, reportable_clause
from coordination.reports.operations import record_report_generated
from coordination.reports.output import download
from coordination.reports.schemas import ComplianceArgsSchema

_LIST_ARGS = ("status", "timeliness")
_DATE_ARGS = ("issued_from", "issued_to", "as_of")
FORMAT_LABELS = {
    "html": _l("Xem, in (HTML)"),
    "pdf": "PDF",
    "xlsx": "Excel (.xlsx)",
    "csv": _l("CSV (bảng chi tiết)"),
    "json": "JSON",
}


class ReportsView(SecureBaseView):
    """The office, a monitor or an admin; others get 403 (and no menu entry)."""

    def is_accessible(self) -> bool:
        user = current()
        return user is not None and may_report(user)

    @expose("/")
    def index(self) -> Any:
        return self._form({}, {})

    @expose("/compliance")
    def compliance(self) -> Any:
        raw: dict[str, Any] = {}
        for key in request.args:
            values = [v for v in request.args.getlist(key) if v.strip()]
            if values:
                raw[key] = values if key in _LIST_ARGS else values[-1]
        # The form's days are typed dd/mm/yyyy (ISO from a kept link); the schema, shared with the API, reads ISO.
        errors = unreadable_dates(raw, _DATE_ARGS)
        parsed = {k: parse_date(raw[k]).isoformat() for k in _DATE_ARGS if k in raw and k not in errors}
        try:
            args = ComplianceArgsSchema().load({**raw, **parsed}, unknown="exclude")
        except ValidationError as error:
            errors = {**error.messages_dict, **errors}
        if errors:
            return self._form(raw, errors), 422
        user = current()
        arguments = report_arguments(args)
        scope, day = scope_from_arguments(user, arguments)
        fmt = args["format"]
        if goes_to_queue(user, scope, day):
            # Too big for a request (issue 14): the worker makes it; the job's page shows how far it is.
            job = request_export(arguments, fmt, actor=user)
            return redirect(url_for(".job", job_id=job.id), 303)
        downloads = None
        if fmt == "html":
            query = [(k, v) for k, v in request.args.items(multi=True) if k != "format" and v.strip()]
            base = url_for(".compliance")
            downloads = [
                (FORMAT_LABELS[f], f"{base}?{urlencode([*query, ('format', f)])}") for f in ("pdf", "xlsx", "csv")
            ]
            downloads.append((_("Chọn lại"), url_for(".index") + "?" + urlencode(query)))
        # issue 14: the rows from the standby when one is set (a CSV streamed later too); the audit event on the primary
        with replica_reads():
            response = download(user, scope, day, fmt, downloads=downloads)
        record_report_generated(scope, day, fmt, actor=user)
        return response

    def _form(self, values: dict[str, Any], errors: dict[str, Any]) -> Any:
        user = current()
        directives = db.session.execute(
            sa.select(Directive.id, Directive.ref, Directive.issued_on, Directive.subject)
            .where(reportable_clause(user))
            .order_by(Directive.issued_on.desc(), Directive.id.desc())
        ).all()
        agencies = db.session.execute(
            sa.select(Agency.code, Agency.name_vi)
            .where(
                Agency.id.in_(
                    sa.select(Assignment.agency_id)
                    .join(Task, Task.id == Assignment.task_id)
                    .join(Directive, Directive.id == Task.directive_id)
                    .where(reportable_clause(user))
                )
            )
            .order_by(vi_order(Agency.name_vi))
        ).all()
        return self.render(
            "reports/form.html",
            values=values,
            errors=errors,
            directives=directives,
            agencies=agencies,
            statuses=STATUS_LABELS,
            timeliness=TIMELINESS_LABELS,
            formats=FORMAT_LABELS,
            today=today(),
            jobs=[(job, job_state(job)) for job in recent_jobs(user)],
        )

    @expose("/jobs/<int:job_id>")
    def job(self, job_id: int) -> Any:
        """An export made by the worker: its progress (polled by page.js; "Làm mới" without JS), then its file."""
        job = job_for(current(), job_id)
        return self.render(
            "reports/job.html",
            job=job,
            state=job_state(job),
            status_label=status_label(job.status),
            formats=FORMAT_LABELS,
        )

    @expose("/jobs/<int:job_id>/state")
    def job_status(self, job_id: int) -> Any:
        job = job_for(current(), job_id)
        state = job_state(job)
        state["file_url"] = url_for(".job_file", job_id=job.id) if job.done and not state["expired"] else None
        response = jsonify(state)
        response.headers["Cache-Control"] = "no-store"
        return response

    @expose("/jobs/<int:job_id>/file")
    def job_file(self, job_id: int) -> Any:
        return export_download(job_for(current(), job_id))
