"""/readyz: 200 when the database answers at the migrations' head, 503 with the reason otherwise."""

from __future__ import annotations

from pathlib import Path

from flask_migrate import upgrade

from coordination.extensions import db
from coordination.observability.health import migration_heads
from tests.conftest import make_test_app


def test_heads_are_the_migrations_last_revision() -> None:
    # One head (tests/test_migrations.py); it is the newest numbered revision.
    assert len(migration_heads()) == 1
    newest = sorted(p.name for p in (Path(__file__).parents[2] / "migrations" / "versions").glob("0*.py"))[-1]
    assert newest.startswith(migration_heads()[0])


def test_ready_on_the_migrated_database(client) -> None:
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "schema": list(migration_heads())}


def test_healthz_and_readyz_need_no_login(client) -> None:
    # No session: the answers are the same as for anyone, never the login page.
    assert client.get("/healthz").status_code == 200
    assert client.get("/readyz").status_code == 200


def test_not_ready_when_a_migration_is_missing(scratch_database: str, tmp_path) -> None:  # type: ignore[no-untyped-def]
    app = make_test_app(str(tmp_path), scratch_database)
    with app.app_context():
        upgrade(revision="0003")
        response = app.test_client().get("/readyz")
        db.engine.dispose()
    assert response.status_code == 503
    assert response.get_json() == {
        "status": "unavailable",
        "reason": f"database schema at 0003, code expects {migration_heads()[0]}",
    }


def test_not_ready_when_the_sqlite_file_is_gone(tmp_path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "gone.db"
    app = make_test_app(str(tmp_path), f"sqlite:///{path}")
    client = app.test_client()
    with app.app_context():
        upgrade()
        assert client.get("/readyz").status_code == 200
        db.engine.dispose()
        path.unlink()
        response = client.get("/readyz")
        db.engine.dispose()
    # SQLite opens a new empty file in its place: a database without the schema.
    assert response.status_code == 503
    assert response.get_json()["reason"] == f"database schema at nothing, code expects {migration_heads()[0]}"


def test_not_ready_when_postgresql_refuses(tmp_path) -> None:  # type: ignore[no-untyped-def]
    # Port 1 on loopback: nothing listens, the connection is refused at once.
    app = make_test_app(str(tmp_path), "postgresql+psycopg://coordination@127.0.0.1:1/coordination")
    response = app.test_client().get("/readyz")
    assert response.status_code == 503
    body = response.get_json()
    assert body["status"] == "unavailable"
    assert body["reason"].startswith("database unreachable: ")
    assert "refused" in body["reason"]
