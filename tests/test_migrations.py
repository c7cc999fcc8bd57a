"""Migrations build the schema from nothing, match the models exactly, and go down and up again."""

from __future__ import annotations

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
