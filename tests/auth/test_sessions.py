"""Sessions end when they should: password change, deactivation, logout, idleness, age; and who may sign in."""

from __future__ import annotations

import logging
import time

import pytest
from flask import g

from coordination.auth.operations import create_user, set_password, update_user
from coordination.errors import Invalid
from coordination.extensions import db
from tests.conftest import DEMO_PASSWORD, get_user

PAGE = "/app/assignment/"
NEW_PASSWORD = "mot-mat-khau-moi-dai"


def _fresh() -> None:
    """Start the next request as production does: the tests share one app context, so `g` keeps the user."""
    db.session.expire_all()
    g.pop("_login_user", None)


def _signed_in(client) -> bool:  # type: ignore[no-untyped-def]
    _fresh()
    response = client.get(PAGE)
    if response.status_code == 302:
        assert "/login" in response.headers["Location"]
        return False
    assert response.status_code == 200
    return True


def _token(client, username: str = "justice.tayninh") -> str:  # type: ignore[no-untyped-def]
    response = client.post("/api/v1/tokens", json={"username": username, "password": DEMO_PASSWORD})
    assert response.status_code == 201
    return response.get_json()["token"]


def _api_status(client, token: str) -> int:  # type: ignore[no-untyped-def]
    return client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}).status_code


def test_a_password_change_ends_every_session_and_token(app, client, login) -> None:
    phone = app.test_client()
    phone.post("/login", data={"username": "justice.tayninh", "password": DEMO_PASSWORD})
    _fresh()
    login("justice.tayninh")
    token = _token(client)
    assert _signed_in(client) and _signed_in(phone) and _api_status(client, token) == 200

    set_password(get_user("justice.tayninh"), NEW_PASSWORD, actor=get_user("admin"))
    db.session.commit()

    assert not _signed_in(client) and not _signed_in(phone)
    assert _api_status(client, token) == 401
    _fresh()
    login("justice.tayninh", NEW_PASSWORD)
    assert _signed_in(client)


def test_deactivation_ends_every_session_and_token(app, client, login) -> None:
    login("justice.tayninh")
    token = _token(client)
    update_user(get_user("justice.tayninh"), {"active": False}, actor=get_user("admin"))
    db.session.commit()
    assert not _signed_in(client)
    assert _api_status(client, token) == 401
    # Turned back on, the account does not bring the old sessions back.
    update_user(get_user("justice.tayninh"), {"active": True}, actor=get_user("admin"))
    db.session.commit()
    assert not _signed_in(client) and _api_status(client, token) == 401


def test_logout_ends_the_sessions_on_other_devices_but_not_api_tokens(app, client, login) -> None:
    desk = app.test_client()
    desk.post("/login", data={"username": "justice.tayninh", "password": DEMO_PASSWORD})
    _fresh()
    login("justice.tayninh")
    token = _token(client)
    with client.session_transaction() as session:
        stolen = dict(session)  # a copy of the cookie, say
    assert client.post("/logout").status_code == 302
    assert not _signed_in(client) and not _signed_in(desk)
    with client.session_transaction() as session:
        session.update(stolen)
    assert not _signed_in(client)
    assert _api_status(client, token) == 200


