"""Readiness: may this worker take traffic? The database answers and its schema is at the migrations' head."""

from __future__ import annotations

from functools import cache

import sqlalchemy as sa
from alembic.script import ScriptDirectory
from flask import Blueprint, jsonify
from werkzeug.wrappers import Response

import config as config_module
from coordination.extensions import csrf, db

bp = Blueprint("health", __name__)


@cache
def migration_heads() -> tuple[str, ...]:
    """The revisions the code expects; read once, since the scripts do not change while the process runs."""
    script = ScriptDirectory(str(config_module.BASE_DIR / "migrations"))
    return tuple(sorted(script.get_heads()))


def _current_revisions(connection: sa.Connection) -> tuple[str, ...]:
    # Read directly rather than through Alembic's MigrationContext, which logs two lines per call.
    if not sa.inspect(connection).has_table("alembic_version"):
        return ()
    return tuple(sorted(connection.execute(sa.text("SELECT version_num FROM alembic_version")).scalars()))


def database_state() -> tuple[bool, str]:
    """(ready, reason): the database answers and its schema is at head, or why not."""
    try:
        with db.engine.connect() as connection:
            current = _current_revisions(connection)
    except sa.exc.SQLAlchemyError as error:
        # The driver's first line names the cause (refused, unknown host, bad password) without the URL.
        cause = str(getattr(error, "orig", None) or error).splitlines()[0][:200]
        return False, f"database unreachable: {cause}"
    expected = migration_heads()
    if current != expected:
        return False, f"database schema at {', '.join(current) or 'nothing'}, code expects {', '.join(expected)}"
    return True, "ok"


@bp.get("/readyz")
@csrf.exempt
def readyz() -> tuple[Response, int]:
    ready, reason = database_state()
    if not ready:
        return jsonify(status="unavailable", reason=reason), 503
    return jsonify(status="ok", schema=list(migration_heads())), 200
