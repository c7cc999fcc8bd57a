"""JSON log lines with the request id, user, route, status and duration; nothing secret in them."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator

import pytest

from coordination.assignments.states import Status
from coordination.observability.logs import json_handler
from tests.conftest import DEMO_PASSWORD, get_user, make_test_app
from tests.factories import make_assignment
from tests.support.workflow import PDF, upload

CONTENT_MARKER = b"evidence-content-7b1f2c9e"


@pytest.fixture
def captured_log(app) -> Iterator[io.StringIO]:  # type: ignore[no-untyped-def]
    """The app's JSON log handler (the one configure_logging puts on stderr) writing into a buffer."""
    stream = io.StringIO()
    handler = json_handler(stream)
    root = logging.getLogger()
    saved_level = root.level
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    yield stream
    root.removeHandler(handler)
    root.setLevel(saved_level)


def _lines(stream: io.StringIO) -> list[dict]:
    return [json.loads(line) for line in stream.getvalue().splitlines()]


def test_request_id_from_the_proxy_is_returned(client) -> None:
    response = client.get("/login", headers={"X-Request-ID": "nginx-4f2a-0001"})
    assert response.headers["X-Request-ID"] == "nginx-4f2a-0001"


def test_request_id_is_made_when_none_or_a_strange_one_comes(client) -> None:
    first = client.get("/login").headers["X-Request-ID"]
    second = client.get("/login", headers={"X-Request-ID": "x" * 200}).headers["X-Request-ID"]
    third = client.get("/login", headers={"X-Request-ID": 'a b;c="d"'}).headers["X-Request-ID"]
    assert len({first, second, third}) == 3
    assert all(len(value) == 32 and int(value, 16) >= 0 for value in (first, second, third))


def test_error_pages_show_the_request_id(client) -> None:
    response = client.get("/no-such-page", headers={"X-Request-ID": "quote-me-42"})
    assert response.status_code == 404
    assert '<code class="request-id">quote-me-42</code>' in response.get_data(as_text=True)


def test_a_journey_logs_json_lines_with_the_returned_ids_and_no_secret(client, captured_log) -> None:  # type: ignore[no-untyped-def]
    work = make_assignment("TN-STP", officer="justice.tayninh", status=Status.in_progress, deadline_in_days=20)
    justice = get_user("justice.tayninh")
    ids = []

    response = client.post("/login", data={"username": "justice.tayninh", "password": DEMO_PASSWORD})
    assert response.status_code == 302
    session_cookie = client.get_cookie("session").value
    ids.append(response.headers["X-Request-ID"])
    response = client.get("/app/")
    assert response.status_code == 200
    ids.append(response.headers["X-Request-ID"])

    response = client.post("/api/v1/tokens", json={"username": "justice.tayninh", "password": DEMO_PASSWORD})
    assert response.status_code == 201
    token = response.get_json()["token"]
    ids.append(response.headers["X-Request-ID"])

    class Bearer:
        def post(self, url, **kwargs):  # type: ignore[no-untyped-def]
            return client.post(url, headers={"Authorization": f"Bearer {token}"}, **kwargs)

    response = upload(Bearer(), work.id, (PDF + b"%" + CONTENT_MARKER + b"\n", "bao-cao.pdf"))
    assert response.status_code == 201, response.get_data(as_text=True)
    ids.append(response.headers["X-Request-ID"])
    response = client.get(
        f"/api/v1/assignments/{work.id}", headers={"Authorization": f"Bearer {token}", "X-Request-ID": "nginx-77"}
    )
    assert response.status_code == 200
    ids.append(response.headers["X-Request-ID"])
    assert client.get("/readyz").status_code == 200  # monitoring: no line

    text = captured_log.getvalue()
    for secret in (DEMO_PASSWORD, token, session_cookie, CONTENT_MARKER.decode()):
        assert secret not in text
    lines = _lines(captured_log)  # every line parses as JSON
    requests = [line for line in lines if line["logger"] == "coordination.requests"]
    assert [line["request_id"] for line in requests] == ids
    assert ids[-1] == "nginx-77"
    assert all(line["request_id"] in ids for line in lines)
    assert [(line["method"], line["route"], line["status"], line["user_id"]) for line in requests] == [
        ("POST", "/login", 302, justice.id),  # the user it has just logged in
        ("GET", "/app/", 200, justice.id),
        ("POST", "/api/v1/tokens", 201, justice.id),
        ("POST", "/api/v1/assignments/<int(max=2147483647):assignment_id>/evidence", 201, justice.id),
        ("GET", "/api/v1/assignments/<int(max=2147483647):assignment_id>", 200, justice.id),
    ]
    for line in requests:
        assert line["level"] == "INFO"
        assert line["time"].endswith("+00:00")
        assert line["duration_ms"] >= 0
        assert line["remote_addr"] == "127.0.0.1"


def test_a_line_logged_inside_a_request_carries_its_id(client, captured_log) -> None:  # type: ignore[no-untyped-def]
    # A refused login for a locked user logs a warning from inside the request.
    for _ in range(6):
        response = client.post(
            "/login", data={"username": "bacson.tamdiep", "password": "wrong"}, headers={"X-Request-ID": "lock-1"}
        )
    warnings = [line for line in _lines(captured_log) if line["level"] == "WARNING"]
    assert warnings
    assert {line["request_id"] for line in warnings} == {"lock-1"}
    assert {line["route"] for line in warnings} == {"/login"}
    assert response.status_code == 429


def test_an_unhandled_error_is_logged_with_its_route_and_id_and_the_page_shows_the_id(database, tmp_path) -> None:  # type: ignore[no-untyped-def]
    app = make_test_app(str(tmp_path), database, PROPAGATE_EXCEPTIONS=False)

    @app.get("/calendar-like/<secret>")
    def _boom(secret: str) -> str:
        raise RuntimeError("boom")

    stream = io.StringIO()
    handler = json_handler(stream)
    root = logging.getLogger()
    root.addHandler(handler)
    try:
        response = app.test_client().get("/calendar-like/s3cr3t-feed-token", headers={"X-Request-ID": "err-500"})
    finally:
        root.removeHandler(handler)
    assert response.status_code == 500
    assert '<code class="request-id">err-500</code>' in response.get_data(as_text=True)
    assert "s3cr3t-feed-token" not in stream.getvalue()
    errors = [line for line in _lines(stream) if line["level"] == "ERROR"]
    assert [(line["logger"], line["message"], line["request_id"]) for line in errors] == [
        (app.logger.name, "unhandled exception in /calendar-like/<secret>", "err-500"),
        ("coordination.requests", "GET /calendar-like/<secret> 500", "err-500"),
    ]
    assert "RuntimeError: boom" in errors[0]["exc_info"]
