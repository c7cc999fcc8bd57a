"""Behind nginx (PROXY_COUNT=1) the app sees the client's address and HTTPS; with no proxy it trusts no header."""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from flask import Flask

from coordination.auth.models import LoginAttempt
from coordination.extensions import db
from coordination.observability.logs import json_handler
from tests.conftest import make_test_app

FORWARDED = {"X-Forwarded-For": "203.0.113.7", "X-Forwarded-Proto": "https", "X-Forwarded-Host": "dieuhanh.example.vn"}


@pytest.fixture(scope="module")
def proxied_app(database: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    app = make_test_app(str(tmp_path_factory.mktemp("proxied")), database, PROXY_COUNT=1)
    yield app
    with app.app_context():
        db.engine.dispose()


def _last_attempt_address() -> str | None:
    return db.session.scalar(sa.select(LoginAttempt.remote_addr).order_by(LoginAttempt.id.desc()).limit(1))


def test_login_attempts_and_logs_see_the_client_behind_one_proxy(app, proxied_app) -> None:  # type: ignore[no-untyped-def]
    stream = io.StringIO()
    handler = json_handler(stream)
    logger = logging.getLogger("coordination.requests")
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    try:
        response = proxied_app.test_client().post(
            "/login", data={"username": "bacson.tamdiep", "password": "wrong"}, headers=FORWARDED
        )
    finally:
        logger.removeHandler(handler)
        logger.setLevel(logging.NOTSET)
    assert response.status_code == 200
    assert _last_attempt_address() == "203.0.113.7"
    assert '"remote_addr": "203.0.113.7"' in stream.getvalue()


def test_https_host_and_address_from_the_proxy(database: str, tmp_path) -> None:  # type: ignore[no-untyped-def]
    app = make_test_app(str(tmp_path), database, PROXY_COUNT=1)

    @app.get("/_seen")
    def _seen() -> dict[str, str]:
        from flask import request, url_for

        return {
            "scheme": request.scheme,
            "address": request.remote_addr,
            "login": url_for("auth.login", _external=True),
        }

    # Two addresses: the first was sent by the client itself (forgeable), the last is what nginx saw.
    headers = {**FORWARDED, "X-Forwarded-For": "198.51.100.1, 203.0.113.7"}
    assert app.test_client().get("/_seen", headers=headers).get_json() == {
        "scheme": "https",
        "address": "203.0.113.7",
        "login": "https://dieuhanh.example.vn/login",
    }


def test_without_a_proxy_forwarded_headers_are_ignored(app, client) -> None:  # type: ignore[no-untyped-def]
    response = client.post("/login", data={"username": "bacson.tamdiep", "password": "wrong"}, headers=FORWARDED)
    assert response.status_code == 200
    assert _last_attempt_address() == "127.0.0.1"
