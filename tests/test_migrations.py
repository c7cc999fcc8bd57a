"""Migrations build the schema from nothing, match the models exactly, and go down and up again."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade

from coordination.db import alembic_include_object
from coordination.extensions import db
from tests.conftest import make_test_app


def _drift() -> list:
    with db.engine.connect() as connection:
        context = MigrationContext.configure(
            connection, opts={"compare_type": True, "include_object": alembic_include_object}
        )
        return compare_metadata(context, db.metadata)


def _seed_agency(connection: sa.Connection) -> None:
    """Agency 1, as the early schema (0001–0004) stores it."""
    connection.exec_driver_sql(
        "INSERT INTO agency (id, code, name_vi, kind, level, active)"
        " VALUES (1, 'X', 'Sở X', 'department', 'province', true)"
    )


def _seed_agency_and_user(connection: sa.Connection, role: str) -> None:
    """Agency 1 and its user 1 ('u') with `role`, as the early schema (0001–0004) stores them."""
    _seed_agency(connection)
    connection.execute(
        sa.text(
            "INSERT INTO user_account (id, username, full_name, agency_id, role, is_head, password_hash, active,"
            " created_at) VALUES (1, 'u', 'U', 1, :role, false, '', true, CURRENT_TIMESTAMP)"
        ),
        {"role": role},
    )


def test_upgrade_from_empty_matches_models_then_down_and_up(scratch_database: str, tmp_path) -> None:  # type: ignore[no-untyped-def]
    app = make_test_app(str(tmp_path), scratch_database)
    with app.app_context():
        upgrade()
        tables = set(sa.inspect(db.engine).get_table_names())
        assert {"agency", "directive", "task", "assignment", "audit_event", "alembic_version"} <= tables
        assert _drift() == []
        downgrade(revision="base")
        assert set(sa.inspect(db.engine).get_table_names()) <= {"alembic_version"}
        upgrade()
        assert "assignment" in sa.inspect(db.engine).get_table_names()
        db.engine.dispose()


def test_single_head() -> None:
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    config = Config()
    config.set_main_option("script_location", "migrations")
    assert len(ScriptDirectory.from_config(config).get_heads()) == 1


def test_upgrade_keeps_existing_rows(scratch_database: str, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """Later migrations run on a database holding data (SQLite batch mode recreates referenced tables)."""
    app = make_test_app(str(tmp_path), scratch_database)
    with app.app_context():
        upgrade(revision="0001")
        with db.engine.begin() as connection:
            _seed_agency_and_user(connection, "officer")
            connection.exec_driver_sql(
                "INSERT INTO audit_event (occurred_at, actor_id, actor_label, entity_type, entity_id, action)"
                " VALUES (CURRENT_TIMESTAMP, 1, 'u', 'user', 1, 'user.create')"
            )
            connection.exec_driver_sql(
                "INSERT INTO audit_event (occurred_at, actor_id, actor_label, entity_type, entity_id, action)"
                " VALUES (CURRENT_TIMESTAMP, NULL, 'system', 'user', 1, 'user.set_password')"
            )
        upgrade()
        with db.engine.connect() as connection:
            assert connection.exec_driver_sql("SELECT username FROM user_account").scalar_one() == "u"
            # 0008: an existing user's nonce is empty, so the sessions that named the id alone end once.
            assert connection.exec_driver_sql("SELECT session_nonce FROM user_account").scalar_one() == ""
            rows = connection.exec_driver_sql(
                "SELECT actor_id, system_actor, actor_label FROM audit_event ORDER BY id"
            ).all()
            assert [tuple(r) for r in rows] == [(1, None, "u"), (None, "system", "system")]
        # 0004 chained the existing history: the first event has no predecessor, the second links to it.
        from coordination.audit import verify_chain

        assert verify_chain() == (2, None)
        with db.engine.connect() as connection:
            chain = connection.exec_driver_sql("SELECT prev_hash, hash FROM audit_event ORDER BY id").all()
        assert chain[0][0] is None and chain[1][0] == chain[0][1]
        db.session.remove()
        downgrade(revision="0003")
        with db.engine.connect() as connection:
            assert connection.exec_driver_sql("SELECT count(*) FROM audit_event").scalar_one() == 2
            assert "hash" not in {c["name"] for c in sa.inspect(connection).get_columns("audit_event")}
        upgrade()
        assert verify_chain() == (2, None)
        db.session.remove()
        # The history stays append-only and names exactly one actor after the table was rebuilt.
        for statement in (
            "UPDATE audit_event SET action = 'x'",
            "DELETE FROM audit_event",
            "INSERT INTO audit_event (occurred_at, actor_id, system_actor, actor_label, entity_type, entity_id,"
            " action) VALUES (CURRENT_TIMESTAMP, NULL, NULL, '?', 'user', 1, 'user.update')",
        ):
            with pytest.raises(sa.exc.DBAPIError), db.engine.begin() as connection:
                connection.exec_driver_sql(statement)
        db.engine.dispose()


def test_0005_queue_notices_keeps_notices_and_explanations(scratch_database: str, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """0005 adds the read mark and the notices' event key on tables holding rows, and takes them away again."""
    app = make_test_app(str(tmp_path), scratch_database)
    with app.app_context():
        upgrade(revision="0004")
        with db.engine.begin() as connection:
            _seed_agency_and_user(connection, "monitor")
            connection.exec_driver_sql(
                "INSERT INTO notification (user_id, created_at, kind, message) VALUES"
                " (1, CURRENT_TIMESTAMP, 'reminder', 'm1'), (1, CURRENT_TIMESTAMP, 'reminder', 'm2')"
            )
        upgrade(revision="0005_queue_notices")
        with db.engine.begin() as connection:
            rows = connection.exec_driver_sql("SELECT message, dedupe_key FROM notification ORDER BY id").all()
            assert [tuple(r) for r in rows] == [("m1", None), ("m2", None)]  # old notices: no key, no clash
            connection.exec_driver_sql(
                "INSERT INTO notification (user_id, created_at, kind, message, dedupe_key)"
                " VALUES (1, CURRENT_TIMESTAMP, 'extension_request', 'm3', 'extension_request:1')"
            )
        with pytest.raises(sa.exc.IntegrityError), db.engine.begin() as connection:
            connection.exec_driver_sql(
                "INSERT INTO notification (user_id, created_at, kind, message, dedupe_key)"
                " VALUES (1, CURRENT_TIMESTAMP, 'extension_request', 'm4', 'extension_request:1')"
            )
        downgrade(revision="0004")
        with db.engine.connect() as connection:
            assert connection.exec_driver_sql("SELECT count(*) FROM notification").scalar_one() == 3
            assert "answer_read_at" not in {
                c["name"] for c in sa.inspect(connection).get_columns("explanation_request")
            }
        db.engine.dispose()


