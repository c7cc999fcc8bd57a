"""Every action × every role × own or other agency: the status code, and on refusal nothing changed.

Columns follow USERS: admin, office.tayninh, monitor.tayninh, justice.tayninh, education.tayninh,
office.tamdiep, monitor.tamdiep, bacson.tamdiep. Side "tn" acts on Tây Ninh's directives (issued by
TN-UBND, monitored by TN-CA; work made for Sở Tư pháp = justice.tayninh on a directive that also gives
Sở GD&ĐT a task); side "td" on Tam Điệp's (TD-UBND, TD-CA, phường Bắc Sơn = bacson.tamdiep). Directive
actions act on the demo's 2157/UBND-KSTT and 570/UBND-CA. A 404 is an object the user may not even
see; a 403 one it sees but may not change.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest

from coordination.assignments.models import Assignment
from coordination.assignments.operations import request_extension
from coordination.assignments.states import Status
from coordination.db import today
from coordination.directives.operations import create_directive
from coordination.evidence.operations import add_evidence
from coordination.extensions import db
from coordination.indicators.operations import create_indicator
from coordination.reminders.operations import answer_explanation, request_explanation
from coordination.webhooks.models import DeliveryStatus
from coordination.webhooks.operations import create_endpoint, send_test_event
from tests.conftest import SETUP, USERS, directive
from tests.factories import TAM_DIEP as TAM_DIEP_ISSUER
from tests.factories import TAY_NINH as TAY_NINH_ISSUER
from tests.factories import make_assignment
from tests.support.api import ApiClient, assert_problem
from tests.support.workflow import (
    PDF,
    TAM_DIEP,
    TAY_NINH,
    etag,
    files_in,
    fingerprint,
    reported_done,
    upload,
)

ISSUERS = {"tn": TAY_NINH_ISSUER, "td": TAM_DIEP_ISSUER}

SIDES = {
    "tn": {
        "ref": TAY_NINH,
        "province": "tn",
        "officer_user": "justice.tayninh",
        "beside": "TN-SGDDT",
        "issuer": "TN-UBND",
        "monitor": "TN-CA",
        "officer": "TN-STP",
        "free_agency": "TN-BAOTN",
        "merge": ("TN-STP", "TN-SNV"),
        "rename": "TN-SGDDT",
    },
    "td": {
        "ref": TAM_DIEP,
        "province": "td",
        "officer_user": "bacson.tamdiep",
        "beside": "TD-PTP",
        "issuer": "TD-UBND",
        "monitor": "TD-CA",
        "officer": "TD-PBACSON",
        "free_agency": "TD-PTP",
        "merge": ("TD-PTP", "TD-PNV"),
        "rename": "TD-PGDDT",
    },
}


def _work(side: dict[str, str]) -> Assignment:
    """The officer's agency's work in progress, due in 20 days, on a directive of the side's issuer.

    Another agency of the side gets a task of the same directive, so that it sees the directive (403, not 404).
    """
    return make_assignment(
        side["officer"],
        officer=side["officer_user"],
        status=Status.in_progress,
        deadline_in_days=20,
        beside=(side["beside"],),
        **ISSUERS[side["province"]],
    )


def _draft(side: dict[str, str]) -> int:
    from coordination.agencies.lookup import agency_by_code

    draft = create_directive(
        {
            "number": "901",
            "symbol": "UBND-TEST",
            "issued_on": today(),
            "subject": "Bản nháp để thử quyền",
            "addressees": [side["officer"]],
            "monitor_agency": side["monitor"],
            "tasks": [{"label": "1", "text": "Thử.", "assignments": [{"agency": side["officer"]}]}],
        },
        actor=SETUP,
        issuer=agency_by_code(side["issuer"]),
    )
    db.session.commit()
    return draft.id


def _evidence(side: dict[str, str], work: Assignment | None = None) -> int:
    evidence = add_evidence(work or _work(side), io.BytesIO(PDF), "bao-cao.pdf", actor=SETUP)
    db.session.commit()
    return evidence.id


def _extension(side: dict[str, str]) -> int:
    work = _work(side)
    request = request_extension(work, work.deadline + timedelta(days=10), "Thiếu nhân lực.", actor=SETUP)
    db.session.commit()
    return request.id


@dataclass(frozen=True)
class Action:
    """The route one action exercises, how to prepare the target of one side, and the request that acts on it."""

    #: "METHOD /api/v1/path/{name}": every route of the API's URL map has an action (a test checks)
    route: str
    prepare: Callable[[dict[str, str]], Any]
    call: Callable[[ApiClient, Any, dict[str, str]], Any]
    #: a change is audited; a read is not
    audited: bool = True
    #: what an unaudited action may change all the same (fingerprint keys): one's own token
    changes: tuple[str, ...] = ()


def _create_body(side: dict[str, str]) -> dict[str, Any]:
    return {
        "number": "902",
        "symbol": "UBND-TEST",
        "issued_on": "2026-02-02",
        "subject": "Văn bản thử quyền",
        "monitor_agency": side["monitor"],
        "tasks": [{"label": "1", "text": "Thử.", "assignments": [{"agency": side["monitor"]}]}],
    }


def _update(client: ApiClient, work: Assignment, side: dict[str, str]) -> Any:
    url = f"/api/v1/assignments/{work.id}"
    current = client.get(url).headers.get("ETag") or work.etag
    return client.post(
        f"{url}/updates", json={"note": "Đã làm 40%.", "progress_percent": 40}, headers={"If-Match": current}
    )


def _overdue(side: dict[str, str]) -> Assignment:
    """The officer's agency's work in progress, 3 days overdue, on a directive of the side's issuer."""
    return make_assignment(
        side["officer"],
        officer=side["officer_user"],
        status=Status.in_progress,
        deadline_in_days=-3,
        beside=(side["beside"],),
        **ISSUERS[side["province"]],
    )


