"""API tokens: issue, use, expiry, revocation, wrong credentials, lockout; no cookie authenticates the API."""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta

import pytest
import sqlalchemy as sa

from coordination.auth.models import ApiToken, LoginAttempt
from coordination.db import utcnow
from coordination.extensions import db
from tests.conftest import DEMO_PASSWORD, get_user
from tests.support.api import assert_problem


def _row(raw: str) -> ApiToken:
    token = db.session.scalar(
        sa.select(ApiToken).where(ApiToken.token_hash == hashlib.sha256(raw.encode()).hexdigest())
    )
    assert token is not None
    return token


def test_issue_returns_a_random_token_that_expires_after_the_ttl(app, client):
    before = utcnow()
    response = client.post("/api/v1/tokens", json={"username": "justice.tayninh", "password": DEMO_PASSWORD})
    assert response.status_code == 201
    body = response.get_json()
    assert set(body) == {"token", "expires_at"}
    assert len(body["token"]) >= 40
    expires_at = datetime.fromisoformat(body["expires_at"])
    ttl = timedelta(hours=app.config["API_TOKEN_TTL_HOURS"])
    assert before + ttl <= expires_at <= utcnow() + ttl

    other = client.post("/api/v1/tokens", json={"username": "justice.tayninh", "password": DEMO_PASSWORD})
    assert other.get_json()["token"] != body["token"]


def test_only_the_hash_of_the_token_is_stored(client, issue_token):
    raw = issue_token("justice.tayninh")
    row = _row(raw)
    assert row.user.username == "justice.tayninh"
    assert row.token_hash == hashlib.sha256(raw.encode()).hexdigest()
    assert raw not in {row.token_hash, str(row.id)}
    assert db.session.scalar(sa.select(sa.func.count(ApiToken.id)).where(ApiToken.token_hash == raw)) == 0


def test_a_token_authenticates_its_user(client, issue_token):
    raw = issue_token("bacson.tamdiep")
    response = client.get("/api/v1/me", headers={"Authorization": f"Bearer {raw}"})
    assert response.status_code == 200
    me = response.get_json()
    assert me["username"] == "bacson.tamdiep"
    assert me["role"] == "officer"
    assert me["agency"]["code"] == get_user("bacson.tamdiep").agency.code
    assert set(me) == {"id", "username", "full_name", "email", "role", "locale", "agency", "calendar_url"}
    assert set(me["agency"]) == {"id", "code", "name_vi", "name_en", "short_name"}


def test_the_bearer_scheme_is_case_insensitive(client, issue_token):
    raw = issue_token("admin")
    assert client.get("/api/v1/me", headers={"Authorization": f"bearer {raw}"}).status_code == 200


def test_an_expired_token_is_refused(client, issue_token):
    raw = issue_token("justice.tayninh")
    _row(raw).expires_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    response = client.get("/api/v1/me", headers={"Authorization": f"Bearer {raw}"})
    assert_problem(response, 401)
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_a_revoked_token_is_refused(client, issue_token):
    raw = issue_token("justice.tayninh")
    headers = {"Authorization": f"Bearer {raw}"}
    response = client.delete("/api/v1/tokens/current", headers=headers)
    assert response.status_code == 204
    assert response.get_data() == b""
    assert _row(raw).revoked_at is not None
    assert_problem(client.get("/api/v1/me", headers=headers), 401)
    assert_problem(client.delete("/api/v1/tokens/current", headers=headers), 401)


def test_revoking_one_token_leaves_the_others(client, issue_token):
    first, second = issue_token("admin"), issue_token("admin")
    assert client.delete("/api/v1/tokens/current", headers={"Authorization": f"Bearer {first}"}).status_code == 204
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {second}"}).status_code == 200


def test_the_token_of_a_deactivated_user_is_refused(client, issue_token):
    raw = issue_token("education.tayninh")
    get_user("education.tayninh").active = False
    db.session.commit()
    assert_problem(client.get("/api/v1/me", headers={"Authorization": f"Bearer {raw}"}), 401)


