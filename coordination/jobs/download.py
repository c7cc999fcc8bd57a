"""One export download and one job state for the web page and the API: the same checks and answers."""

from __future__ import annotations

from typing import Any

from flask import Response, send_file
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from werkzeug.exceptions import Gone

from coordination.errors import Conflict
from coordination.formatting import format_number
from coordination.jobs.models import ExportJob, JobStatus
from coordination.jobs.operations import is_expired, open_file
from coordination.reports.output import MIMETYPES
from coordination.security import private_download

STATUS_LABELS = {
    JobStatus.queued: _l("Đang chờ xử lý"),
    JobStatus.running: _l("Đang xử lý"),
    JobStatus.done: _l("Đã xong"),
    JobStatus.failed: _l("Không thành công"),
}


def status_label(status: JobStatus) -> str:
    return str(STATUS_LABELS[status])


def progress_text(job: ExportJob) -> str:
    """ "đã xử lý 12.345/70.123 việc", or "" before the worker has counted."""
    if job.progress_total is None:
        return ""
    return _(
        "đã xử lý %(done)s/%(total)s việc",
        done=format_number(job.progress_done),
        total=format_number(job.progress_total),
    )


def job_state(job: ExportJob) -> dict[str, Any]:
    """What the page's poller and the API say of a job."""
    total = job.progress_total
    return {
        "id": job.id,
        "status": job.status.value,
        "status_label": status_label(job.status),
        "format": job.format,
        "progress": {
            "done": job.progress_done,
            "total": total,
            "percent": round(100 * job.progress_done / total, 1) if total else (100.0 if job.done else 0.0),
            "text": progress_text(job),
        },
        "error": job.error or None,
        "file_name": job.file_name,
        "file_size": job.file_size,
        "created_at": job.created_at,
        "finished_at": job.finished_at,
        "expires_at": job.expires_at,
        "expired": is_expired(job),
    }


def export_download(job: ExportJob) -> Response:
    """The finished file as an attachment; 409 while not made, 410 once expired or purged."""
    if job.status != JobStatus.done:
        raise Conflict(
            _("Báo cáo chưa xuất xong (%(status)s).", status=status_label(job.status)),
            status_value=job.status.value,
        )
    if is_expired(job) or job.file_key is None:
        raise Gone(_("Tệp báo cáo này đã hết hạn và bị xóa; hãy lập lại báo cáo."))
    response = send_file(
        open_file(job),
        mimetype=MIMETYPES[job.format],
        as_attachment=True,
        download_name=job.file_name or f"bao-cao.{job.format}",
        etag=job.file_key,
        last_modified=job.finished_at,
    )
    return private_download(response)
