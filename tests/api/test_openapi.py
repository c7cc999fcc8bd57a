"""The OpenAPI document and its docs page, served from local files only."""

from __future__ import annotations

import re

import pytest


@pytest.fixture
def spec(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    return response.get_json()


def test_the_spec_lists_every_endpoint(spec):
    assert spec["openapi"].startswith("3.")
    paths = spec["paths"]
    assert {
        "/api/v1/tokens",
        "/api/v1/tokens/current",
        "/api/v1/me",
        "/api/v1/agencies",
        "/api/v1/directives",
        "/api/v1/directives/{directive_id}",
        "/api/v1/assignments",
        "/api/v1/assignments/{assignment_id}",
    } <= set(paths)
    assert set(paths["/api/v1/tokens"]) == {"post"}
    assert set(paths["/api/v1/tokens/current"]) == {"delete"}


def test_bearer_auth_is_documented(spec):
    assert spec["components"]["securitySchemes"]["bearerAuth"] == {
        "type": "http",
        "scheme": "bearer",
        "description": spec["components"]["securitySchemes"]["bearerAuth"]["description"],
    }
    assert spec["security"] == [{"bearerAuth": []}]
    assert spec["paths"]["/api/v1/tokens"]["post"]["security"] == []


def test_the_filters_are_documented(spec):
    parameters = {p["name"]: p for p in spec["paths"]["/api/v1/assignments"]["get"]["parameters"]}
    assert {
        "agency",
        "directive",
        "status",
        "open",
        "timeliness",
        "due_before",
        "due_after",
        "page_size",
        "page_token",
    } <= set(parameters)
    assert parameters["timeliness"]["schema"]["enum"] == [
        "on_time",
        "due_soon",
        "overdue",
        "done_on_time",
        "done_late",
        "no_deadline",
    ]
    assert parameters["page_size"]["schema"]["maximum"] == 500


def test_errors_are_documented_as_problem_documents(spec):
    problem = spec["components"]["schemas"]["Problem"]
    assert {"type", "title", "status", "detail", "errors"} <= set(problem["properties"])
    ref = spec["paths"]["/api/v1/assignments"]["get"]["responses"]["422"]["$ref"]
    response = spec["components"]["responses"][ref.rsplit("/", 1)[-1]]
    assert response["content"] == {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}
    default = spec["components"]["responses"]["DEFAULT_ERROR"]
    assert "application/problem+json" in default["content"]


def test_the_docs_page_uses_no_external_host(client):
    response = client.get("/api/v1/docs")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "swagger-ui-bundle.js" in html
    assert not re.search(r"(https?:)?//[a-z0-9.-]+\.[a-z]{2,}", html, re.IGNORECASE), html
    for src in re.findall(r'(?:src|href)="([^"]+)"', html):
        # Swagger UI's files, or the app's own (its init script, the favicon)
        assert src.startswith(("/api/v1/docs/static/", "/static/")), src
    assert "/api/v1/openapi.json" in html
    # Swagger UI must not send the spec to validator.swagger.io (the options sit in an escaped attribute).
    assert "&#34;validatorUrl&#34;: null" in html


@pytest.mark.parametrize(
    ("name", "mimetype"),
    [
        ("swagger-ui-bundle.js", "text/javascript"),
        ("swagger-ui-standalone-preset.js", "text/javascript"),
        ("swagger-ui.css", "text/css"),
    ],
)
def test_the_docs_files_are_served_locally(client, name, mimetype):
    response = client.get(f"/api/v1/docs/static/{name}")
    assert response.status_code == 200
    assert response.mimetype == mimetype
    assert len(response.get_data()) > 1000
    response.close()


@pytest.mark.parametrize("name", ["../__init__.py", "nope.js", "%2e%2e/%2e%2e/etc/passwd"])
def test_the_docs_files_stay_in_their_folder(client, name):
    assert client.get(f"/api/v1/docs/static/{name}").status_code == 404
