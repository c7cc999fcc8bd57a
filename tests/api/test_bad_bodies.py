"""Malformed bodies and wrong types on every change endpoint: a 4xx problem naming the field, never a 500,
and nothing changed."""

from __future__ import annotations

import io
import json
from datetime import timedelta
from typing import Any

import pytest

from coordination.assignments.operations import request_extension
from coordination.assignments.states import Status
from coordination.db import today
from coordination.evidence.operations import add_evidence
from coordination.extensions import db
from tests.conftest import SETUP, directive
from tests.factories import make_assignment
from tests.support.api import assert_problem
from tests.support.workflow import PDF, TAM_DIEP, etag, fingerprint

FUTURE = (today() + timedelta(days=60)).isoformat()


def _task(**extra: Any) -> dict[str, Any]:
    return {"label": "1", "text": "Nhiệm vụ.", "assignments": [{"agency": "TN-STP"}], **extra}


def _directive(**extra: Any) -> dict[str, Any]:
    body = {
        "number": "555",
        "symbol": "UBND-VX",
        "issued_on": "2026-01-05",
        "subject": "Thử dữ liệu sai",
        "tasks": [_task()],
    }
    body.update(extra)
    return {k: v for k, v in body.items() if v is not ...}


def _nested(depth: int) -> dict[str, Any]:
    task = _task()
    for _ in range(depth):
        task = _task(subtasks=[task])
    return task


