"""Too many failed logins lock the username for a while, counted in the database."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from coordination.auth import operations
from coordination.auth.models import LoginAttempt
from coordination.db import utcnow
from coordination.extensions import db
from tests.auth.test_login import attempts, logged_in_as, post_login
from tests.conftest import DEMO_PASSWORD

LOCKED = "Tài khoản tạm khóa do đăng nhập sai nhiều lần. Vui lòng thử lại sau"


def fail(client, username="justice.tayninh", times=1):
    for _ in range(times):
        response = post_login(client, username, "wrong-password")
        assert response.status_code == 200, response.status_code


def add_failures(username: str, ago: timedelta, times: int = 5) -> None:
    """Failures made in the past, as another gunicorn worker would have written them."""
    for _ in range(times):
        db.session.add(LoginAttempt(username=username, attempted_at=utcnow() - ago, succeeded=False))
    db.session.commit()


def test_five_failures_lock_even_the_right_password_out(client):
    fail(client, times=5)
    response = post_login(client, "justice.tayninh", DEMO_PASSWORD)
    assert response.status_code == 429
    html = response.get_data(as_text=True)
    assert f"{LOCKED} 15 phút." in html
    assert 14 * 60 < int(response.headers["Retry-After"]) <= 15 * 60
    assert logged_in_as(client) is None
    assert client.get("/").headers["Location"].startswith("/login")


def test_four_failures_still_let_the_right_password_in(client):
    fail(client, times=4)
    assert post_login(client, "justice.tayninh", DEMO_PASSWORD).status_code == 302


def test_refusals_while_locked_are_not_counted(client):
    # Counting them would keep the lock shut for as long as someone keeps trying.
    fail(client, times=5)
    for _ in range(3):
        assert post_login(client, "justice.tayninh", "wrong-password").status_code == 429
    assert len(attempts("justice.tayninh")) == 5


def test_the_lock_is_per_username(client):
    fail(client, "justice.tayninh", times=5)
    assert post_login(client, "education.tayninh", DEMO_PASSWORD).status_code == 302


def test_unknown_usernames_lock_too(client):
    # Otherwise the lock would tell which usernames exist.
    fail(client, "nobody.here", times=5)
    response = post_login(client, "nobody.here", "wrong-password")
    assert response.status_code == 429
    assert LOCKED in response.get_data(as_text=True)


def test_failures_before_a_success_no_longer_count_but_stay_in_the_history(client):
    fail(client, times=4)
    assert post_login(client, "justice.tayninh", DEMO_PASSWORD).status_code == 302
    client.post("/logout")
    fail(client, times=4)
    assert post_login(client, "justice.tayninh", DEMO_PASSWORD).status_code == 302
    assert [a.succeeded for a in attempts("justice.tayninh")] == [False] * 4 + [True] + [False] * 4 + [True]


def test_the_lock_expires_after_the_window(client):
    add_failures("justice.tayninh", ago=timedelta(minutes=16))
    assert post_login(client, "justice.tayninh", DEMO_PASSWORD).status_code == 302


def test_failures_inside_the_window_written_by_another_worker_lock(client):
    add_failures("justice.tayninh", ago=timedelta(minutes=14))
    response = post_login(client, "justice.tayninh", DEMO_PASSWORD)
    assert response.status_code == 429
    assert f"{LOCKED} 1 phút." in response.get_data(as_text=True)


def test_the_lock_lifts_when_the_fifth_newest_failure_leaves_the_window(client):
    add_failures("justice.tayninh", ago=timedelta(minutes=20), times=3)
    add_failures("justice.tayninh", ago=timedelta(minutes=10), times=2)
    assert post_login(client, "justice.tayninh", DEMO_PASSWORD).status_code == 302


@pytest.mark.parametrize(("max_failures", "minutes", "locked"), [(2, 15, True), (3, 15, False), (2, 1, False)])
def test_the_limits_come_from_the_config(app, monkeypatch, max_failures, minutes, locked):
    monkeypatch.setitem(app.config, "LOGIN_MAX_FAILURES", max_failures)
    monkeypatch.setitem(app.config, "LOGIN_LOCKOUT_MINUTES", minutes)
    add_failures("justice.tayninh", ago=timedelta(minutes=2), times=2)
    assert operations.is_locked_out("justice.tayninh") is locked


def test_authenticate_raises_and_records(app):
    with app.test_request_context():
        with pytest.raises(operations.InvalidCredentials):
            operations.authenticate("justice.tayninh", "wrong-password", "198.51.100.1")
        user = operations.authenticate("justice.tayninh", DEMO_PASSWORD, "198.51.100.1")
        assert user.username == "justice.tayninh"
        add_failures("justice.tayninh", ago=timedelta(0))  # after the success: these count
        with pytest.raises(operations.LockedOut) as refused:
            operations.authenticate("justice.tayninh", DEMO_PASSWORD, "198.51.100.1")
    assert refused.value.status == 429
    rows = db.session.execute(
        sa.select(LoginAttempt.succeeded, LoginAttempt.remote_addr)
        .where(LoginAttempt.remote_addr == "198.51.100.1")
        .order_by(LoginAttempt.id)
    ).all()
    assert [tuple(r) for r in rows] == [(False, "198.51.100.1"), (True, "198.51.100.1")]
