"""GET /api/v1/jobs/{id}: an export made in the background; /file: its file once done."""

from __future__ import annotations

from typing import Any

from flask import url_for
from werkzeug.wrappers import Response

from coordination.api.core import Blueprint, signed_in
from coordination.api.schemas import MAX_ID
from coordination.jobs.download import export_download, job_state
from coordination.jobs.models import ExportJob
from coordination.jobs.operations import job_for
from coordination.jobs.schemas import ExportJobSchema

blp = Blueprint("api_jobs", __name__, url_prefix="/api/v1/jobs", description="Exports made in the background")

JOB_ID = f"/<int(max={MAX_ID}):job_id>"


def api_state(job: ExportJob) -> dict[str, Any]:
    """The job as ExportJobSchema dumps it, with its links."""
    state = job_state(job)
    ready = job.done and not state["expired"]
    state["links"] = {
        "self": url_for("api_jobs.get_job", job_id=job.id),
        "file": url_for("api_jobs.get_job_file", job_id=job.id) if ready else None,
    }
    return state


@blp.get(JOB_ID)
@blp.response(200, ExportJobSchema)
@blp.alt_response(403, response="FORBIDDEN", description="Only the user who asked, and admins")
@blp.alt_response(404, response="NOT_FOUND", description="No such job")
def get_job(job_id: int) -> dict[str, Any]:
    """An export's state and progress; `links.file` once it is done."""
    return api_state(job_for(signed_in(), job_id))


@blp.get(f"{JOB_ID}/file")
@blp.response(200, description="The file, as an attachment", content_type="application/octet-stream")
@blp.alt_response(403, response="FORBIDDEN", description="Only the user who asked, and admins")
@blp.alt_response(404, response="NOT_FOUND", description="No such job")
@blp.alt_response(409, response="CONFLICT", description="Not made yet (queued or running), or failed")
@blp.alt_response(410, response="GONE", description="The file expired and was deleted")
def get_job_file(job_id: int) -> Response:
    """Download the export's file."""
    return export_download(job_for(signed_in(), job_id))
