"""Exports as jobs: decide whether a report goes to the queue, ask for it, make it (the worker), purge it.

`request_export` runs in the request (permission, validation, audit, enqueued after commit); `run_export` runs
in the worker with its own app context, committing its progress as it goes and its outcome at the end.
"""

from __future__ import annotations

import io
import logging
from datetime import date, datetime, timedelta
from enum import Enum
from typing import Any

import sqlalchemy as sa
from flask import Flask, current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from rq.timeouts import JobTimeoutException

from coordination import audit
from coordination.assignments.models import Assignment, AssignmentRole
from coordination.auth.models import User
from coordination.db import today, utcnow
from coordination.errors import Forbidden, NotFound, OperationError
from coordination.extensions import db
from coordination.jobs.models import PENDING, ExportJob, JobStatus
from coordination.jobs.queue import enqueue_after_commit, export_store, queue_available
from coordination.permissions import role_administers
from coordination.reports.compliance import (
    DirectiveBlock,
    ReportScope,
    directive_for_report,
    require_reporter,
    resolve_scope,
)
from coordination.reports.compliance.queries import directive_select
from coordination.reports.operations import record_report_generated
from coordination.reports.output import filename_for, render_bytes

#: the worker commits its progress at most this often (in assignments)
PROGRESS_EVERY = 500
#: the scope's rows are counted up to this far when deciding; past it, the answer is "big" anyway
COUNT_CAP_FACTOR = 1

log = logging.getLogger(__name__)

# --- the report's arguments ---------------------------------------------------------------------------


def report_arguments(args: dict[str, Any]) -> dict[str, Any]:
    """The validated arguments of ComplianceArgsSchema as JSON (ISO days, enum values), the format left out."""
    plain: dict[str, Any] = {}
    for key, value in args.items():
        if key == "format" or value is None:
            continue
        if isinstance(value, date):
            value = value.isoformat()
        elif isinstance(value, list):
            value = [v.value if isinstance(v, Enum) else v for v in value]
        plain[key] = value
    return plain


def scope_from_arguments(user: User | None, arguments: dict[str, Any]) -> tuple[ReportScope, date]:
    """The report's scope and day, with the same checks as the synchronous report (403, 404, 409)."""
    require_reporter(user)
    directive_id = arguments.get("directive")
    scope = resolve_scope(
        user,
        directive=directive_for_report(user, directive_id) if directive_id is not None else None,
        agency_code=arguments.get("agency"),
        issued_from=_day(arguments.get("issued_from")),
        issued_to=_day(arguments.get("issued_to")),
        statuses=arguments.get("status"),
        timeliness=arguments.get("timeliness"),
        role=arguments.get("role", "all"),
    )
    return scope, _day(arguments.get("as_of")) or today()


