"""Migrations build the schema from nothing, match the models exactly, and go down and up again."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy.engine import make_url

from coordination.db import alembic_include_object
from coordination.extensions import db
from tests.conftest import make_test_app


@pytest.fixture
def empty_database(tmp_path) -> Iterator[str]:  # type: ignore[no-untyped-def]
    """A database of its own, empty; a scratch one on the PostgreSQL server when testing there."""
    url = os.environ.get("TEST_DATABASE_URL")
    if not url:
        yield f"sqlite:///{tmp_path}/migrations.db"
        return
    url = make_url(url.replace("postgresql://", "postgresql+psycopg://", 1))
    scratch = f"{url.database}_migrations"
    admin = sa.create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{scratch}" WITH (FORCE)')
        connection.exec_driver_sql(f'CREATE DATABASE "{scratch}"')
    try:
        yield url.set(database=scratch).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{scratch}" WITH (FORCE)')
        admin.dispose()


def _drift() -> list:
    with db.engine.connect() as connection:
        context = MigrationContext.configure(
            connection, opts={"compare_type": True, "include_object": alembic_include_object}
        )
        return compare_metadata(context, db.metadata)


def test_upgrade_from_empty_matches_models_then_down_and_up(empty_database: str, tmp_path) -> None:  # type: ignore[no-untyped-def]
    app = make_test_app(str(tmp_path), empty_database)
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