def test_an_admin_changing_their_own_password_stays_signed_in(client, login) -> None:
    login("admin")
    admin = get_user("admin")
    response = client.post(
        f"/app/user/edit/?id={admin.id}",
        data={"full_name": admin.full_name, "role": "admin", "active": "y", "password": NEW_PASSWORD},
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert get_user("admin").check_password(NEW_PASSWORD)
    assert client.get("/app/user/").status_code == 200


def _age(client, *, seen: int = 0, auth: int = 0) -> None:  # type: ignore[no-untyped-def]
    now = int(time.time())
    with client.session_transaction() as session:
        session["seen_at"] = now - seen
        session["auth_at"] = now - auth


def test_idle_for_30_minutes_signs_out(client, login) -> None:
    login("justice.tayninh")
    _age(client, seen=29 * 60, auth=29 * 60)
    assert _signed_in(client)
    with client.session_transaction() as session:
        assert int(time.time()) - session["seen_at"] < 5  # the request counted as activity
    _age(client, seen=30 * 60 + 5, auth=40 * 60)
    assert not _signed_in(client)


def test_the_idle_timeout_is_configurable(app, client, login) -> None:
    login("justice.tayninh")
    _age(client, seen=6 * 60, auth=6 * 60)
    app.config["SESSION_IDLE_MINUTES"] = 5
    try:
        assert not _signed_in(client)
    finally:
        app.config["SESSION_IDLE_MINUTES"] = 30


def test_twelve_hours_after_login_the_session_ends_however_busy(client, login) -> None:
    login("justice.tayninh")
    _age(client, seen=10, auth=11 * 3600 + 3500)
    assert _signed_in(client)
    _age(client, seen=10, auth=12 * 3600 + 5)
    assert not _signed_in(client)


@pytest.mark.parametrize("user_id", ["{id}", "{id}:not-the-nonce", "{id}:", "x:y", "99999999999999999999:abc"])
def test_a_session_naming_the_user_otherwise_is_not_signed_in(client, login, user_id: str) -> None:
    login("justice.tayninh")
    with client.session_transaction() as session:
        session["_user_id"] = user_id.format(id=get_user("justice.tayninh").id)
    assert not _signed_in(client)


def test_login_starts_a_fresh_session_without_remember_me(client) -> None:
    with client.session_transaction() as session:
        session["planted"] = "by someone else"
        session["locale"] = "en"
    response = client.post("/login", data={"username": "justice.tayninh", "password": DEMO_PASSWORD, "remember": "y"})
    assert response.status_code == 302
    with client.session_transaction() as session:
        assert "planted" not in session
        assert session["locale"] == "en"
        assert session["_user_id"] == f"{get_user('justice.tayninh').id}:{get_user('justice.tayninh').session_nonce}"
    assert client.get_cookie("remember_token") is None


def test_production_cookies_are_secure(tmp_path) -> None:
    from coordination import create_app

    app = create_app(
        {"ENV_NAME": "production", "SECRET_KEY": "x" * 32, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/p.db"},
        SESSION_COOKIE_SECURE=True,
        REMEMBER_COOKIE_SECURE=True,
    )
    assert app.config["SESSION_COOKIE_HTTPONLY"] and app.config["REMEMBER_COOKIE_HTTPONLY"]
    assert app.config["REMEMBER_COOKIE_DURATION"] <= 12 * 3600


def test_unknown_user_and_wrong_password_get_the_same_answer(client) -> None:
    wrong = client.post("/login", data={"username": "justice.tayninh", "password": "not-the-password"})
    unknown = client.post("/login", data={"username": "nobody.at.all", "password": "not-the-password"})
    assert wrong.status_code == unknown.status_code == 200
    message = "Tên đăng nhập hoặc mật khẩu không đúng."
    assert message in wrong.get_data(as_text=True) and message in unknown.get_data(as_text=True)
    strip = lambda html: html.replace("justice.tayninh", "").replace("nobody.at.all", "")  # noqa: E731
    assert strip(wrong.get_data(as_text=True)) == strip(unknown.get_data(as_text=True))


@pytest.mark.parametrize(
    ("password", "field_error"),
    [
        ("ngan-qua", "Quá ngắn."),  # 8
        ("chin-ky-t", "Quá ngắn."),  # 9
        ("1234567890", "Quá phổ biến."),
        ("qwertyuiop", "Quá phổ biến."),
        ("Password2026!", "Quá phổ biến."),  # "password" and digits
        ("MONKEY123456", "Quá phổ biến."),
    ],
)
def test_weak_passwords_are_refused(password: str, field_error: str, app) -> None:
    with pytest.raises(Invalid) as refused:
        set_password(get_user("justice.tayninh"), password, actor=get_user("admin"))
    assert refused.value.errors == {"password": [field_error]}


@pytest.mark.parametrize("password", ["tay-ninh-2157-kstt", "cao diem cccd", "abc1234567"])
def test_ten_characters_not_on_the_list_are_accepted(password: str, app) -> None:
    user = create_user(
        {"username": "new.one", "full_name": "Người mới", "role": "officer", "agency": "TN-STP", "password": password},
        actor=get_user("admin"),
    )
    assert user.check_password(password)


def test_the_common_list_is_shipped_with_its_source() -> None:
    from coordination.auth.passwords import COMMON_PASSWORDS_FILE, common_passwords

    assert "SecLists" in COMMON_PASSWORDS_FILE.read_text(encoding="utf-8").splitlines()[1]
    assert len(common_passwords()) == 10_000
    assert {"password", "123456", "qwertyuiop", "1234567890"} <= common_passwords()


def test_logins_failures_logouts_and_denials_are_logged(client, caplog) -> None:
    caplog.set_level(logging.INFO, logger="coordination")
    client.post("/login", data={"username": "justice.tayninh", "password": "not-the-password"})
    client.post("/login", data={"username": "justice.tayninh", "password": DEMO_PASSWORD})
    _fresh()
    client.get("/app/user/")  # an officer may not manage users: 403
    client.post("/logout")
    user_id = get_user("justice.tayninh").id
    security_loggers = ("coordination.auth", "coordination.security")  # not the per-request access lines
    messages = [(r.name, r.levelname, r.getMessage()) for r in caplog.records if r.name in security_loggers]
    assert messages == [
        (
            "coordination.auth",
            "WARNING",
            "login failed: 'justice.tayninh', unknown user or wrong password (from 127.0.0.1)",
        ),
        ("coordination.auth", "INFO", f"login: 'justice.tayninh', user {user_id} (from 127.0.0.1)"),
        (
            "coordination.security",
            "WARNING",
            f"denied 403: GET /app/user/ by justice.tayninh (user {user_id}) (from 127.0.0.1)",
        ),
        ("coordination.auth", "INFO", f"logout: 'justice.tayninh', user {user_id}, every session ended"),
    ]