def _explanation(side: dict[str, str]) -> int:
    explanation = request_explanation(_overdue(side), "Vì sao chậm?", today() + timedelta(days=3), actor=SETUP)
    db.session.commit()
    return explanation.id


def _answered_explanation(side: dict[str, str]) -> int:
    """An explanation the late agency has answered: it waits in the monitor's and the office's queue."""
    explanation = request_explanation(_overdue(side), "Vì sao chậm?", today() + timedelta(days=3), actor=SETUP)
    answer_explanation(explanation, "Thiếu nhân lực.", None, actor=SETUP)
    db.session.commit()
    return explanation.id


def _indicator(side: dict[str, str]) -> int:
    """A target of the officer's agency on a directive of the side's issuer."""
    work = _work(side)
    indicator = create_indicator(
        work.task.directive,
        {"name": "Hồ sơ số hóa", "unit": "hồ sơ", "target_value": 1000, "deadline": today() + timedelta(days=30)},
        actor=SETUP,
        agency=work.agency,
    )
    db.session.commit()
    return indicator.id


def _webhook(side: dict[str, str]) -> int:
    """An endpoint registered by the system (a public address: no receiver is called by these requests)."""
    endpoint, _ = create_endpoint({"url": "https://93.184.215.14/hook", "events": ["reminder.sent"]}, actor=SETUP)
    db.session.commit()
    return endpoint.id


def _webhook_delivery(side: dict[str, str]) -> int:
    """A delivery whose attempts failed, so that it may be replayed."""
    endpoint, _ = create_endpoint({"url": "https://93.184.215.14/hook", "events": ["reminder.sent"]}, actor=SETUP)
    delivery = send_test_event(endpoint, actor=SETUP)
    delivery.status = DeliveryStatus.given_up  # the test's setup, as the deliverer would leave it
    db.session.commit()
    return delivery.id


def _export_job(side: dict[str, str]) -> int:
    """issue 14: an export the side's office asked for, made and stored, as the worker leaves it."""
    from coordination.db import utcnow
    from coordination.jobs.models import ExportJob, JobStatus
    from coordination.jobs.queue import export_store
    from tests.conftest import get_user

    blob = export_store().put(io.BytesIO(b"STT;Van ban\n1;2157\n"), max_size=1000)
    now = utcnow()
    job = ExportJob(
        user=get_user({"tn": "office.tayninh", "td": "office.tamdiep"}[side["province"]]),
        arguments={"directive": directive(side["ref"]).id},
        format="csv",
        status=JobStatus.done,
        progress_done=2,
        progress_total=2,
        file_key=blob.sha256,
        file_name="bao-cao.csv",
        file_size=blob.size,
        created_at=now,
        finished_at=now,
        expires_at=now + timedelta(days=1),
    )
    db.session.add(job)
    db.session.commit()
    return job.id


def _import_body(side: dict[str, str]) -> dict[str, Any]:
    return {**_create_body(side), "number": "903"}


def _onboarding_file(kind: str) -> dict[str, Any]:
    """A one-row onboarding workbook, posted as a dry run."""
    from tests.onboarding import files
    from tests.onboarding.support import multipart

    agencies = [["HB-UBND", "Ủy ban nhân dân tỉnh Hòa Bình", "", "", "", "", "", "", ""]]
    users = [["vp.hb", "Nguyễn Văn An", "an@hb.gov.vn", "TN-STP", "Cán bộ", ""]]
    content = files.workbook(agencies if kind != "users" else None, users if kind != "agencies" else None)
    return multipart(content, "tinh.xlsx", dry_run="true")