#: (who, method, url, body, status, field); a body that is a str is sent as it is, as JSON
CASES: list[tuple[str, str, str, Any, int, str]] = [
    # POST /directives
    ("office.tayninh", "POST", "/api/v1/directives", {}, 422, "number"),
    ("office.tayninh", "POST", "/api/v1/directives", _directive(number=2157), 422, "number"),
    ("office.tayninh", "POST", "/api/v1/directives", _directive(number="x" * 21), 422, "number"),
    ("office.tayninh", "POST", "/api/v1/directives", _directive(symbol="   "), 422, "symbol"),
    ("office.tayninh", "POST", "/api/v1/directives", _directive(issued_on="14/08/2022"), 422, "issued_on"),
    ("office.tayninh", "POST", "/api/v1/directives", _directive(issued_on="2022-02-30"), 422, "issued_on"),
    ("office.tayninh", "POST", "/api/v1/directives", _directive(issued_on=...), 422, "issued_on"),
    ("office.tayninh", "POST", "/api/v1/directives", _directive(subject=None), 422, "subject"),
    ("office.tayninh", "POST", "/api/v1/directives", _directive(subject="a\u0000b"), 422, "subject"),
    ("office.tayninh", "POST", "/api/v1/directives", _directive(doc_type="cong van"), 422, "doc_type"),
    ("office.tayninh", "POST", "/api/v1/directives", _directive(legal_basis="Luật"), 422, "legal_basis"),
    ("office.tayninh", "POST", "/api/v1/directives", _directive(signer="Võ Đức Trọng"), 422, "signer"),
    ("office.tayninh", "POST", "/api/v1/directives", _directive(addressees=[1]), 422, "addressees.0"),
    ("office.tayninh", "POST", "/api/v1/directives", _directive(deadline=True), 422, "deadline"),
    ("office.tayninh", "POST", "/api/v1/directives", _directive(tasks="1. Làm"), 422, "tasks"),
    ("office.tayninh", "POST", "/api/v1/directives", _directive(tasks=[{"text": "x"}]), 422, "tasks.0.label"),
    ("office.tayninh", "POST", "/api/v1/directives", _directive(tasks=[_task(label="")]), 422, "tasks.0.label"),
    (
        "office.tayninh",
        "POST",
        "/api/v1/directives",
        _directive(tasks=[_task(deadline="mai")]),
        422,
        "tasks.0.deadline",
    ),
    (
        "office.tayninh",
        "POST",
        "/api/v1/directives",
        _directive(tasks=[_task(recurrence="daily")]),
        422,
        "tasks.0.recurrence",
    ),
    (
        "office.tayninh",
        "POST",
        "/api/v1/directives",
        _directive(tasks=[_task(recurrence_day=40)]),
        422,
        "tasks.0.recurrence_day",
    ),
    (
        "office.tayninh",
        "POST",
        "/api/v1/directives",
        _directive(tasks=[_task(recurrence="weekly", recurrence_day=9)]),
        422,
        "tasks.0.recurrence_day",
    ),
    (
        "office.tayninh",
        "POST",
        "/api/v1/directives",
        _directive(tasks=[_task(assignments=[{"agency": "TN-STP", "group": "Các sở, ban, ngành tỉnh"}])]),
        422,
        "tasks.0.assignments.0.agency",
    ),
    (
        "office.tayninh",
        "POST",
        "/api/v1/directives",
        _directive(tasks=[_task(assignments=[{}])]),
        422,
        "tasks.0.assignments.0.agency",
    ),
    (
        "office.tayninh",
        "POST",
        "/api/v1/directives",
        _directive(tasks=[_task(assignments=[{"agency": "TN-STP", "role": "boss"}])]),
        422,
        "tasks.0.assignments.0.role",
    ),
    (
        "office.tayninh",
        "POST",
        "/api/v1/directives",
        _directive(tasks=[_nested(3)]),
        422,
        "tasks.0.subtasks.0.subtasks.0.subtasks",
    ),
    ("office.tayninh", "POST", "/api/v1/directives", _directive(status="active"), 422, "status"),
    ("office.tayninh", "POST", "/api/v1/directives", "[1, 2]", 422, "body"),
    ("office.tayninh", "POST", "/api/v1/directives", '{"number": ', 400, "body"),
    ("office.tayninh", "POST", "/api/v1/directives", "[" * 100_000, 400, "body"),
    ("office.tayninh", "POST", "/api/v1/directives", '{"tasks": ' + "[" * 50_000 + "]" * 50_000 + "}", 400, "body"),
    # unknown codes and groups, named by the field that holds them; a duplicate number
    ("office.tayninh", "POST", "/api/v1/directives", _directive(monitor_agency="NOPE"), 422, "monitor_agency"),
    ("office.tayninh", "POST", "/api/v1/directives", _directive(report_to_agency="NOPE"), 422, "report_to_agency"),
    ("office.tayninh", "POST", "/api/v1/directives", _directive(addressees=["Các bộ, ngành"]), 422, "addressees"),
    (
        "office.tayninh",
        "POST",
        "/api/v1/directives",
        _directive(tasks=[_task(assignments=[{"agency": "NOPE"}])]),
        422,
        "assignments",
    ),
    (
        "office.tayninh",
        "POST",
        "/api/v1/directives",
        _directive(tasks=[_task(assignments=[{"group": "Các bộ, ngành"}])]),
        422,
        "assignments",
    ),
    (
        "office.tayninh",
        "POST",
        "/api/v1/directives",
        _directive(tasks=[_task(assignments=[{"all_addressees": True}])]),
        422,
        "assignments",
    ),
    ("office.tayninh", "POST", "/api/v1/directives", _directive(number="2157", symbol="UBND-KSTT"), 409, "number"),
    # PATCH /directives/{id}
    ("office.tayninh", "PATCH", "/api/v1/directives/{directive}", {"issued_on": None}, 422, "issued_on"),
    ("office.tayninh", "PATCH", "/api/v1/directives/{directive}", {"number": ""}, 422, "number"),
    ("office.tayninh", "PATCH", "/api/v1/directives/{directive}", {"status": "closed"}, 422, "status"),
    ("office.tayninh", "PATCH", "/api/v1/directives/{directive}", {"monitor_agency": "NOPE"}, 422, "monitor_agency"),
    ("office.tayninh", "PATCH", "/api/v1/directives/{directive}", {"subject": 5}, 422, "subject"),
    ("office.tayninh", "PATCH", "/api/v1/directives/{directive}", {"number": "570", "symbol": "UBND-CA"}, 200, ""),
    # POST /directives/{id}/tasks, PATCH /tasks/{id}, POST /tasks/{id}/assignments
    ("office.tayninh", "POST", "/api/v1/directives/{directive}/tasks", {}, 422, "label"),
    ("office.tayninh", "POST", "/api/v1/directives/{directive}/tasks", _task(parent_id="a"), 422, "parent_id"),
    ("office.tayninh", "POST", "/api/v1/directives/{directive}/tasks", _task(parent_id=999999), 422, "parent_id"),
    ("office.tayninh", "POST", "/api/v1/directives/{directive}/tasks", _task(parent_id=0), 422, "parent_id"),
    ("admin", "POST", "/api/v1/directives/{directive}/tasks", _task(parent_id="{other_task}"), 422, "parent_id"),
    ("office.tayninh", "PATCH", "/api/v1/tasks/{task}", {"deadline": "soon"}, 422, "deadline"),
    ("office.tayninh", "PATCH", "/api/v1/tasks/{task}", {"label": ""}, 422, "label"),
    ("office.tayninh", "PATCH", "/api/v1/tasks/{task}", {"text": ["a"]}, 422, "text"),
    ("office.tayninh", "POST", "/api/v1/tasks/{task}/assignments", {}, 422, "assignments"),
    ("office.tayninh", "POST", "/api/v1/tasks/{task}/assignments", {"assignments": []}, 422, "assignments"),
    (
        "office.tayninh",
        "POST",
        "/api/v1/tasks/{task}/assignments",
        {"assignments": {"agency": "X"}},
        422,
        "assignments",
    ),
    (
        "office.tayninh",
        "POST",
        "/api/v1/tasks/{task}/assignments",
        {"assignments": [{"agency": "NOPE"}]},
        422,
        "assignments",
    ),
    # DELETE /assignments/{id}
    ("office.tayninh", "DELETE", "/api/v1/assignments/{work}", {"reason": 5}, 422, "reason"),
    ("office.tayninh", "DELETE", "/api/v1/assignments/{work}", {}, 422, "reason"),  # it has been worked on
    # POST /assignments/{id}/updates
    (
        "justice.tayninh",
        "POST",
        "/api/v1/assignments/{work}/updates",
        {"progress_percent": "50"},
        422,
        "progress_percent",
    ),
    (
        "justice.tayninh",
        "POST",
        "/api/v1/assignments/{work}/updates",
        {"progress_percent": 101},
        422,
        "progress_percent",
    ),
    (
        "justice.tayninh",
        "POST",
        "/api/v1/assignments/{work}/updates",
        {"progress_percent": -1},
        422,
        "progress_percent",
    ),
    (
        "justice.tayninh",
        "POST",
        "/api/v1/assignments/{work}/updates",
        {"progress_percent": True},
        422,
        "progress_percent",
    ),
    (
        "justice.tayninh",
        "POST",
        "/api/v1/assignments/{work}/updates",
        {"progress_percent": 50.5},
        422,
        "progress_percent",
    ),
    (
        "justice.tayninh",
        "POST",
        "/api/v1/assignments/{work}/updates",
        {"progress_percent": 10**30},
        422,
        "progress_percent",
    ),
    ("justice.tayninh", "POST", "/api/v1/assignments/{work}/updates", {"note": 5}, 422, "note"),
    ("justice.tayninh", "POST", "/api/v1/assignments/{work}/updates", {"note": None}, 422, "note"),
    ("justice.tayninh", "POST", "/api/v1/assignments/{work}/updates", {"note": "x" * 20_001}, 422, "note"),
    ("justice.tayninh", "POST", "/api/v1/assignments/{work}/updates", {"status": 1}, 422, "status"),
    ("justice.tayninh", "POST", "/api/v1/assignments/{work}/updates", {"percent": 5}, 422, "percent"),
    ("justice.tayninh", "POST", "/api/v1/assignments/{work}/updates", {}, 422, "note"),  # nothing to report
    ("justice.tayninh", "POST", "/api/v1/assignments/{work}/updates", "null", 422, "body"),
    ("justice.tayninh", "POST", "/api/v1/assignments/{work}/updates", "not json", 400, "body"),
    # extension requests and decisions
    (
        "justice.tayninh",
        "POST",
        "/api/v1/assignments/{work}/extension-requests",
        {"requested_deadline": "tomorrow", "reason": "x"},
        422,
        "requested_deadline",
    ),
    (
        "justice.tayninh",
        "POST",
        "/api/v1/assignments/{work}/extension-requests",
        {"reason": "x"},
        422,
        "requested_deadline",
    ),
    (
        "justice.tayninh",
        "POST",
        "/api/v1/assignments/{work}/extension-requests",
        {"requested_deadline": "2020-01-01", "reason": "x"},
        422,
        "requested_deadline",
    ),
    (
        "justice.tayninh",
        "POST",
        "/api/v1/assignments/{work}/extension-requests",
        {"requested_deadline": FUTURE},
        422,
        "reason",
    ),
    (
        "justice.tayninh",
        "POST",
        "/api/v1/assignments/{work}/extension-requests",
        {"requested_deadline": FUTURE, "reason": "   "},
        422,
        "reason",
    ),
    (
        "monitor.tayninh",
        "POST",
        "/api/v1/extension-requests/{extension}/decision",
        {"decision": "maybe"},
        422,
        "decision",
    ),
    ("monitor.tayninh", "POST", "/api/v1/extension-requests/{extension}/decision", {}, 422, "decision"),
    ("monitor.tayninh", "POST", "/api/v1/extension-requests/{extension}/decision", {"decision": "reject"}, 422, "note"),
    # review
    ("monitor.tayninh", "POST", "/api/v1/assignments/{work}/review", {"decision": "ok"}, 422, "decision"),
    ("monitor.tayninh", "POST", "/api/v1/assignments/{work}/review", {"decision": ["accept"]}, 422, "decision"),
    ("monitor.tayninh", "POST", "/api/v1/assignments/{work}/review", {}, 422, "decision"),
    # evidence
    ("justice.tayninh", "DELETE", "/api/v1/evidence/{evidence}", {"reason": []}, 422, "reason"),
    # agencies
    ("admin", "POST", "/api/v1/agencies/TN-STP/merge", {}, 422, "successor"),
    ("admin", "POST", "/api/v1/agencies/TN-STP/merge", {"successor": 5}, 422, "successor"),
    ("admin", "POST", "/api/v1/agencies/TN-STP/merge", {"successor": "TN-STP"}, 422, "successor"),
    ("admin", "POST", "/api/v1/agencies/TN-STP/rename", {"name_vi": ""}, 422, "name_vi"),
    ("admin", "POST", "/api/v1/agencies/TN-STP/rename", {"name_vi": "Sở", "name_en": None}, 422, "name_en"),
    ("admin", "POST", "/api/v1/agencies/TN-STP/rename", {"name_vi": "x" * 256}, 422, "name_vi"),
    # lists
    ("justice.tayninh", "GET", "/api/v1/assignments/{work}/history?page_size=0", None, 422, "page_size"),
    ("justice.tayninh", "GET", "/api/v1/assignments/{work}/history?page_token=garbage!", None, 422, "page_token"),
]


