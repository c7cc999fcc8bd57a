"""Helpers for the API workflow tests: a fresh evidence store, the state of every table, demo targets."""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from werkzeug.datastructures import FileStorage, MultiDict
from werkzeug.test import encode_multipart

from coordination.agencies.models import Agency, AgencyAlias
from coordination.assignments.models import Assignment, AssignmentHandler, ExtensionRequest, ProgressUpdate
from coordination.assignments.operations import report_progress
from coordination.assignments.states import Action, Status
from coordination.audit import AuditEvent
from coordination.auth.models import ApiToken
from coordination.directives.models import Directive, DirectiveAddressee, Task
from coordination.evidence.models import Evidence
from coordination.extensions import db
from coordination.indicators.models import Indicator, Measurement
from coordination.reminders.models import ExplanationRequest, Reminder
from coordination.webhooks.models import WebhookDelivery, WebhookEndpoint
from tests.conftest import SETUP
from tests.support.api import ApiClient

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
HTML = b"<!DOCTYPE html><html><body><script>alert(document.cookie)</script></body></html>"
SVG = b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><script>alert(2)</script></svg>'

TAY_NINH, TAM_DIEP = "2157/UBND-KSTT", "570/UBND-CA"


@pytest.fixture
def store_dir(app, tmp_path) -> Iterator[str]:  # type: ignore[no-untyped-def]
    """A fresh, empty evidence directory for the test."""
    previous = app.config["EVIDENCE_DIR"]
    app.config["EVIDENCE_DIR"] = str(tmp_path / "evidence")
    yield app.config["EVIDENCE_DIR"]
    app.config["EVIDENCE_DIR"] = previous


def files_in(root: str) -> list[Path]:
    return sorted(p for p in Path(root).rglob("*") if p.is_file())


def _rows(*columns: Any) -> list[tuple[Any, ...]]:
    return [tuple(row) for row in db.session.execute(sa.select(*columns).order_by(columns[0])).all()]


def _count(column: Any) -> int:
    return db.session.scalar(sa.select(sa.func.count(column)))


def fingerprint() -> dict[str, Any]:
    """Everything the workflow can change, read straight from the tables."""
    return {
        "audit": _count(AuditEvent.id),
        "directive": _rows(
            Directive.id,
            Directive.status,
            Directive.ref,
            Directive.subject,
            Directive.deadline,
            Directive.monitor_agency_id,
        ),
        "addressee": _rows(DirectiveAddressee.id, DirectiveAddressee.agency_id, DirectiveAddressee.group_id),
        "task": _rows(Task.id, Task.directive_id, Task.label, Task.text, Task.deadline, Task.position),
        "assignment": _rows(
            Assignment.id,
            Assignment.agency_id,
            Assignment.status,
            Assignment.version,
            Assignment.deadline,
            Assignment.progress_percent,
        ),
        "progress": _count(ProgressUpdate.id),
        "evidence": _rows(Evidence.id, Evidence.removed_at),
        "extension": _rows(ExtensionRequest.id, ExtensionRequest.status, ExtensionRequest.decision_note),
        "agency": _rows(Agency.id, Agency.name_vi, Agency.name_en, Agency.active, Agency.successor_id),
        "alias": _count(AgencyAlias.id),
        "reminder": _count(Reminder.id),
        "explanation": _rows(ExplanationRequest.id, ExplanationRequest.answered_at, ExplanationRequest.answer_read_at),
        "indicator": _count(Indicator.id),
        "measurement": _count(Measurement.id),
        # issue 15: who handles what inside an agency, current and ended
        "handler": _rows(AssignmentHandler.id, AssignmentHandler.user_id, AssignmentHandler.ended_at),
        "webhook_endpoint": _rows(WebhookEndpoint.id, WebhookEndpoint.url, WebhookEndpoint.description),
        "webhook_delivery": _rows(WebhookDelivery.id, WebhookDelivery.status, WebhookDelivery.attempts),
        # tokens are made lazily by the test's API client: only a revocation is a change
        "revoked_token": sorted(db.session.scalars(sa.select(ApiToken.id).where(ApiToken.revoked_at.is_not(None)))),
    }


def reported_done(assignment: Assignment) -> Assignment:
    """Bring the assignment to "reported done" through the state machine, as the system."""
    steps = {
        Status.not_started: [Action.start, Action.report_done],
        Status.in_progress: [Action.report_done],
        Status.returned: [Action.resume, Action.report_done],
        Status.reported_done: [],
    }
    for action in steps[assignment.status]:
        report_progress(assignment, actor=SETUP, action=action, note="")
    db.session.commit()
    return assignment


def etag(client: ApiClient, assignment_id: int) -> str:
    response = client.get(f"/api/v1/assignments/{assignment_id}")
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.headers["ETag"]


def upload(client: ApiClient, assignment_id: int, *files: tuple[bytes, str], field: str = "file") -> Any:
    """POST the files (content, name) to the assignment as multipart/form-data."""
    parts = MultiDict([(field, FileStorage(io.BytesIO(content), filename=name)) for content, name in files])
    # Encoded here, in memory: the test client would spool a large body to a temporary file it never closes.
    boundary, body = encode_multipart(parts)
    return client.post(
        f"/api/v1/assignments/{assignment_id}/evidence",
        data=body,
        content_type=f'multipart/form-data; boundary="{boundary}"',
    )