ACTIONS: dict[str, Action] = {
    "create directive": Action(
        "POST /api/v1/directives",
        lambda side: None,
        lambda client, _, side: client.post("/api/v1/directives", json=_create_body(side)),
    ),
    "list agencies": Action(
        "GET /api/v1/agencies", lambda side: None, lambda client, _, side: client.get("/api/v1/agencies"), False
    ),
    "list directives": Action(
        "GET /api/v1/directives", lambda side: None, lambda client, _, side: client.get("/api/v1/directives"), False
    ),
    "read directive": Action(
        "GET /api/v1/directives/{directive_id}",
        lambda side: directive(side["ref"]).id,
        lambda client, d, side: client.get(f"/api/v1/directives/{d}"),
        audited=False,
    ),
    "patch directive": Action(
        "PATCH /api/v1/directives/{directive_id}",
        lambda side: directive(side["ref"]).id,
        lambda client, d, side: client.patch(f"/api/v1/directives/{d}", json={"subject": "Trích yếu mới"}),
    ),
    "activate directive": Action(
        "POST /api/v1/directives/{directive_id}/activate",
        _draft,
        lambda client, d, side: client.post(f"/api/v1/directives/{d}/activate"),
    ),
    "close directive": Action(
        "POST /api/v1/directives/{directive_id}/close",
        lambda side: directive(side["ref"]).id,
        lambda client, d, side: client.post(f"/api/v1/directives/{d}/close"),
    ),
    "parse directive text": Action(
        "POST /api/v1/directives/parse",
        lambda side: None,
        lambda client, _, side: client.post("/api/v1/directives/parse", json={"text": "1. Sở Tư pháp rà soát."}),
        audited=False,
    ),
    "import directive": Action(
        "POST /api/v1/directives/import",
        lambda side: None,
        lambda client, _, side: client.post("/api/v1/directives/import", json=_import_body(side)),
    ),
    "add task": Action(
        "POST /api/v1/directives/{directive_id}/tasks",
        lambda side: directive(side["ref"]).id,
        lambda client, d, side: client.post(
            f"/api/v1/directives/{d}/tasks",
            json={"label": "13", "text": "Nhiệm vụ bổ sung.", "assignments": [{"agency": side["free_agency"]}]},
        ),
    ),
    "patch task": Action(
        "PATCH /api/v1/tasks/{task_id}",
        lambda side: _work(side).task_id,
        lambda client, t, side: client.patch(f"/api/v1/tasks/{t}", json={"text": "Nội dung sửa."}),
    ),
    "add assignments": Action(
        "POST /api/v1/tasks/{task_id}/assignments",
        lambda side: _work(side).task_id,
        lambda client, t, side: client.post(
            f"/api/v1/tasks/{t}/assignments", json={"assignments": [{"agency": side["free_agency"]}]}
        ),
    ),
    "list assignments": Action(
        "GET /api/v1/assignments", lambda side: None, lambda client, _, side: client.get("/api/v1/assignments"), False
    ),
    "read assignment": Action(
        "GET /api/v1/assignments/{assignment_id}",
        lambda side: _work(side).id,
        lambda client, a, side: client.get(f"/api/v1/assignments/{a}"),
        audited=False,
    ),
    "remove assignment": Action(
        "DELETE /api/v1/assignments/{assignment_id}",
        lambda side: _work(side).id,
        lambda client, a, side: client.delete(f"/api/v1/assignments/{a}", json={"reason": "Giao lại."}),
    ),
    "report progress": Action("POST /api/v1/assignments/{assignment_id}/updates", _work, _update),
    "upload evidence": Action(
        "POST /api/v1/assignments/{assignment_id}/evidence",
        lambda side: _work(side).id,
        lambda client, a, side: upload(client, a, (PDF, "tien-do.pdf")),
    ),
    "download evidence": Action(
        "GET /api/v1/evidence/{evidence_id}",
        _evidence,
        lambda client, e, side: client.get(f"/api/v1/evidence/{e}"),
        audited=False,
    ),
    "remove evidence": Action(
        "DELETE /api/v1/evidence/{evidence_id}",
        _evidence,
        lambda client, e, side: client.delete(f"/api/v1/evidence/{e}", json={"reason": "Nhầm tệp."}),
    ),
    "request extension": Action(
        "POST /api/v1/assignments/{assignment_id}/extension-requests",
        lambda side: _work(side),
        lambda client, a, side: client.post(
            f"/api/v1/assignments/{a.id}/extension-requests",
            json={"requested_deadline": (a.deadline + timedelta(days=10)).isoformat(), "reason": "Thiếu người."},
        ),
    ),
    "decide extension": Action(
        "POST /api/v1/extension-requests/{request_id}/decision",
        _extension,
        lambda client, r, side: client.post(
            f"/api/v1/extension-requests/{r}/decision", json={"decision": "approve", "note": "Đồng ý."}
        ),
    ),
    "review": Action(
        "POST /api/v1/assignments/{assignment_id}/review",
        lambda side: reported_done(_work(side)).id,
        lambda client, a, side: client.post(f"/api/v1/assignments/{a}/review", json={"decision": "accept"}),
    ),
    # issue 15: the agency's head names who handles its work (justice.tayninh and bacson.tamdiep are heads)
    "assign handlers": Action(
        "PUT /api/v1/assignments/{assignment_id}/handlers",
        lambda side: _work(side).id,
        lambda client, a, side: client.open(
            f"/api/v1/assignments/{a}/handlers",
            method="PUT",
            json={"handlers": [side["officer_user"]], "note": "Giao xử lý."},
        ),
    ),
    "read history": Action(
        "GET /api/v1/assignments/{assignment_id}/history",
        lambda side: _work(side).id,
        lambda client, a, side: client.get(f"/api/v1/assignments/{a}/history"),
        audited=False,
    ),
    "send reminder": Action(
        "POST /api/v1/reminders",
        lambda side: _overdue(side).id,
        lambda client, a, side: client.post("/api/v1/reminders", json={"assignment_ids": [a]}),
    ),
    "request explanation": Action(
        "POST /api/v1/assignments/{assignment_id}/explanation-requests",
        lambda side: _overdue(side).id,
        lambda client, a, side: client.post(
            f"/api/v1/assignments/{a}/explanation-requests",
            json={"question": "Vì sao chậm?", "due_on": (today() + timedelta(days=3)).isoformat()},
        ),
    ),
    "answer explanation": Action(
        "POST /api/v1/explanation-requests/{request_id}/answer",
        _explanation,
        lambda client, r, side: client.post(
            f"/api/v1/explanation-requests/{r}/answer", json={"answer": "Thiếu nhân lực; xong trong tuần."}
        ),
    ),
    # issue 11: the queue of decisions, and marking an answered explanation read
    "read queue": Action(
        "GET /api/v1/queue",
        lambda side: None,
        lambda client, _, side: client.get("/api/v1/queue?kind=review"),
        audited=False,
    ),
    "read explanation answer": Action(
        "POST /api/v1/explanation-requests/{request_id}/read",
        _answered_explanation,
        lambda client, r, side: client.post(f"/api/v1/explanation-requests/{r}/read"),
    ),
    "list indicators": Action(
        "GET /api/v1/indicators", lambda side: None, lambda client, _, side: client.get("/api/v1/indicators"), False
    ),
    "read indicator": Action(
        "GET /api/v1/indicators/{indicator_id}",
        _indicator,
        lambda client, i, side: client.get(f"/api/v1/indicators/{i}"),
        audited=False,
    ),
    "record measurement": Action(
        "POST /api/v1/indicators/{indicator_id}/measurements",
        _indicator,
        lambda client, i, side: client.post(
            f"/api/v1/indicators/{i}/measurements", json={"measured_on": today().isoformat(), "value": 120}
        ),
    ),
    "dashboard": Action(
        "GET /api/v1/dashboard", lambda side: None, lambda client, _, side: client.get("/api/v1/dashboard"), False
    ),
    # issue 15: generating a report is recorded in the history (and raises the report.generated webhook)
    "compliance report": Action(
        "GET /api/v1/reports/compliance",
        lambda side: directive(side["ref"]).id,
        lambda client, d, side: client.get(f"/api/v1/reports/compliance?directive={d}"),
        audited=False,
        changes=("audit",),
    ),
    # issue 14: an export made by the worker is its requester's and the admins' only
    "read export job": Action(
        "GET /api/v1/jobs/{job_id}",
        _export_job,
        lambda client, j, side: client.get(f"/api/v1/jobs/{j}"),
        audited=False,
    ),
    "download export job": Action(
        "GET /api/v1/jobs/{job_id}/file",
        _export_job,
        lambda client, j, side: client.get(f"/api/v1/jobs/{j}/file"),
        audited=False,
    ),
    "merge agency": Action(
        "POST /api/v1/agencies/{code}/merge",
        lambda side: side["merge"],
        lambda client, m, side: client.post(f"/api/v1/agencies/{m[0]}/merge", json={"successor": m[1]}),
    ),
    "rename agency": Action(
        "POST /api/v1/agencies/{code}/rename",
        lambda side: side["rename"],
        lambda client, code, side: client.post(f"/api/v1/agencies/{code}/rename", json={"name_vi": "Tên mới"}),
    ),
    # issue 15: a dry run (nothing written) of each onboarding import
    "onboarding agencies": Action(
        "POST /api/v1/onboarding/agencies",
        lambda side: None,
        lambda client, _, side: client.post("/api/v1/onboarding/agencies", **_onboarding_file("agencies")),
        audited=False,
    ),
    "onboarding users": Action(
        "POST /api/v1/onboarding/users",
        lambda side: None,
        lambda client, _, side: client.post("/api/v1/onboarding/users", **_onboarding_file("users")),
        audited=False,
    ),
    "onboarding workbook": Action(
        "POST /api/v1/onboarding/import",
        lambda side: None,
        lambda client, _, side: client.post("/api/v1/onboarding/import", **_onboarding_file("both")),
        audited=False,
    ),
    "who am I": Action("GET /api/v1/me", lambda side: None, lambda client, _, side: client.get("/api/v1/me"), False),
    "read notices": Action(
        "GET /api/v1/notifications",
        lambda side: None,
        lambda client, _, side: client.get("/api/v1/notifications"),
        audited=False,
    ),
    # One's own inbox: marking it read is not an audited change.
    "mark notices read": Action(
        "POST /api/v1/notifications/read",
        lambda side: None,
        lambda client, _, side: client.post("/api/v1/notifications/read", json={"all": True}),
        audited=False,
    ),
    # issue 15: webhooks, administrators only
    "list webhooks": Action(
        "GET /api/v1/webhooks/endpoints",
        lambda side: None,
        lambda client, _, side: client.get("/api/v1/webhooks/endpoints"),
        audited=False,
    ),
    "register webhook": Action(
        "POST /api/v1/webhooks/endpoints",
        lambda side: None,
        lambda client, _, side: client.post(
            "/api/v1/webhooks/endpoints", json={"url": "https://93.184.215.14/e-office", "events": ["reminder.sent"]}
        ),
    ),
    "read webhook": Action(
        "GET /api/v1/webhooks/endpoints/{endpoint_id}",
        _webhook,
        lambda client, e, side: client.get(f"/api/v1/webhooks/endpoints/{e}"),
        audited=False,
    ),
    "patch webhook": Action(
        "PATCH /api/v1/webhooks/endpoints/{endpoint_id}",
        _webhook,
        lambda client, e, side: client.patch(f"/api/v1/webhooks/endpoints/{e}", json={"description": "E-office"}),
    ),
    "delete webhook": Action(
        "DELETE /api/v1/webhooks/endpoints/{endpoint_id}",
        _webhook,
        lambda client, e, side: client.delete(f"/api/v1/webhooks/endpoints/{e}"),
    ),
    "send test webhook": Action(
        "POST /api/v1/webhooks/endpoints/{endpoint_id}/test",
        _webhook,
        lambda client, e, side: client.post(f"/api/v1/webhooks/endpoints/{e}/test"),
    ),
    "list webhook deliveries": Action(
        "GET /api/v1/webhooks/deliveries",
        lambda side: None,
        lambda client, _, side: client.get("/api/v1/webhooks/deliveries?status=failed"),
        audited=False,
    ),
    "read webhook delivery": Action(
        "GET /api/v1/webhooks/deliveries/{delivery_id}",
        _webhook_delivery,
        lambda client, d, side: client.get(f"/api/v1/webhooks/deliveries/{d}"),
        audited=False,
    ),
    "replay webhook delivery": Action(
        "POST /api/v1/webhooks/deliveries/{delivery_id}/replay",
        _webhook_delivery,
        lambda client, d, side: client.post(f"/api/v1/webhooks/deliveries/{d}/replay"),
    ),
    "revoke own token": Action(
        "DELETE /api/v1/tokens/current",
        lambda side: None,
        lambda client, _, side: client.delete("/api/v1/tokens/current"),
        audited=False,
        changes=("revoked_token",),
    ),
}