@pytest.mark.parametrize(
    "header",
    [
        None,
        "",
        "Bearer",
        "Bearer ",
        "Bearer not-a-token",
        "Basic YWRtaW46ZGVtby0yMDI2",
        "Token abc",
        "Bearer " + "x" * 5000,
        "Bearer \x7f\x01",
    ],
)
def test_a_missing_or_bad_authorization_header_is_401(client, header):
    headers = {} if header is None else {"Authorization": header}
    assert_problem(client.get("/api/v1/me", headers=headers), 401)


def test_wrong_password_is_a_401_problem_and_counts_for_the_lockout(client):
    response = client.post("/api/v1/tokens", json={"username": "justice.tayninh", "password": "wrong-password"})
    body = assert_problem(response, 401)
    assert "token" not in body
    attempts = db.session.scalars(sa.select(LoginAttempt).where(LoginAttempt.username == "justice.tayninh")).all()
    assert [a.succeeded for a in attempts] == [False]


def test_unknown_user_gets_the_same_answer_as_a_wrong_password(client):
    wrong = client.post("/api/v1/tokens", json={"username": "justice.tayninh", "password": "nope-nope"})
    unknown = client.post("/api/v1/tokens", json={"username": "nobody.here", "password": "nope-nope"})
    assert_problem(unknown, 401)
    assert unknown.get_json()["detail"] == wrong.get_json()["detail"]


def test_too_many_failures_lock_the_api_too(app, client):
    for _ in range(app.config["LOGIN_MAX_FAILURES"]):
        client.post("/api/v1/tokens", json={"username": "monitor.tamdiep", "password": "wrong-password"})
    response = client.post("/api/v1/tokens", json={"username": "monitor.tamdiep", "password": DEMO_PASSWORD})
    assert_problem(response, 429)
    assert int(response.headers["Retry-After"]) > 0
    # ... and the web login, which counts the same rows.
    page = client.post("/login", data={"username": "monitor.tamdiep", "password": DEMO_PASSWORD})
    assert page.status_code != 302


def test_a_successful_issue_is_recorded_as_a_login(client, issue_token):
    issue_token("office.tamdiep")
    attempts = db.session.scalars(sa.select(LoginAttempt).where(LoginAttempt.username == "office.tamdiep")).all()
    assert [a.succeeded for a in attempts] == [True]
    assert get_user("office.tamdiep").last_login_at is not None


def test_last_use_is_written_at_most_once_a_minute(client, issue_token):
    raw = issue_token("admin")
    headers = {"Authorization": f"Bearer {raw}"}
    assert _row(raw).last_used_at is None
    client.get("/api/v1/me", headers=headers)
    first = _row(raw).last_used_at
    assert first is not None
    client.get("/api/v1/me", headers=headers)
    assert _row(raw).last_used_at == first
    _row(raw).last_used_at = first - timedelta(minutes=2)
    db.session.commit()
    client.get("/api/v1/me", headers=headers)
    assert _row(raw).last_used_at > first - timedelta(minutes=2)


def test_a_web_session_does_not_authenticate_the_api(client, login, issue_token):
    # The API has no CSRF protection: only a bearer token may open it, never the session cookie.
    login("justice.tayninh")
    assert client.get("/").status_code in (302, 303)
    assert_problem(client.get("/api/v1/me"), 401)
    raw = issue_token("bacson.tamdiep")
    me = client.get("/api/v1/me", headers={"Authorization": f"Bearer {raw}"}).get_json()
    assert me["username"] == "bacson.tamdiep"


def test_the_api_needs_no_csrf_token(app, csrf_app):
    # `app` puts the test inside the rolled-back transaction that csrf_app's requests share.
    client = csrf_app.test_client()
    response = client.post("/api/v1/tokens", json={"username": "admin", "password": DEMO_PASSWORD})
    assert response.status_code == 201
    assert "Set-Cookie" not in response.headers
    headers = {"Authorization": f"Bearer {response.get_json()['token']}"}
    assert client.delete("/api/v1/tokens/current", headers=headers).status_code == 204
