"""A pooled PostgreSQL connection is pinged before use only after it sat idle (coordination.db.ping_if_idle).

Issue 14: SQLAlchemy's pool_pre_ping cost a round trip on every request; under load it waited for the busy
server like any query (15 % of an API list's time). A connection killed while idle is still replaced before
any request sees it; one killed within moments of its last use fails once, as a connection lost mid-request does.
"""

from __future__ import annotations

import importlib
import os
import time

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import OperationalError

from coordination.extensions import db
from tests.conftest import make_test_app

# the module, not the package's `db` (Flask-SQLAlchemy's object) that `from coordination import db` finds
database_module = importlib.import_module("coordination.db")

pytestmark = pytest.mark.skipif(
    not (os.environ.get("TEST_DATABASE_URL") or "").startswith("postgresql"), reason="PostgreSQL's connections"
)


def _backend(app) -> int:  # type: ignore[no-untyped-def]
    with app.app_context():
        pid = db.session.execute(sa.select(sa.func.pg_backend_pid())).scalar_one()
        db.session.remove()  # back to the pool
    return pid


def _kill(url: str, pid: int) -> None:
    admin = sa.create_engine(url, poolclass=sa.pool.NullPool)
    with admin.connect() as connection:
        assert connection.execute(sa.select(sa.func.pg_terminate_backend(pid))).scalar_one() is True
        for _ in range(100):  # the backend is gone once it no longer shows in pg_stat_activity
            if not connection.execute(sa.text("SELECT 1 FROM pg_stat_activity WHERE pid = :p"), {"p": pid}).first():
                break
            time.sleep(0.02)
    admin.dispose()


@pytest.fixture
def pooled_app(database: str, tmp_path):  # type: ignore[no-untyped-def]
    app = make_test_app(str(tmp_path), database)
    yield app
    with app.app_context():
        db.engine.dispose()


def test_no_ping_on_every_checkout(pooled_app) -> None:  # type: ignore[no-untyped-def]
    with pooled_app.app_context():
        assert db.engine.pool._pre_ping is False


def test_a_connection_killed_while_idle_is_replaced_before_use(pooled_app, database, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(database_module, "PING_AFTER_IDLE_SECONDS", 0.0)
    first = _backend(pooled_app)
    _kill(database, first)
    second = _backend(pooled_app)  # the ping found it dead: a new connection, no error
    assert second != first


def test_a_connection_used_moments_ago_is_not_pinged(pooled_app, database, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(database_module, "PING_AFTER_IDLE_SECONDS", 3600.0)
    first = _backend(pooled_app)
    _kill(database, first)
    with pytest.raises(OperationalError):  # no round trip before use: the dead connection is found by the query
        _backend(pooled_app)
    assert _backend(pooled_app) != first  # and replaced for the next request