def test_assignment_directive_id_back_filled_and_kept_by_the_database(scratch_database: str, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """0007 copies each task's directive onto its assignments, the foreign key refuses a row that disagrees
    with its task, and the migration goes down and up again with the rows kept."""
    app = make_test_app(str(tmp_path), scratch_database)
    with app.app_context():
        upgrade(revision="0004")
        with db.engine.begin() as connection:
            _seed_agency(connection)
            connection.execute(
                sa.text(
                    "INSERT INTO directive (id, number, symbol, ref, doc_type, issuer_id, issued_on, subject,"
                    " legal_basis, status, search_text, created_at, updated_at) VALUES (:id, :number, 'UBND', :ref,"
                    " 'cong_van', 1, '2026-01-02', 'V/v', '[]', 'active', '', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"
                ),
                [{"id": d, "number": str(d), "ref": f"{d}/UBND"} for d in (10, 20)],
            )
            connection.execute(
                sa.text(
                    "INSERT INTO task (id, directive_id, label, position, text, recurrence)"
                    " VALUES (:id, :directive, '1', 1, 'Làm', 'none')"
                ),
                [{"id": 100, "directive": 10}, {"id": 200, "directive": 20}],
            )
            connection.execute(
                sa.text(
                    "INSERT INTO assignment (id, task_id, agency_id, role, status, period_index, via_all_addressees,"
                    " created_at, updated_at, version) VALUES (:id, :task, 1, 'lead', 'not_started', 0, false,"
                    " CURRENT_TIMESTAMP, CURRENT_TIMESTAMP, 1)"
                ),
                [{"id": 101, "task": 100}, {"id": 201, "task": 200}],
            )
        upgrade()
        select = "SELECT id, directive_id FROM assignment ORDER BY id"
        with db.engine.connect() as connection:
            assert [tuple(r) for r in connection.exec_driver_sql(select)] == [(101, 10), (201, 20)]
        # task 100 belongs to directive 10: an assignment claiming directive 20 is refused
        fresh = sa.create_engine(db.engine.url, poolclass=sa.pool.NullPool)  # the pool's connections ran the migration
        with pytest.raises(sa.exc.IntegrityError), fresh.connect() as connection:
            if connection.dialect.name == "sqlite":
                connection.exec_driver_sql("PRAGMA foreign_keys=ON")
            connection.exec_driver_sql("UPDATE assignment SET directive_id = 20 WHERE id = 101")
            connection.commit()
        fresh.dispose()
        downgrade(revision="0004")
        with db.engine.connect() as connection:
            assert connection.exec_driver_sql("SELECT id, task_id FROM assignment ORDER BY id").all() == [
                (101, 100),
                (201, 200),
            ]
            assert "directive_id" not in {c["name"] for c in sa.inspect(connection).get_columns("assignment")}
        upgrade()
        with db.engine.connect() as connection:
            assert [tuple(r) for r in connection.exec_driver_sql(select)] == [(101, 10), (201, 20)]
        db.engine.dispose()
