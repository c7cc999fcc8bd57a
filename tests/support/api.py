"""API fixtures: a bearer token for a demo user, and a client that sends it."""

from __future__ import annotations

from typing import Any

import pytest
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from tests.conftest import DEMO_PASSWORD


class ApiClient:
    """The test client with `Authorization: Bearer TOKEN` on every request."""

    def __init__(self, client: FlaskClient, token: str) -> None:
        self.client = client
        self.token = token

    def _headers(self, headers: dict[str, str] | None) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}", **(headers or {})}

    def get(self, url: str, *, headers: dict[str, str] | None = None, **kwargs: Any) -> TestResponse:
        return self.client.get(url, headers=self._headers(headers), **kwargs)

    def open(self, url: str, *, method: str, headers: dict[str, str] | None = None, **kwargs: Any) -> TestResponse:
        return self.client.open(url, method=method, headers=self._headers(headers), **kwargs)

    def post(self, url: str, **kwargs: Any) -> TestResponse:
        return self.open(url, method="POST", **kwargs)

    def patch(self, url: str, **kwargs: Any) -> TestResponse:
        return self.open(url, method="PATCH", **kwargs)

    def delete(self, url: str, **kwargs: Any) -> TestResponse:
        return self.open(url, method="DELETE", **kwargs)

    def items(self, url: str, **params: Any) -> list[dict[str, Any]]:
        """Every item of a list, following next_page_token to the end."""
        items: list[dict[str, Any]] = []
        params = {"page_size": 500, **params}
        while True:
            response = self.get(url, query_string=params)
            assert response.status_code == 200, response.get_data(as_text=True)
            body = response.get_json()
            items.extend(body["items"])
            if body["next_page_token"] is None:
                return items
            params["page_token"] = body["next_page_token"]


@pytest.fixture
def issue_token(client: FlaskClient):  # type: ignore[no-untyped-def]
    """issue_token("justice.tayninh") -> a fresh bearer token, through POST /api/v1/tokens."""

    def _issue(username: str, password: str = DEMO_PASSWORD) -> str:
        response = client.post("/api/v1/tokens", json={"username": username, "password": password})
        assert response.status_code == 201, response.get_data(as_text=True)
        return response.get_json()["token"]

    return _issue


@pytest.fixture
def api(client: FlaskClient, issue_token):  # type: ignore[no-untyped-def]
    """api("justice.tayninh") -> an ApiClient signed in as that demo user, through POST /api/v1/tokens."""

    def _api(username: str) -> ApiClient:
        return ApiClient(client, issue_token(username))

    return _api


def assert_problem(response: TestResponse, status: int, *, field: str | None = None) -> dict[str, Any]:
    """The response is an RFC 9457 problem document with this status (naming `field` if given)."""
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == "application/problem+json"
    body = response.get_json()
    assert body["status"] == status
    assert body["type"] == "about:blank"
    assert body["title"]
    assert isinstance(body["detail"], str) and body["detail"]
    if field is not None:
        assert field in body.get("errors", {}), body
        assert all(isinstance(m, str) and m for m in body["errors"][field]), body
    return body