#: routes that answer without a token, or document the API: not actions on anything
PUBLIC_ROUTES = {
    "POST /api/v1/tokens",
    "GET /api/v1/openapi.json",
    "GET /api/v1/docs",
    "GET /api/v1/docs/static/{filename}",
}

# fmt: off
#: action -> side -> the status for each of USERS
#   admin, off.tn, mon.tn, jus.tn, edu.tn, off.td, mon.td, bac.td
EXPECTED: dict[str, dict[str, tuple[int, ...]]] = {
    # An admin has no agency to issue as: it must be named (422); monitors and officers may not register.
    "create directive":  {"tn": (422, 201, 403, 403, 403, 201, 403, 403),
                          "td": (422, 201, 403, 403, 403, 201, 403, 403)},
    "patch directive":   {"tn": (200, 200, 403, 403, 403, 404, 404, 404),
                          "td": (200, 404, 404, 404, 404, 200, 403, 403)},
    # A draft is seen by its office only.
    "activate directive": {"tn": (200, 200, 404, 404, 404, 404, 404, 404),
                           "td": (200, 404, 404, 404, 404, 200, 404, 404)},
    "close directive":   {"tn": (200, 200, 403, 403, 403, 404, 404, 404),
                          "td": (200, 404, 404, 404, 404, 200, 403, 403)},
    "add task":          {"tn": (201, 201, 403, 403, 403, 404, 404, 404),
                          "td": (201, 404, 404, 404, 404, 201, 403, 403)},
    "patch task":        {"tn": (200, 200, 403, 403, 403, 404, 404, 404),
                          "td": (200, 404, 404, 404, 404, 200, 403, 403)},
    "add assignments":   {"tn": (201, 201, 403, 403, 403, 404, 404, 404),
                          "td": (201, 404, 404, 404, 404, 201, 403, 403)},
    "remove assignment": {"tn": (204, 204, 403, 403, 403, 404, 404, 404),
                          "td": (204, 404, 404, 404, 404, 204, 403, 403)},
    # Work is the owning agency's: not the office's, not the monitor's, not another agency's.
    "report progress":   {"tn": (201, 403, 403, 201, 403, 404, 404, 404),
                          "td": (201, 404, 404, 404, 404, 403, 403, 201)},
    "upload evidence":   {"tn": (201, 403, 403, 201, 403, 404, 404, 404),
                          "td": (201, 404, 404, 404, 404, 403, 403, 201)},
    # Files may hold personal data: the owning agency, the monitor and the office only.
    "download evidence": {"tn": (200, 200, 200, 200, 403, 404, 404, 404),
                          "td": (200, 404, 404, 404, 404, 200, 200, 200)},
    "remove evidence":   {"tn": (204, 403, 403, 204, 403, 404, 404, 404),
                          "td": (204, 404, 404, 404, 404, 403, 403, 204)},
    "request extension": {"tn": (201, 403, 403, 201, 403, 404, 404, 404),
                          "td": (201, 404, 404, 404, 404, 403, 403, 201)},
    # Decisions are the monitor's or the issuing office's.
    "decide extension":  {"tn": (200, 200, 200, 403, 403, 404, 404, 404),
                          "td": (200, 404, 404, 404, 404, 200, 200, 403)},
    "review":            {"tn": (201, 201, 201, 403, 403, 404, 404, 404),
                          "td": (201, 404, 404, 404, 404, 201, 201, 403)},
    # Delegation is inside the agency: its head (and admin) only; the monitor and the office deal with the agency.
    "assign handlers":   {"tn": (200, 403, 403, 200, 403, 404, 404, 404),
                          "td": (200, 404, 404, 404, 404, 403, 403, 200)},
    "read history":      {"tn": (200, 200, 200, 200, 403, 404, 404, 404),
                          "td": (200, 404, 404, 404, 404, 200, 200, 200)},
    # The agency directory is public: a refusal is a 403, never a 404.
    "merge agency":      {"tn": (200, 403, 403, 403, 403, 403, 403, 403),
                          "td": (200, 403, 403, 403, 403, 403, 403, 403)},
    "rename agency":     {"tn": (200, 403, 403, 403, 403, 403, 403, 403),
                          "td": (200, 403, 403, 403, 403, 403, 403, 403)},
    # Lists are filtered to what each may see, never refused; the objects follow directive visibility.
    "list agencies":     {"tn": (200,) * 8, "td": (200,) * 8},
    "list directives":   {"tn": (200,) * 8, "td": (200,) * 8},
    "read directive":    {"tn": (200, 200, 200, 200, 200, 404, 404, 404),
                          "td": (200, 404, 404, 404, 404, 200, 200, 200)},
    # Importing is the office's: an admin has no issuer to import as.
    "parse directive text": {"tn": (403, 200, 403, 403, 403, 200, 403, 403),
                             "td": (403, 200, 403, 403, 403, 200, 403, 403)},
    "import directive":  {"tn": (403, 201, 403, 403, 403, 201, 403, 403),
                          "td": (403, 201, 403, 403, 403, 201, 403, 403)},
    "list assignments":  {"tn": (200,) * 8, "td": (200,) * 8},
    "read assignment":   {"tn": (200, 200, 200, 200, 200, 404, 404, 404),
                          "td": (200, 404, 404, 404, 404, 200, 200, 200)},
    # Urging is the monitor's and the issuing office's; officers may not urge at all (403 before any lookup).
    "send reminder":     {"tn": (201, 201, 201, 403, 403, 404, 404, 403),
                          "td": (201, 404, 404, 403, 403, 201, 201, 403)},
    "request explanation": {"tn": (201, 201, 201, 403, 403, 404, 404, 404),
                            "td": (201, 404, 404, 404, 404, 201, 201, 403)},
    # The explanation is the late agency's to give.
    "answer explanation": {"tn": (200, 403, 403, 200, 403, 404, 404, 404),
                           "td": (200, 404, 404, 404, 404, 403, 403, 200)},
    # The queue is the deciders' (an officer decides nothing: 403); an answer is read by the monitor or the office.
    "read queue":        {"tn": (200, 200, 200, 403, 403, 200, 200, 403),
                          "td": (200, 200, 200, 403, 403, 200, 200, 403)},
    "read explanation answer": {"tn": (200, 200, 200, 403, 403, 404, 404, 404),
                                "td": (200, 404, 404, 404, 404, 200, 200, 403)},
    "list indicators":   {"tn": (200,) * 8, "td": (200,) * 8},
    "read indicator":    {"tn": (200, 200, 200, 200, 200, 404, 404, 404),
                          "td": (200, 404, 404, 404, 404, 200, 200, 200)},
    # A target is measured by its agency, the directive's monitor and office.
    "record measurement": {"tn": (201, 201, 201, 201, 403, 404, 404, 404),
                           "td": (201, 404, 404, 404, 404, 201, 201, 201)},
    # The dashboard counts each role's own scope (an officer: its agency's work), so nobody is refused.
    "dashboard":         {"tn": (200,) * 8, "td": (200,) * 8},
    # Reports: the office, monitors and admin; another province's directive is not even named.
    "compliance report": {"tn": (200, 200, 200, 403, 403, 404, 404, 403),
                          "td": (200, 404, 404, 403, 403, 200, 200, 403)},
    "read export job":   {"tn": (200, 200, 403, 403, 403, 403, 403, 403),
                          "td": (200, 403, 403, 403, 403, 200, 403, 403)},
    "download export job": {"tn": (200, 200, 403, 403, 403, 403, 403, 403),
                            "td": (200, 403, 403, 403, 403, 200, 403, 403)},
    # Onboarding is the admin's alone.
    "onboarding agencies": {"tn": (200, 403, 403, 403, 403, 403, 403, 403),
                            "td": (200, 403, 403, 403, 403, 403, 403, 403)},
    "onboarding users":  {"tn": (200, 403, 403, 403, 403, 403, 403, 403),
                          "td": (200, 403, 403, 403, 403, 403, 403, 403)},
    "onboarding workbook": {"tn": (200, 403, 403, 403, 403, 403, 403, 403),
                            "td": (200, 403, 403, 403, 403, 403, 403, 403)},
    # One's own account and inbox.
    "who am I":          {"tn": (200,) * 8, "td": (200,) * 8},
    "read notices":      {"tn": (200,) * 8, "td": (200,) * 8},
    "mark notices read": {"tn": (200,) * 8, "td": (200,) * 8},
    "revoke own token":  {"tn": (204,) * 8, "td": (204,) * 8},
    # Webhooks send the province's events outside: the administrator's alone.
    **{
        action: {side: (status,) + (403,) * 7 for side in ("tn", "td")}
        for action, status in (
            ("list webhooks", 200),
            ("register webhook", 201),
            ("read webhook", 200),
            ("patch webhook", 200),
            ("delete webhook", 204),
            ("send test webhook", 201),
            ("list webhook deliveries", 200),
            ("read webhook delivery", 200),
            ("replay webhook delivery", 200),
        )
    },
}
# fmt: on

