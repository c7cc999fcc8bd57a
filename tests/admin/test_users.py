"""Accounts through the admin form (argon2id, never a hash on screen), and CSRF on Flask-Admin forms."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from coordination.agencies.models import Agency
from coordination.audit import AuditEvent
from coordination.auth.models import Role, User
from coordination.extensions import db
from tests.conftest import DEMO_PASSWORD, csrf_token_in, get_user


def _agency_id(code: str) -> int:
    return db.session.scalar(sa.select(Agency.id).where(Agency.code == code))


def _new_user_form(**overrides: str) -> dict[str, str]:
    data = {
        "username": "lan.stp2",
        "full_name": "Trần Thị Lan",
        "email": "lan@example.org",
        "agency": str(_agency_id("TN-STP")),
        "role": "officer",
        "password": "mot-mat-khau-dai",
    }
    data.update(overrides)
    return data


def test_admin_creates_a_user_through_the_form(client, login):
    login("admin")
    response = client.post("/app/user/new/", data=_new_user_form())
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    user = get_user("lan.stp2")
    assert user.password_hash.startswith("$argon2id$")
    assert user.check_password("mot-mat-khau-dai")
    assert user.role == Role.officer
    assert user.agency.code == "TN-STP"
    assert db.session.scalar(
        sa.select(AuditEvent.id).where(AuditEvent.entity_type == "user", AuditEvent.entity_id == user.id)
    )
    listing = client.get("/app/user/?search=lan.stp2").get_data(as_text=True)
    assert "lan.stp2" in listing and "$argon2" not in listing
    edit = client.get(f"/app/user/edit/?id={user.id}").get_data(as_text=True)
    assert "$argon2" not in edit and "mot-mat-khau-dai" not in edit


@pytest.mark.parametrize(
    "overrides, field",
    [
        ({"password": "short"}, "password"),
        ({"username": "admin"}, "username"),
        ({"agency": "", "role": "officer"}, "agency"),
    ],
)
def test_create_refuses_bad_input(client, login, overrides, field):
    login("admin")
    data = _new_user_form(**overrides)
    response = client.post("/app/user/new/", data=data)
    assert response.status_code == 200  # the form again, with the error
    assert db.session.scalar(sa.select(sa.func.count(User.id)).where(User.full_name == "Trần Thị Lan")) == 0


def test_admin_edits_role_and_password(client, login):
    login("admin")
    target = get_user("education.tayninh")
    data = {
        "full_name": target.full_name,
        "email": target.email or "",
        "agency": str(target.agency_id),
        "role": "monitor",
        "active": "y",
        "password": "mat-khau-moi-2026",
    }
    response = client.post(f"/app/user/edit/?id={target.id}", data=data)
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    db.session.expire_all()
    target = get_user("education.tayninh")
    assert target.role == Role.monitor
    assert target.check_password("mat-khau-moi-2026")
    actions = set(db.session.scalars(sa.select(AuditEvent.action).where(AuditEvent.entity_id == target.id)))
    assert {"user.update", "user.set_password"} <= actions


def test_admin_cannot_lock_themselves_out(client, login):
    login("admin")
    me = get_user("admin")
    response = client.post(f"/app/user/edit/?id={me.id}", data={"full_name": me.full_name, "role": "officer"})
    assert response.status_code == 200
    db.session.expire_all()
    assert get_user("admin").role == Role.admin and get_user("admin").active


def test_admin_edits_an_agency_with_an_audit_event(client, login):
    login("admin")
    agency = db.session.scalar(sa.select(Agency).where(Agency.code == "TN-STP"))
    data = {
        "code": agency.code,
        "name_vi": agency.name_vi,
        "name_en": agency.name_en or "",
        "short_name": "STP",
        "kind": agency.kind.value,
        "level": agency.level.value,
        "parent": str(agency.parent_id),
        "active": "y",
    }
    response = client.post(f"/app/agency/edit/?id={agency.id}", data=data)
    assert response.status_code == 302, response.get_data(as_text=True)[:3000]
    db.session.expire_all()
    assert db.session.get(Agency, agency.id).short_name == "STP"
    event = db.session.scalar(
        sa.select(AuditEvent).where(AuditEvent.entity_type == "agency", AuditEvent.entity_id == agency.id)
    )
    assert event.action == "agency.update" and event.after["short_name"] == "STP"


# --- CSRF: a second app with CSRF on --------------------------------------------------------------


def _login(client, username: str) -> None:
    token = csrf_token_in(client.get("/login").get_data(as_text=True))
    response = client.post("/login", data={"username": username, "password": DEMO_PASSWORD, "csrf_token": token})
    assert response.status_code == 302


def test_admin_form_post_without_token_is_refused(csrf_client):
    _login(csrf_client, "admin")
    response = csrf_client.post("/app/user/new/", data=_new_user_form())
    assert response.status_code == 400
    assert db.session.scalar(sa.select(User.id).where(User.username == "lan.stp2")) is None


def test_admin_form_post_with_its_token_is_accepted(csrf_client):
    _login(csrf_client, "admin")
    form = csrf_client.get("/app/user/new/").get_data(as_text=True)
    response = csrf_client.post("/app/user/new/", data={**_new_user_form(), "csrf_token": csrf_token_in(form)})
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    assert get_user("lan.stp2").password_hash.startswith("$argon2id$")


def test_logout_button_carries_a_workingcsrf_token_in(csrf_client):
    _login(csrf_client, "justice.tayninh")
    page = csrf_client.get("/app/").get_data(as_text=True)
    logout_form = page[page.index('action="/logout"') :]
    response = csrf_client.post("/logout", data={"csrf_token": csrf_token_in(logout_form)})
    assert response.status_code == 302
    assert csrf_client.get("/app/").headers["Location"].startswith("/login")
