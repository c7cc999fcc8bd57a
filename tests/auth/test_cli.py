"""`flask users create` and `flask users set-password`, and their clean failures."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from coordination.audit import AuditEvent
from coordination.auth.models import Role, User
from coordination.extensions import db
from tests.conftest import DEMO_PASSWORD, get_user


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


GOOD_PASSWORD = "a-good-password"


def create(runner, *args, password=GOOD_PASSWORD, input=None):
    base = ["users", "create", "new.officer", "--full-name", "Võ Thị Mai", "--role", "officer"]
    extra = ["--password", password] if password is not None else []
    return runner.invoke(args=[*base, *args, *extra], input=input)


def find(username):
    return db.session.scalar(sa.select(User).where(User.username == username))


def test_create_a_user(runner, client):
    result = create(runner, "--agency", "TN-STP", "--email", "mai@example.org")
    assert result.exit_code == 0, result.output
    assert "Created user new.officer" in result.output
    user = get_user("new.officer")
    assert (user.full_name, user.role, user.agency.code, user.email) == (
        "Võ Thị Mai",
        Role.officer,
        "TN-STP",
        "mai@example.org",
    )
    assert user.password_hash.startswith("$argon2id$")
    assert user.check_password("a-good-password")
    event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "user.create"))
    assert (event.entity_id, event.actor_id, event.system_actor, event.actor_label) == (
        user.id,
        None,
        "system:cli",
        "system:cli",
    )
    assert event.after["username"] == "new.officer"
    response = client.post("/login", data={"username": "new.officer", "password": "a-good-password"})
    assert response.status_code == 302


def test_create_prompts_for_the_password(runner):
    result = create(runner, "--agency", "TN-STP", password=None, input="typed-password\ntyped-password\n")
    assert result.exit_code == 0, result.output
    assert get_user("new.officer").check_password("typed-password")


def test_create_an_admin_without_agency(runner):
    result = runner.invoke(
        args=["users", "create", "root2", "--full-name", "Admin Two", "--role", "admin", "--password", "long-enough"]
    )
    assert result.exit_code == 0, result.output
    assert get_user("root2").agency is None


@pytest.mark.parametrize(
    ("args", "password", "message"),
    [
        (["--agency", "NO-SUCH"], "a-good-password", "Không có cơ quan mã NO-SUCH."),
        ([], "a-good-password", "Vai trò officer cần thuộc một cơ quan."),
        (["--agency", "TN-STP"], "short", "Mật khẩu phải có ít nhất 10 ký tự."),
        (["--agency", "TN-STP", "--email", "not-an-email"], "a-good-password", "Địa chỉ email không hợp lệ"),
    ],
)
def test_create_refuses_bad_input(runner, args, password, message):
    result = create(runner, *args, password=password)
    assert result.exit_code == 1
    assert message in result.output
    assert find("new.officer") is None


@pytest.mark.parametrize("username", ["justice.tayninh", "Justice.TayNinh"])
def test_create_refuses_a_taken_username(runner, username):
    before = db.session.scalar(sa.select(sa.func.count(User.id)))
    result = runner.invoke(
        args=[
            *("users", "create", username, "--full-name", "X", "--role", "officer"),
            *("--agency", "TN-STP", "--password", GOOD_PASSWORD),
        ]
    )
    assert result.exit_code == 1
    assert "đã có" in result.output
    assert db.session.scalar(sa.select(sa.func.count(User.id))) == before


def test_create_refuses_a_bad_username(runner):
    result = runner.invoke(
        args=["users", "create", "bad name", "--full-name", "X", "--role", "admin", "--password", "a-good-password"]
    )
    assert result.exit_code == 1
    assert "Tên đăng nhập chỉ gồm" in result.output


def test_create_refuses_an_unknown_role(runner):
    result = create(runner, "--agency", "TN-STP", "--role", "superuser")
    assert result.exit_code == 2
    assert "Invalid value for '--role'" in result.output
    assert find("new.officer") is None


def test_set_password(runner, client):
    result = runner.invoke(args=["users", "set-password", "justice.tayninh", "--password", "new-password-1"])
    assert result.exit_code == 0, result.output
    assert "Password changed for justice.tayninh." in result.output
    db.session.expire_all()
    user = get_user("justice.tayninh")
    assert user.check_password("new-password-1")
    assert not user.check_password(DEMO_PASSWORD)
    assert db.session.scalar(
        sa.select(sa.func.count(AuditEvent.id)).where(
            AuditEvent.action == "user.set_password", AuditEvent.entity_id == user.id
        )
    )
    assert client.post("/login", data={"username": "justice.tayninh", "password": DEMO_PASSWORD}).status_code == 200
    assert client.post("/login", data={"username": "justice.tayninh", "password": "new-password-1"}).status_code == 302


def test_set_password_prompts_and_confirms(runner):
    result = runner.invoke(args=["users", "set-password", "justice.tayninh"], input="first-one\nsecond-one\n")
    assert result.exit_code != 0
    assert "do not match" in result.output or "Aborted" in result.output
    db.session.expire_all()
    assert get_user("justice.tayninh").check_password(DEMO_PASSWORD)


def test_set_password_of_an_unknown_user_fails(runner):
    result = runner.invoke(args=["users", "set-password", "nobody.here", "--password", "new-password-1"])
    assert result.exit_code == 1
    assert "Không có người dùng nobody.here." in result.output


def test_set_password_refuses_a_short_one(runner):
    result = runner.invoke(args=["users", "set-password", "justice.tayninh", "--password", "short"])
    assert result.exit_code == 1
    assert "Mật khẩu phải có ít nhất 10 ký tự." in result.output
    db.session.expire_all()
    assert get_user("justice.tayninh").check_password(DEMO_PASSWORD)