CASES = [
    pytest.param(action, side, user, EXPECTED[action][side][i], id=f"{action}-{side}-{user}")
    for action in ACTIONS
    for side in SIDES
    for i, user in enumerate(USERS)
]


def _api_routes(app) -> set[str]:
    """Every "METHOD /api/v1/path/{name}" of the URL map."""
    routes = set()
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/api/v1"):
            path = re.sub(r"<(?:[^:>]+:)?([^>]+)>", r"{\1}", rule.rule)
            routes |= {f"{method} {path}" for method in rule.methods - {"HEAD", "OPTIONS"}}
    return routes


def test_every_api_route_has_a_row(app):
    """A new route fails here until the table says who may call it."""
    assert _api_routes(app) == {a.route for a in ACTIONS.values()} | PUBLIC_ROUTES


def test_the_table_covers_every_action_side_and_user():
    assert set(EXPECTED) == set(ACTIONS)
    assert all(
        set(row) == set(SIDES) and all(len(codes) == len(USERS) for codes in row.values()) for row in EXPECTED.values()
    )


@pytest.mark.parametrize(("action", "side", "username", "status"), CASES)
def test_each_action_for_each_role(api, store_dir, action, side, username, status):
    spec, where = ACTIONS[action], SIDES[side]
    client = api(username)
    target = spec.prepare(where)
    before, stored = fingerprint(), files_in(store_dir)

    response = spec.call(client, target, where)

    if status >= 400:
        body = assert_problem(response, status)
        assert body["detail"]  # a message, not just a code
        assert fingerprint() == before  # nothing changed: rows, versions, audit count
        assert files_in(store_dir) == stored
        return
    assert response.status_code == status, response.get_data(as_text=True)
    response.close()
    after = fingerprint()
    if spec.audited:
        assert after["audit"] > before["audit"]  # every change writes its AuditEvent
        assert after != {**before, "audit": after["audit"]}  # and the change itself is there
    else:
        assert {k: v for k, v in after.items() if k not in spec.changes} == {
            k: v for k, v in before.items() if k not in spec.changes
        }


