"""The issue 4 endpoints are in the OpenAPI document, with their bodies, If-Match and problem responses."""

from __future__ import annotations

import pytest


@pytest.fixture(scope="module")
def spec(app):  # type: ignore[no-untyped-def]
    response = app.test_client().get("/api/v1/openapi.json")
    assert response.status_code == 200
    return response.get_json()


ENDPOINTS = {
    "/api/v1/directives": {"get", "post"},
    "/api/v1/directives/{directive_id}": {"get", "patch"},
    "/api/v1/directives/{directive_id}/activate": {"post"},
    "/api/v1/directives/{directive_id}/close": {"post"},
    "/api/v1/directives/{directive_id}/tasks": {"post"},
    "/api/v1/tasks/{task_id}": {"patch"},
    "/api/v1/tasks/{task_id}/assignments": {"post"},
    "/api/v1/assignments/{assignment_id}": {"get", "delete"},
    "/api/v1/assignments/{assignment_id}/updates": {"post"},
    "/api/v1/assignments/{assignment_id}/evidence": {"post"},
    "/api/v1/assignments/{assignment_id}/extension-requests": {"post"},
    "/api/v1/assignments/{assignment_id}/review": {"post"},
    "/api/v1/assignments/{assignment_id}/history": {"get"},
    "/api/v1/extension-requests/{request_id}/decision": {"post"},
    "/api/v1/evidence/{evidence_id}": {"get", "delete"},
    "/api/v1/agencies/{code}/merge": {"post"},
    "/api/v1/agencies/{code}/rename": {"post"},
}


@pytest.mark.parametrize(("path", "methods"), ENDPOINTS.items())
def test_each_endpoint_is_documented(spec, path, methods):
    assert set(spec["paths"][path]) >= methods
    for method in methods:
        operation = spec["paths"][path][method]
        assert operation.get("summary"), (path, method)
        if method != "get":
            assert "422" in operation["responses"] or "requestBody" not in operation


def test_the_bodies_are_documented(spec):
    create = spec["paths"]["/api/v1/directives"]["post"]["requestBody"]["content"]["application/json"]["schema"]
    body = spec["components"]["schemas"][create["$ref"].rsplit("/", 1)[-1]]
    assert {"number", "symbol", "issued_on", "subject"} <= set(body["required"])
    assert {"addressees", "monitor_agency", "report_to_agency", "tasks"} <= set(body["properties"])
    upload = spec["paths"]["/api/v1/assignments/{assignment_id}/evidence"]["post"]["requestBody"]["content"]
    assert "multipart/form-data" in upload
    responses = spec["paths"]["/api/v1/assignments/{assignment_id}/evidence"]["post"]["responses"]
    assert {"201", "403", "413", "415"} <= set(responses)


def test_if_match_is_documented(spec):
    update = spec["paths"]["/api/v1/assignments/{assignment_id}/updates"]["post"]
    (if_match,) = [p for p in update["parameters"] if p["name"] == "If-Match"]
    assert if_match["in"] == "header" and if_match["required"] is True
    assert {"201", "409", "428"} <= set(update["responses"])
    assert "ETag" in update["responses"]["201"]["headers"]