def _day(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


# --- how big ------------------------------------------------------------------------------------------


def _scope_rows(user: User | None, scope: ReportScope, day: date) -> sa.Select:
    """The assignments the report reads (before its status filters): an index walk on assignment.directive_id."""
    directives = directive_select(user, scope, day).order_by(None)
    query = sa.select(Assignment.directive_id).where(Assignment.directive_id.in_(directives))
    if scope.role == "lead":
        query = query.where(Assignment.role == AssignmentRole.lead)
    if scope.agency is not None:
        query = query.where(Assignment.agency_id == scope.agency.id)
    return query


def count_scope(user: User | None, scope: ReportScope, day: date, *, cap: int) -> int:
    """The scope's assignments, counted up to `cap` + 1 (enough to say "more than cap")."""
    limited = _scope_rows(user, scope, day).limit(cap + 1).subquery()
    return db.session.scalar(sa.select(sa.func.count()).select_from(limited)) or 0


def rows_per_directive(user: User | None, scope: ReportScope, day: date) -> dict[int, int]:
    """The scope's assignments by directive: the worker's progress advances by a directive's count."""
    rows = _scope_rows(user, scope, day).subquery()
    query = sa.select(rows.c.directive_id, sa.func.count()).group_by(rows.c.directive_id)
    return {directive_id: count for directive_id, count in db.session.execute(query)}


def goes_to_queue(user: User | None, scope: ReportScope, day: date) -> bool:
    """Whether this report is made by the worker: a queue answers and the scope is over EXPORT_SYNC_MAX_ROWS."""
    limit = current_app.config.get("EXPORT_SYNC_MAX_ROWS", 2000)
    if count_scope(user, scope, day, cap=limit) <= limit:
        return False
    return queue_available()


# --- asking for an export -----------------------------------------------------------------------------


def request_export(arguments: dict[str, Any], fmt: str, *, actor: User) -> ExportJob:
    """Record an export to be made by the worker; it is put on the queue when the caller's transaction commits."""
    scope, day = scope_from_arguments(actor, arguments)  # the synchronous report's checks, raised the same way
    now = utcnow()
    job = ExportJob(
        user=actor,
        kind="compliance",
        arguments=arguments,
        format=fmt,
        status=JobStatus.queued,
        created_at=now,
        expires_at=now + timedelta(hours=current_app.config.get("EXPORT_TTL_HOURS", 72)),
    )
    db.session.add(job)
    db.session.flush()
    audit.record(
        actor,
        "report.export",
        "export_job",
        job.id,
        after={"format": fmt, "scope": scope.kind, "as_of": day, **arguments},
    )
    enqueue_after_commit(job.id)
    return job


# --- who may see a job --------------------------------------------------------------------------------


def job_for(user: User, job_id: int) -> ExportJob:
    """The job, for the user who asked or an admin; 404 when missing, 403 for anyone else."""
    job = db.session.get(ExportJob, job_id)
    if job is None:
        raise NotFound(_("Không tìm thấy yêu cầu xuất báo cáo số %(id)s.", id=job_id))
    if job.user_id != user.id and not role_administers(user.role):
        raise Forbidden(_("Yêu cầu xuất báo cáo này không phải của bạn."))
    return job


def recent_jobs(user: User, limit: int = 10) -> list[ExportJob]:
    """The user's latest exports, newest first (the reports page)."""
    return list(
        db.session.scalars(
            sa.select(ExportJob)
            .where(ExportJob.user_id == user.id)
            .order_by(ExportJob.created_at.desc(), ExportJob.id.desc())
            .limit(limit)
        )
    )


def is_expired(job: ExportJob, now: datetime | None = None) -> bool:
    return job.expires_at <= (now or utcnow())


def open_file(job: ExportJob) -> io.BufferedIOBase:
    """The finished export's bytes (the caller checked that it is done and not expired)."""
    assert job.file_key is not None
    return export_store().open(job.file_key)  # type: ignore[return-value]


# --- the worker ---------------------------------------------------------------------------------------


def run_export(job_id: int) -> None:
    """Make export `job_id` (the RQ job's function): its own app context, progress committed as it goes.

    Run by `flask jobs worker`, inside the app. A refusal or an error marks the job failed with its message;
    it never stays "running".
    """
    app: Flask = current_app._get_current_object()  # type: ignore[attr-defined]
    with app.app_context():
        job = db.session.get(ExportJob, job_id)
        if job is None or job.status not in PENDING:
            log.warning("export %s: nothing to do (%s)", job_id, job.status if job else "missing")
            return
        locale = job.user.locale or app.config["BABEL_DEFAULT_LOCALE"]
        job.status = JobStatus.running
        job.started_at = utcnow()
        job.error = ""
        db.session.commit()
        try:
            with force_locale(locale):
                _make(job)
            db.session.commit()
        except Exception as error:
            db.session.rollback()
            log.exception("export %s failed", job_id)
            with force_locale(locale):
                if isinstance(error, OperationError):
                    message = str(error.message)
                elif isinstance(error, JobTimeoutException):  # RQ's alarm at EXPORT_JOB_TIMEOUT
                    message = _("Quá thời gian xử lý; hãy yêu cầu lại.")
                else:
                    message = _("Không lập được báo cáo do lỗi hệ thống; sự cố đã được ghi lại.")
            mark_failed(job_id, message)
            db.session.commit()


def _make(job: ExportJob) -> None:
    user = job.user
    scope, day = scope_from_arguments(user, job.arguments)
    per_directive = rows_per_directive(user, scope, day)
    job.progress_total = sum(per_directive.values())
    job.progress_done = 0
    db.session.commit()
    job_id = job.id
    state = {"done": 0, "reported": 0}

    def advance(block: DirectiveBlock) -> None:
        state["done"] += per_directive.get(block.directive.id, 0)
        if state["done"] - state["reported"] >= PROGRESS_EVERY:
            state["reported"] = state["done"]
            db.session.execute(sa.update(ExportJob).where(ExportJob.id == job_id).values(progress_done=state["done"]))
            db.session.commit()

    content = render_bytes(user, scope, day, job.format, on_block=advance)
    blob = export_store().put(io.BytesIO(content), max_size=len(content) + 1)
    job = db.session.get(ExportJob, job_id)  # type: ignore[assignment]
    job.file_key = blob.sha256
    job.file_size = blob.size
    job.file_name = filename_for(scope, day, job.format)
    job.progress_done = job.progress_total or 0
    job.status = JobStatus.done
    job.finished_at = utcnow()
    record_report_generated(scope, day, job.format, actor=user)


def mark_failed(job_id: int, message: str) -> None:
    """Mark a job that has not finished as failed, with `message` (already translated); the caller commits."""
    db.session.execute(
        sa.update(ExportJob)
        .where(ExportJob.id == job_id, ExportJob.status.in_(PENDING))
        .values(status=JobStatus.failed, error=message[:1000], finished_at=utcnow())
    )


# --- purge --------------------------------------------------------------------------------------------


def purge_exports(now: datetime | None = None) -> tuple[int, int]:
    """Delete the files of expired exports and fail the jobs stuck past their timeout; (files, jobs failed).

    A file is kept while another unexpired job has the same content (the store is content-addressed).
    The caller commits.
    """
    now = now or utcnow()
    store = export_store()
    expired = list(
        db.session.scalars(sa.select(ExportJob).where(ExportJob.expires_at <= now, ExportJob.file_key.is_not(None)))
    )
    live_keys = set(
        db.session.scalars(
            sa.select(ExportJob.file_key).where(ExportJob.expires_at > now, ExportJob.file_key.is_not(None))
        )
    )
    removed = 0
    for job in expired:
        if job.file_key not in live_keys:
            store.delete(job.file_key)  # type: ignore[arg-type]
            removed += 1
        job.file_key = None
    stuck_before = now - timedelta(seconds=current_app.config.get("EXPORT_JOB_TIMEOUT", 3600) + 600)
    stuck = list(
        db.session.scalars(
            sa.select(ExportJob.id).where(ExportJob.status.in_(PENDING), ExportJob.created_at < stuck_before)
        )
    )
    for job_id in stuck:
        mark_failed(job_id, _("Quá thời gian xử lý; hãy yêu cầu lại."))
    return removed, len(stuck)
