"""The second factor (issue 15): TOTP enrolment and sign-in, replays, recovery codes, the lockout, the API.

Codes are real: pyotp computes them from the secret the page shows, as an authenticator app would.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator

import pyotp
import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm.attributes import set_committed_value

from coordination import ConfigError, create_app
from coordination.audit import AuditEvent
from coordination.auth import operations, totp
from coordination.auth.models import RecoveryCode, User
from coordination.extensions import db
from tests.auth.test_login import attempts, logged_in_as, post_login
from tests.conftest import DEMO_PASSWORD, get_user

WRONG_CODE = "Mã xác thực không đúng, đã hết hạn hoặc đã được dùng."
LOCKED = "Tài khoản tạm khóa do đăng nhập sai nhiều lần."
SECRET_IN_PAGE = re.compile(r'class="d-block h6 mt-1 totp-secret" translate="no">([A-Z2-7 ]+)</code>')
RECOVERY_IN_PAGE = re.compile(r'<code class="recovery-code">([A-Z2-7-]+)</code>')


def code_at(secret: str, offset_steps: int = 0) -> str:
    """The code an authenticator app shows `offset_steps` steps of 30 s from now."""
    return pyotp.TOTP(secret).at(time.time() + 30 * offset_steps)


def a_wrong_code(secret: str) -> str:
    """Six digits that no step around now accepts."""
    valid = {code_at(secret, offset) for offset in range(-3, 4)}
    return next(code for code in ("000000", "123456", "999999", "424242") if code not in valid)


def enrol(user: User) -> tuple[str, list[str]]:
    """Enrol `user` through the operations, as its own actor; the secret and the recovery codes."""
    secret = operations.start_totp_enrolment(user, actor=user)
    codes = operations.confirm_totp_enrolment(user, code_at(secret), actor=user)
    db.session.commit()
    return secret, codes


def events(action: str, user: User) -> list[AuditEvent]:
    query = sa.select(AuditEvent).where(AuditEvent.action == action, AuditEvent.entity_id == user.id)
    return list(db.session.scalars(query))


@pytest.fixture
def required(app: Flask) -> Iterator[None]:
    """The deployment requires a second factor of admins and offices (TOTP_REQUIRED_ROLES="admin,office")."""
    app.config["TOTP_REQUIRED_ROLES"] = "admin,office"
    try:
        yield
    finally:
        app.config["TOTP_REQUIRED_ROLES"] = ""


# --- enrolment and sign-in on the web -----------------------------------------------------------------


def test_enrolment_then_login_refuses_a_wrong_and_a_replayed_code(client: FlaskClient, login) -> None:
    login("justice.tayninh")
    page = client.get("/app/two-factor/")
    assert page.status_code == 200
    assert "Bật xác thực hai bước" in page.get_data(as_text=True)

    assert client.post("/app/two-factor/start").headers["Location"] == "/app/two-factor/"
    html = client.get("/app/two-factor/").get_data(as_text=True)
    assert '<svg width="' in html and 'class="segno"' in html  # the QR code, drawn by the server
    assert "<title>Mã QR cho ứng dụng xác thực</title>" in html
    secret = SECRET_IN_PAGE.search(html).group(1).replace(" ", "")
    assert len(secret) == 32
    assert get_user("justice.tayninh").has_totp is False  # not until the app's code confirms it

    enrolment_code = code_at(secret)
    confirmed = client.post("/app/two-factor/confirm", data={"code": enrolment_code})
    assert confirmed.status_code == 200
    codes = RECOVERY_IN_PAGE.findall(confirmed.get_data(as_text=True))
    assert len(codes) == 10 and len(set(codes)) == 10
    assert all(re.fullmatch(r"[A-Z2-7]{4}(-[A-Z2-7]{4}){3}", code) for code in codes)
    user = get_user("justice.tayninh")
    assert user.has_totp is True
    assert len(events("user.totp_enable", user)) == 1
    # shown once: the account page no longer shows them
    assert RECOVERY_IN_PAGE.search(client.get("/app/two-factor/").get_data(as_text=True)) is None

    client.post("/logout")
    response = post_login(client, "justice.tayninh", DEMO_PASSWORD)
    assert response.status_code == 302
    assert response.headers["Location"] == "/login/code"
    assert logged_in_as(client) is None  # the password alone signs nobody in
    assert client.get("/app/").headers["Location"].startswith("/login")
    assert "nhập mã 6 chữ số của tài khoản justice.tayninh" in client.get("/login/code").get_data(as_text=True)

    wrong = client.post("/login/code", data={"code": a_wrong_code(secret)})
    assert wrong.status_code == 200
    assert WRONG_CODE in wrong.get_data(as_text=True)
    assert logged_in_as(client) is None

    replayed = client.post("/login/code", data={"code": enrolment_code})  # the step the enrolment used
    assert WRONG_CODE in replayed.get_data(as_text=True)
    assert logged_in_as(client) is None

    next_code = code_at(secret, +1)  # the phone a little ahead: one step of drift is allowed
    accepted = client.post("/login/code", data={"code": next_code[:3] + " " + next_code[3:]})
    assert accepted.status_code == 302
    assert accepted.headers["Location"] == "/"
    assert logged_in_as(client) == "justice.tayninh"
    assert [a.succeeded for a in attempts("justice.tayninh")] == [True, False, False, True]

    # the same code once more, on another sign-in: a replay
    client.post("/logout")
    post_login(client, "justice.tayninh", DEMO_PASSWORD)
    again = client.post("/login/code", data={"code": next_code})
    assert WRONG_CODE in again.get_data(as_text=True)
    assert logged_in_as(client) is None


def test_a_code_two_steps_away_is_refused(client: FlaskClient) -> None:
    secret, _codes = enrol(get_user("justice.tayninh"))
    post_login(client, "justice.tayninh", DEMO_PASSWORD)
    for offset in (-3, +3):
        response = client.post("/login/code", data={"code": code_at(secret, offset)})
        assert WRONG_CODE in response.get_data(as_text=True)
    assert logged_in_as(client) is None


def test_the_target_survives_the_second_step(client: FlaskClient) -> None:
    secret, _codes = enrol(get_user("justice.tayninh"))
    response = client.post(
        "/login?next=/app/assignment/", data={"username": "justice.tayninh", "password": DEMO_PASSWORD}
    )
    assert response.headers["Location"] == "/login/code"
    assert client.post("/login/code", data={"code": code_at(secret, 1)}).headers["Location"] == "/app/assignment/"


def test_the_session_after_the_second_step_is_a_new_one(client: FlaskClient) -> None:
    secret, _codes = enrol(get_user("justice.tayninh"))
    post_login(client, "justice.tayninh", DEMO_PASSWORD)
    with client.session_transaction() as session:
        assert "pending_login" in session and "_user_id" not in session
    client.post("/login/code", data={"code": code_at(secret, 1)})
    with client.session_transaction() as session:
        assert "pending_login" not in session
        assert session["_user_id"] == get_user("justice.tayninh").get_id()


def test_a_pending_sign_in_expires(client: FlaskClient) -> None:
    secret, _codes = enrol(get_user("justice.tayninh"))
    post_login(client, "justice.tayninh", DEMO_PASSWORD)
    with client.session_transaction() as session:
        session["pending_login"] = {**session["pending_login"], "at": int(time.time()) - 11 * 60}
    response = client.post("/login/code", data={"code": code_at(secret, 1)})
    assert response.headers["Location"] == "/login"
    assert logged_in_as(client) is None


def test_the_code_page_without_a_password_goes_to_the_login(client: FlaskClient) -> None:
    assert client.get("/login/code").headers["Location"] == "/login"
    assert client.get("/login/enrol").headers["Location"] == "/login"


def test_a_wrong_code_at_enrolment_keeps_it_off(client: FlaskClient, login) -> None:
    login("justice.tayninh")
    client.post("/app/two-factor/start")
    html = client.get("/app/two-factor/").get_data(as_text=True)
    secret = SECRET_IN_PAGE.search(html).group(1).replace(" ", "")
    response = client.post("/app/two-factor/confirm", data={"code": a_wrong_code(secret)})
    assert response.status_code == 422
    assert "Mã không đúng. Hãy nhập mã 6 chữ số" in response.get_data(as_text=True)
    assert get_user("justice.tayninh").has_totp is False


# --- the secret at rest -------------------------------------------------------------------------------


def test_the_secret_is_stored_sealed(app: Flask) -> None:
    user = get_user("justice.tayninh")
    secret, _codes = enrol(user)
    stored = db.session.scalar(sa.select(User.totp_secret).where(User.id == user.id))
    assert stored.startswith("v2$") and secret not in stored
    assert totp.unseal(stored, user.id) == secret
    with pytest.raises(totp.SealBroken):
        totp.unseal(stored, get_user("education.tayninh").id)  # copied onto another user: does not open
    app.config["TOTP_ENCRYPTION_KEY"] = "another-key"
    try:
        with pytest.raises(totp.SealBroken):
            totp.unseal(stored, user.id)
    finally:
        app.config["TOTP_ENCRYPTION_KEY"] = ""


def test_recovery_codes_are_stored_as_hashes(app: Flask) -> None:
    user = get_user("justice.tayninh")
    _secret, codes = enrol(user)
    hashes = set(db.session.scalars(sa.select(RecoveryCode.code_hash).where(RecoveryCode.user_id == user.id)))
    assert len(hashes) == 10
    assert all(re.fullmatch(r"[0-9a-f]{64}", h) for h in hashes)
    assert not any(code in h or code.replace("-", "") in h for code in codes for h in hashes)


# --- recovery codes -----------------------------------------------------------------------------------


def test_a_recovery_code_signs_in_once(client: FlaskClient) -> None:
    user = get_user("justice.tayninh")
    _secret, codes = enrol(user)
    post_login(client, "justice.tayninh", DEMO_PASSWORD)
    typed = codes[3].lower().replace("-", " ")  # as a person may type it
    assert client.post("/login/code", data={"code": typed}).status_code == 302
    assert logged_in_as(client) == "justice.tayninh"
    assert operations.recovery_codes_left(user) == 9
    [used] = events("user.recovery_code_use", user)
    assert used.after == {"recovery_codes_left": 9}
    assert "Còn 9 mã khôi phục chưa dùng." in client.get("/app/two-factor/").get_data(as_text=True)

    client.post("/logout")
    post_login(client, "justice.tayninh", DEMO_PASSWORD)
    response = client.post("/login/code", data={"code": codes[3]})
    assert WRONG_CODE in response.get_data(as_text=True)
    assert logged_in_as(client) is None


def test_new_recovery_codes_replace_the_old(client: FlaskClient) -> None:
    user = get_user("justice.tayninh")
    secret, old_codes = enrol(user)
    post_login(client, "justice.tayninh", DEMO_PASSWORD)
    client.post("/login/code", data={"code": code_at(secret, 1)})
    refused = client.post("/app/two-factor/recovery-codes", data={"code": a_wrong_code(secret)})
    assert refused.status_code == 401
    assert RECOVERY_IN_PAGE.search(refused.get_data(as_text=True)) is None
    response = client.post("/app/two-factor/recovery-codes", data={"code": old_codes[0]})
    assert response.status_code == 200
    new_codes = RECOVERY_IN_PAGE.findall(response.get_data(as_text=True))
    assert len(new_codes) == 10 and not set(new_codes) & set(old_codes)
    assert operations.recovery_codes_left(user) == 10
    assert len(events("user.recovery_codes_regenerate", user)) == 1
    client.post("/logout")
    post_login(client, "justice.tayninh", DEMO_PASSWORD)
    assert WRONG_CODE in client.post("/login/code", data={"code": old_codes[1]}).get_data(as_text=True)
    assert client.post("/login/code", data={"code": new_codes[1]}).status_code == 302


# --- the login limit ----------------------------------------------------------------------------------


def test_second_factor_failures_count_in_the_login_limit(client: FlaskClient) -> None:
    secret, _codes = enrol(get_user("justice.tayninh"))
    for _ in range(2):
        assert post_login(client, "justice.tayninh", "wrong-password").status_code == 200
    # The right password is not a success that wipes the count: the code is still owed.
    post_login(client, "justice.tayninh", DEMO_PASSWORD)
    for _ in range(3):
        client.post("/login/code", data={"code": a_wrong_code(secret)})
    locked = client.post("/login/code", data={"code": code_at(secret, 1)})
    assert locked.status_code == 429
    assert LOCKED in locked.get_data(as_text=True)
    assert 14 * 60 < int(locked.headers["Retry-After"]) <= 15 * 60
    assert logged_in_as(client) is None
    assert post_login(client, "justice.tayninh", DEMO_PASSWORD).status_code == 429
    assert [a.succeeded for a in attempts("justice.tayninh")] == [False] * 5


def test_disabling_with_a_wrong_password_counts_too(client: FlaskClient) -> None:
    secret, _codes = enrol(get_user("justice.tayninh"))
    post_login(client, "justice.tayninh", DEMO_PASSWORD)
    client.post("/login/code", data={"code": code_at(secret, 1)})
    # A stolen session cannot guess the password through this form faster than through the login.
    for _ in range(5):
        response = client.post("/app/two-factor/disable", data={"password": "wrong-password", "code": "123456"})
        assert response.status_code == 401
    response = client.post("/app/two-factor/disable", data={"password": DEMO_PASSWORD, "code": code_at(secret, 1)})
    assert response.status_code == 429
    assert get_user("justice.tayninh").has_totp is True


# --- switching it off, and the administrator's reset -------------------------------------------------


def test_disabling_needs_the_password_and_a_code(client: FlaskClient) -> None:
    user = get_user("justice.tayninh")
    secret, codes = enrol(user)
    post_login(client, "justice.tayninh", DEMO_PASSWORD)
    assert client.post("/login/code", data={"code": codes[0]}).status_code == 302
    disable = "/app/two-factor/disable"
    assert client.post(disable, data={"password": DEMO_PASSWORD}).status_code == 422
    enrolment_code = pyotp.TOTP(secret).generate_otp(user.totp_last_step)
    assert client.post(disable, data={"password": DEMO_PASSWORD, "code": enrolment_code}).status_code == 401
    assert client.post(disable, data={"password": "wrong-password", "code": code_at(secret, 1)}).status_code == 401
    assert client.post(disable, data={"password": DEMO_PASSWORD, "code": code_at(secret, 1)}).status_code == 302
    db.session.expire_all()
    assert user.has_totp is False and user.totp_secret is None
    assert operations.recovery_codes_left(user) == 0
    assert len(events("user.totp_disable", user)) == 1
    client.post("/logout")
    assert post_login(client, "justice.tayninh", DEMO_PASSWORD).headers["Location"] == "/"


def test_an_admin_resets_a_lost_second_factor(client: FlaskClient, login) -> None:
    user = get_user("justice.tayninh")
    enrol(user)
    login("admin")
    edit = client.get(f"/app/user/edit/?id={user.id}").get_data(as_text=True)
    assert "Xóa xác thực hai bước (mất điện thoại)" in edit
    response = client.post(f"/app/user/{user.id}/reset-two-factor/")
    assert response.status_code == 302
    db.session.expire_all()
    assert user.has_totp is False and operations.recovery_codes_left(user) == 0
    [event] = events("user.totp_reset", user)
    assert event.actor_label == "admin" and event.before == {"totp": True} and event.after == {"totp": False}
    client.post("/logout")
    assert post_login(client, "justice.tayninh", DEMO_PASSWORD).headers["Location"] == "/"


def test_only_an_admin_resets(client: FlaskClient, login) -> None:
    user = get_user("justice.tayninh")
    enrol(user)
    login("office.tayninh")
    assert client.post(f"/app/user/{user.id}/reset-two-factor/").status_code == 403
    db.session.expire_all()
    assert user.has_totp is True
    with pytest.raises(operations.Forbidden):
        operations.start_totp_enrolment(get_user("education.tayninh"), actor=user)  # nobody enrols another


# --- the deployment requires it -----------------------------------------------------------------------


def test_a_required_role_enrols_right_after_the_password(client: FlaskClient, required) -> None:
    response = post_login(client, "office.tayninh", DEMO_PASSWORD)
    assert response.headers["Location"] == "/login/enrol"
    assert logged_in_as(client) is None
    assert client.get("/app/directive/").headers["Location"].startswith("/login")  # nothing else until enrolled
    assert attempts("office.tayninh") == []  # not a success yet

    page = client.get("/login/enrol").get_data(as_text=True)
    assert "bắt buộc dùng xác thực hai bước" in page and "Bắt đầu cài đặt" in page
    assert client.post("/login/enrol/start").headers["Location"] == "/login/enrol"
    page = client.get("/login/enrol")
    html = page.get_data(as_text=True)
    assert 'class="segno"' in html
    assert "script-src 'self' 'nonce-" in page.headers["Content-Security-Policy"]
    assert "<script>" not in html  # the QR code needs no script
    secret = SECRET_IN_PAGE.search(html).group(1).replace(" ", "")

    assert client.post("/login/enrol", data={"code": a_wrong_code(secret)}).status_code == 422
    assert logged_in_as(client) is None
    done = client.post("/login/enrol", data={"code": code_at(secret)})
    assert done.status_code == 200
    assert len(RECOVERY_IN_PAGE.findall(done.get_data(as_text=True))) == 10
    assert logged_in_as(client) == "office.tayninh"
    assert [a.succeeded for a in attempts("office.tayninh")] == [True]
    assert client.get("/app/directive/").status_code == 200


def test_a_role_not_required_signs_in_with_the_password(client: FlaskClient, required) -> None:
    assert post_login(client, "justice.tayninh", DEMO_PASSWORD).headers["Location"] == "/"


def test_an_open_session_of_a_required_role_is_sent_to_enrol(client: FlaskClient, login, app: Flask) -> None:
    login("office.tayninh")  # before the requirement
    app.config["TOTP_REQUIRED_ROLES"] = "office"
    try:
        response = client.get("/app/directive/")
        assert response.headers["Location"] == "/app/two-factor/"
        page = client.get("/app/two-factor/")
        assert page.status_code == 200
        assert "Vai trò của bạn bắt buộc dùng xác thực hai bước" in page.get_data(as_text=True)
    finally:
        app.config["TOTP_REQUIRED_ROLES"] = ""


def test_a_required_role_cannot_switch_it_off(required) -> None:
    user = get_user("office.tayninh")
    secret, _codes = enrol(user)
    with pytest.raises(operations.Conflict):
        operations.disable_totp(user, DEMO_PASSWORD, code_at(secret, 1), actor=user)
    assert user.has_totp is True


def test_an_unknown_required_role_is_a_configuration_error() -> None:
    with pytest.raises(ConfigError, match="unknown role 'ofice'"):
        create_app(TOTP_REQUIRED_ROLES="admin,ofice", SQLALCHEMY_DATABASE_URI="sqlite://")


# --- API tokens ---------------------------------------------------------------------------------------


def _token(client: FlaskClient, **body: str):  # type: ignore[no-untyped-def]
    return client.post("/api/v1/tokens", json={"username": "justice.tayninh", "password": DEMO_PASSWORD, **body})


def test_a_token_needs_the_code_of_an_enrolled_account(client: FlaskClient) -> None:
    user = get_user("justice.tayninh")
    secret, codes = enrol(user)
    missing = _token(client)
    assert missing.status_code == 401
    assert missing.mimetype == "application/problem+json"
    assert missing.get_json()["detail"] == "Tài khoản này đăng nhập bằng xác thực hai bước: cần nhập mã xác thực."
    assert missing.headers["WWW-Authenticate"] == 'Bearer realm="api"'
    wrong = _token(client, totp_code=a_wrong_code(secret))
    assert wrong.status_code == 401 and wrong.get_json()["detail"] == WRONG_CODE
    code = code_at(secret, 1)
    issued = _token(client, totp_code=code)
    assert issued.status_code == 201
    me = client.get("/api/v1/me", headers={"Authorization": f"Bearer {issued.get_json()['token']}"})
    assert me.get_json()["username"] == "justice.tayninh"
    assert _token(client, totp_code=code).status_code == 401  # replayed
    assert _token(client, totp_code=codes[0]).status_code == 201  # a recovery code, once
    assert _token(client, totp_code=codes[0]).status_code == 401
    assert [a.succeeded for a in attempts("justice.tayninh")] == [False, True, False, True, False]


def test_a_token_is_refused_to_a_required_role_not_enrolled(client: FlaskClient, required) -> None:
    response = client.post("/api/v1/tokens", json={"username": "office.tayninh", "password": DEMO_PASSWORD})
    assert response.status_code == 403
    assert "bắt buộc xác thực hai bước" in response.get_json()["detail"]


def test_the_api_documents_totp_code(client: FlaskClient) -> None:
    spec = client.get("/api/v1/openapi.json").get_json()
    body = spec["components"]["schemas"]["TokenRequest"]["properties"]
    assert "totp_code" in body and body["totp_code"]["maxLength"] == 32
    responses = spec["paths"]["/api/v1/tokens"]["post"]["responses"]
    assert {"201", "401", "403", "429"} <= set(responses)


# --- the shell ----------------------------------------------------------------------------------------


def test_the_cli_resets_a_second_factor(app: Flask) -> None:
    user = get_user("admin")
    enrol(user)
    result = app.test_cli_runner().invoke(args=["users", "reset-2fa", "admin"])
    assert result.exit_code == 0, result.output
    assert "Second factor removed for admin." in result.output
    db.session.expire_all()
    assert user.has_totp is False
    [event] = events("user.totp_reset", user)
    assert event.actor_label == "system:cli"
    again = app.test_cli_runner().invoke(args=["users", "reset-2fa", "admin"])
    assert again.exit_code == 1
    assert "Người dùng này chưa cài đặt xác thực hai bước." in again.output


def test_a_replay_on_a_worker_that_missed_the_first_use_is_refused(app: Flask) -> None:
    user = get_user("justice.tayninh")
    secret, _codes = enrol(user)
    code = code_at(secret, 1)
    operations.verify_second_factor(user, code)  # one gunicorn worker
    db.session.commit()
    # Another worker loaded the user before that commit: its copy still holds the enrolment's step.
    set_committed_value(user, "totp_last_step", user.totp_last_step - 1)
    with pytest.raises(operations.WrongCode):
        operations.verify_second_factor(user, code)


def test_the_qr_code_carries_the_account_and_the_issuer(app: Flask) -> None:
    user = get_user("justice.tayninh")
    uri = totp.provisioning_uri("JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP", user)
    assert uri == (
        "otpauth://totp/Theo%20d%C3%B5i%20nhi%E1%BB%87m%20v%E1%BB%A5:justice.tayninh"
        "?secret=JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP&issuer=Theo%20d%C3%B5i%20nhi%E1%BB%87m%20v%E1%BB%A5"
    )


def test_a_reset_while_the_code_page_is_open_sends_back_to_the_login(client: FlaskClient) -> None:
    user = get_user("justice.tayninh")
    enrol(user)
    post_login(client, "justice.tayninh", DEMO_PASSWORD)
    operations.reset_totp(user, actor=get_user("admin"))
    db.session.commit()
    assert client.get("/login/code").headers["Location"] == "/login"
    assert attempts("justice.tayninh") == []
