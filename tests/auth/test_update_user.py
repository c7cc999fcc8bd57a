"""Changing an account goes through one audited operation."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from coordination.audit import AuditEvent
from coordination.auth.operations import update_user
from coordination.errors import Forbidden, Invalid
from coordination.extensions import db
from tests.conftest import get_user


def test_admin_changes_a_role_and_the_history_says_so(app) -> None:
    officer = get_user("education.tayninh")
    update_user(officer, {"role": "monitor", "is_head": True}, actor=get_user("admin"))
    assert (officer.role.value, officer.is_head) == ("monitor", True)
    event = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == "user.update")).one()
    assert event.before["role"] == "officer" and event.after["role"] == "monitor"


def test_nothing_changed_records_nothing(app) -> None:
    update_user(get_user("education.tayninh"), {}, actor=get_user("admin"))
    assert db.session.scalar(sa.select(sa.func.count(AuditEvent.id)).where(AuditEvent.action == "user.update")) == 0


def test_admin_cannot_lock_themselves_out(app) -> None:
    admin = get_user("admin")
    with pytest.raises(Invalid):
        update_user(admin, {"active": False}, actor=admin)
    with pytest.raises(Invalid):
        update_user(admin, {"role": "office"}, actor=admin)
    assert admin.active and admin.role.value == "admin"


def test_only_admin_may(app) -> None:
    with pytest.raises(Forbidden):
        update_user(get_user("education.tayninh"), {"role": "admin"}, actor=get_user("office.tayninh"))


def test_non_admin_needs_an_agency(app) -> None:
    with pytest.raises(Invalid):
        update_user(get_user("education.tayninh"), {"agency": None}, actor=get_user("admin"))
