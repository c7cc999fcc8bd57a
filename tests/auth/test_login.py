"""The login form: success, refusals, logout, the session that follows."""

from __future__ import annotations

import sqlalchemy as sa
from argon2 import PasswordHasher

from coordination.auth.models import LoginAttempt, User
from coordination.extensions import db
from tests.conftest import DEMO_PASSWORD, get_user

WRONG = "Tên đăng nhập hoặc mật khẩu không đúng."


def post_login(client, username, password, **kwargs):
    return client.post("/login", data={"username": username, "password": password}, **kwargs)


def logged_in_as(client) -> str | None:
    with client.session_transaction() as session:
        user_id = session.get("_user_id")
    return db.session.get(User, int(user_id.split(":")[0])).username if user_id else None


def attempts(username: str) -> list[LoginAttempt]:
    query = sa.select(LoginAttempt).where(LoginAttempt.username == username).order_by(LoginAttempt.id)
    return list(db.session.scalars(query))


def test_login_page_renders_in_vietnamese_for_a_phone(client):
    response = client.get("/login")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert '<html lang="vi">' in html
    assert 'name="viewport" content="width=device-width, initial-scale=1"' in html
    assert "Tên đăng nhập" in html and "Mật khẩu" in html
    assert 'autocomplete="current-password"' in html
    assert "bootstrap.min.css" in html


def test_login_ok_opens_the_app(client):
    response = post_login(client, "justice.tayninh", DEMO_PASSWORD)
    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    assert logged_in_as(client) == "justice.tayninh"
    home = client.get("/")
    assert home.status_code == 302
    assert home.headers["Location"] == "/app/"


def test_login_records_the_success_and_the_time(client):
    before = get_user("justice.tayninh").last_login_at
    post_login(client, "justice.tayninh", DEMO_PASSWORD, environ_base={"REMOTE_ADDR": "203.0.113.7"})
    db.session.expire_all()
    user = get_user("justice.tayninh")
    assert user.last_login_at is not None and user.last_login_at != before
    [attempt] = attempts("justice.tayninh")
    assert attempt.succeeded is True
    assert attempt.remote_addr == "203.0.113.7"


def test_login_page_of_a_logged_in_user_goes_home(client, login):
    login("justice.tayninh")
    response = client.get("/login")
    assert response.status_code == 302
    assert response.headers["Location"] == "/"


def test_wrong_password_shows_the_message_and_does_not_log_in(client):
    response = post_login(client, "justice.tayninh", "not-the-password")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert WRONG in html
    assert 'value="justice.tayninh"' in html  # the username stays filled in
    assert logged_in_as(client) is None
    assert client.get("/").headers["Location"].startswith("/login")
    [attempt] = attempts("justice.tayninh")
    assert attempt.succeeded is False


def test_unknown_user_gets_the_same_message(client):
    response = post_login(client, "nobody.here", DEMO_PASSWORD)
    assert response.status_code == 200
    assert WRONG in response.get_data(as_text=True)
    assert logged_in_as(client) is None
    assert [a.succeeded for a in attempts("nobody.here")] == [False]


def test_empty_form_asks_for_both_fields_without_counting_an_attempt(client):
    response = client.post("/login", data={"username": "", "password": ""})
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Vui lòng nhập tên đăng nhập." in html
    assert "Vui lòng nhập mật khẩu." in html
    assert db.session.scalar(sa.select(sa.func.count(LoginAttempt.id))) == 0


def test_overlong_username_is_a_form_error_not_a_500(client):
    response = post_login(client, "x" * 500, "whatever-password")
    assert response.status_code == 200
    assert "Tối đa 80 ký tự." in response.get_data(as_text=True)


def test_inactive_user_is_refused_with_a_message(client):
    user = get_user("justice.tayninh")
    user.active = False
    db.session.commit()
    response = post_login(client, "justice.tayninh", DEMO_PASSWORD)
    assert response.status_code == 403
    assert "Tài khoản này đã ngừng hoạt động" in response.get_data(as_text=True)
    assert logged_in_as(client) is None


def test_inactive_user_with_a_wrong_password_learns_nothing_more(client):
    user = get_user("justice.tayninh")
    user.active = False
    db.session.commit()
    response = post_login(client, "justice.tayninh", "not-the-password")
    assert response.status_code == 200
    assert WRONG in response.get_data(as_text=True)


def test_a_user_deactivated_after_login_loses_the_session(client, login):
    login("justice.tayninh")
    assert client.get("/").headers["Location"] == "/app/"
    get_user("justice.tayninh").active = False
    db.session.commit()
    assert client.get("/").headers["Location"].startswith("/login")


def test_logout_ends_the_session(client, login):
    login("justice.tayninh")
    response = client.post("/logout")
    assert response.status_code == 302
    assert response.headers["Location"] == "/login"
    assert logged_in_as(client) is None
    assert client.get("/").headers["Location"].startswith("/login")
    assert "Bạn đã đăng xuất." in client.get("/login").get_data(as_text=True)


def test_logout_by_get_is_not_allowed(client, login):
    login("justice.tayninh")
    # A GET of an action URL leads back to a page (issue 11) and changes nothing: still signed in.
    response = client.get("/logout")
    assert response.status_code == 303 and response.headers["Location"] == "/"
    assert logged_in_as(client) == "justice.tayninh"


def test_password_is_stored_as_argon2id_and_verifies(app):
    user = get_user("justice.tayninh")
    assert user.password_hash.startswith("$argon2id$")
    assert DEMO_PASSWORD not in user.password_hash
    assert user.check_password(DEMO_PASSWORD)
    assert not user.check_password("demo-2027")
    assert not user.password_needs_rehash


def test_login_upgrades_a_weak_hash(client):
    user = get_user("justice.tayninh")
    user.password_hash = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1).hash(DEMO_PASSWORD)
    db.session.commit()
    assert user.password_needs_rehash
    weak = user.password_hash
    assert post_login(client, "justice.tayninh", DEMO_PASSWORD).status_code == 302
    db.session.expire_all()
    user = get_user("justice.tayninh")
    assert user.password_hash != weak
    assert user.password_hash.startswith("$argon2id$")
    assert not user.password_needs_rehash
    assert user.check_password(DEMO_PASSWORD)