@pytest.fixture
def targets(app, store_dir) -> dict[str, int]:
    work = make_assignment("TN-STP", officer="justice.tayninh", status=Status.in_progress, deadline_in_days=20)
    extension = request_extension(work, work.deadline + timedelta(days=10), "Thiếu người.", actor=SETUP)
    evidence = add_evidence(work, io.BytesIO(PDF), "a.pdf", actor=SETUP)
    db.session.commit()
    return {
        "directive": work.task.directive_id,
        "task": work.task_id,
        "work": work.id,
        "extension": extension.id,
        "evidence": evidence.id,
        "other_task": directive(TAM_DIEP).tasks[0].id,
    }


@pytest.mark.parametrize(
    ("who", "method", "url", "body", "status", "field"),
    CASES,
    ids=[f"{i:02d}-{c[1]}-{c[2].split('/api/v1/')[1]}-{c[5]}" for i, c in enumerate(CASES)],
)
def test_bad_input_is_a_problem_naming_the_field(api, targets, who, method, url, body, status, field):
    client = api(who)
    url = url.format(**targets)
    headers = {"If-Match": etag(client, targets["work"])} if url.endswith("/updates") else {}
    if isinstance(body, dict):
        body = json.loads(json.dumps(body).replace('"{other_task}"', str(targets["other_task"])))
    before = fingerprint()
    if body is None:
        response = client.open(url, method=method, headers=headers)
    elif isinstance(body, str):
        response = client.open(url, method=method, headers=headers, data=body, content_type="application/json")
    else:
        response = client.open(url, method=method, headers=headers, json=body)
    if status < 400:
        assert response.status_code == status, response.get_data(as_text=True)  # same ref, another issuer: allowed
        return
    problem = assert_problem(response, status, field=field)
    if status == 422 and set(problem["errors"]) <= {field}:
        assert field in problem["detail"] or problem["detail"] != "Dữ liệu không hợp lệ."
    assert fingerprint() == before


def test_every_wrong_field_is_named_at_once(api):
    body = _directive(number=1, issued_on="hôm qua", tasks="x", foo=1)
    problem = assert_problem(api("office.tayninh").post("/api/v1/directives", json=body), 422)
    assert set(problem["errors"]) == {"number", "issued_on", "tasks", "foo"}
    prefix = "Dữ liệu không hợp lệ: "
    assert problem["detail"].startswith(prefix)
    assert set(problem["detail"].removeprefix(prefix).rstrip(".").split(", ")) == set(problem["errors"])