def test_refusals_say_why(api):
    work = _work(SIDES["tn"])
    body = assert_problem(
        api("education.tayninh").post(
            f"/api/v1/assignments/{work.id}/updates",
            json={"note": "x"},
            headers={"If-Match": etag(api("education.tayninh"), work.id)},
        ),
        403,
    )
    assert body["detail"] == "Bạn không có quyền cập nhật nhiệm vụ này."
    body = assert_problem(api("justice.tayninh").post("/api/v1/agencies/TN-STP/rename", json={"name_vi": "X"}), 403)
    assert body["detail"] == "Chỉ quản trị viên được thay đổi cơ quan, đơn vị."
    body = assert_problem(api("monitor.tayninh").post("/api/v1/directives", json=_create_body(SIDES["tn"])), 403)
    assert body["detail"] == "Bạn không có quyền thực hiện thao tác này."
    body = assert_problem(api("admin").post("/api/v1/directives", json=_create_body(SIDES["tn"])), 422, field="issuer")


def test_the_private_record_is_shown_to_those_allowed_only(api, store_dir):
    work = _work(SIDES["tn"])
    evidence_id = _evidence(SIDES["tn"], work)
    private = {"admin", "office.tayninh", "monitor.tayninh", "justice.tayninh"}
    for username in USERS:
        response = api(username).get(f"/api/v1/assignments/{work.id}")
        if username in {"office.tamdiep", "monitor.tamdiep", "bacson.tamdiep"}:
            assert_problem(response, 404)
            continue
        body = response.get_json()
        assert body["status"] == "in_progress" and body["timeliness"] == "on_time"
        if username in private:
            assert [e["id"] for e in body["evidence"]] == [evidence_id]
            assert body["updates"] and all("note" in u for u in body["updates"])
        else:
            assert body["updates"] is None and body["evidence"] is None and body["extension_requests"] is None


def test_a_closed_directive_says_so_before_permissions(api):
    office = api("office.tayninh")
    work = _work(SIDES["tn"])
    directive_id, task_id = work.task.directive_id, work.task_id
    assert office.post(f"/api/v1/directives/{directive_id}/close").status_code == 200
    before = fingerprint()
    body = assert_problem(office.patch(f"/api/v1/directives/{directive_id}", json={"subject": "x"}), 409)
    assert body["detail"] == "Văn bản đã đóng: không thể sửa."
    assert_problem(office.post(f"/api/v1/tasks/{task_id}", json={"text": "x"}), 405)
    body = assert_problem(office.patch(f"/api/v1/tasks/{task_id}", json={"text": "x"}), 409)
    assert body["detail"] == "Văn bản đã đóng: không thể sửa."
    assert fingerprint() == before


def test_tokens_of_inactive_users_stop_working(api):
    client = api("justice.tayninh")
    from tests.conftest import get_user

    work = _work(SIDES["tn"])
    assert client.get(f"/api/v1/assignments/{work.id}").status_code == 200
    get_user("justice.tayninh").active = False
    db.session.commit()
    assert_problem(client.get(f"/api/v1/assignments/{work.id}"), 401)
