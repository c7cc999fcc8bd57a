"""Model base with a constraint naming convention, and time helpers."""

from __future__ import annotations

import enum
import time
from datetime import UTC, date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask import current_app, has_app_context
from sqlalchemy.orm import DeclarativeBase

# Stable constraint names make Alembic migrations reproducible on every database.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = sa.MetaData(naming_convention=NAMING_CONVENTION)


def utcnow() -> datetime:
    """Return the current time, timezone-aware, in UTC."""
    return datetime.now(UTC)


def local_tz() -> ZoneInfo:
    name = current_app.config["TIMEZONE"] if has_app_context() else "Asia/Ho_Chi_Minh"
    return ZoneInfo(name)


def today() -> date:
    """Return today's date where the users live (Asia/Ho_Chi_Minh): it decides what is overdue."""
    return datetime.now(local_tz()).date()


def str_enum(enum_cls: type[enum.Enum], name: str) -> sa.Enum:
    """Store a StrEnum as its value in a VARCHAR with a CHECK constraint, portable across databases."""
    return sa.Enum(
        enum_cls,
        name=name,
        native_enum=False,
        create_constraint=True,
        length=max(len(m.value) for m in enum_cls),
        values_callable=lambda cls: [m.value for m in cls],
        validate_strings=True,
    )


class UTCDateTime(sa.types.TypeDecorator):
    """A timezone-aware datetime that comes back aware on SQLite too."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):  # type: ignore[no-untyped-def]
        if value is not None:
            if value.tzinfo is None:
                raise ValueError("naive datetime")
            value = value.astimezone(UTC)
        return value

    def process_result_value(self, value, dialect):  # type: ignore[no-untyped-def]
        if value is not None and value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return value


# Made by hand in the migrations, for PostgreSQL only (a trigram GIN index has no model form).
HAND_MADE_INDEXES = frozenset({"ix_directive_search_trgm"})


def alembic_include_object(obj, name, type_, reflected, compare_to) -> bool:  # type: ignore[no-untyped-def]
    """Leave hand-made objects out of Alembic's comparison of models and database."""
    return not (type_ == "index" and name in HAND_MADE_INDEXES)


def _configure_sqlite() -> None:
    """Let SQLite honour foreign keys and SAVEPOINTs (pysqlite's own transaction handling breaks them)."""
    import sqlite3

    from sqlalchemy import event
    from sqlalchemy.engine import Engine

    from coordination.collation import register_sqlite

    @event.listens_for(Engine, "connect")
    def _on_connect(dbapi_connection, connection_record):  # type: ignore[no-untyped-def]
        if isinstance(dbapi_connection, sqlite3.Connection):
            dbapi_connection.isolation_level = None
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA busy_timeout=10000")
            cursor.close()
            register_sqlite(dbapi_connection)  # `COLLATE vi`: Vietnamese order of names

    @event.listens_for(Engine, "begin")
    def _on_begin(connection):  # type: ignore[no-untyped-def]
        if connection.dialect.name == "sqlite":
            connection.exec_driver_sql("BEGIN")


_configure_sqlite()


#: psycopg's prepare_threshold for the app's connections: no statement is prepared for being run often
PREPARE_NEVER = 2**31 - 1
#: execution option of the statements worth a server-side prepared statement (see `prepare_marked`)
PREPARE = {"prepare": True}


def prepared(statement: sa.Executable) -> sa.Executable:
    """Mark `statement` to run as a PostgreSQL prepared statement (psycopg), planned once per connection.

    Only for statements whose best plan does not depend on their parameters: lookups by primary or foreign key
    (a token, one assignment and its record), and the list pages of `api.pagination.paged`, whose only
    parameters are the page's bounds. The app's connections otherwise prepare nothing (`_tune_engine`):
    a generic plan cannot prove a partial index's predicate against parameters and cost the dashboard 180 ms.
    """
    return statement.execution_options(**PREPARE)


#: a pooled PostgreSQL connection idle longer than this is pinged before use (see `ping_if_idle`)
PING_AFTER_IDLE_SECONDS = 5.0
_CHECKED_IN_AT = "coordination.checked_in_at"


def note_checkin(dbapi_connection: Any, record: Any) -> None:
    """Pool `checkin`: when the connection went back to the pool (read by `ping_if_idle`)."""
    record.info[_CHECKED_IN_AT] = time.monotonic()


def ping_if_idle(dbapi_connection: Any, record: Any, proxy: Any) -> None:
    """Pool `checkout`: ping a connection that sat idle, so that a restarted server or a dropped link costs no request.

    Instead of SQLAlchemy's `pool_pre_ping`, which pings on every checkout: under load that round trip waits for
    a busy server like any query, and cost the API's lists 15 % of their time (py-spy under wrk, make bench). A
    connection back in the pool moments ago is used as it is; one broken meanwhile fails that one request (503)
    and is replaced, as any connection lost mid-request is. Raising DisconnectionError has the pool replace it.
    """
    checked_in = record.info.get(_CHECKED_IN_AT)
    if getattr(dbapi_connection, "broken", False) or getattr(dbapi_connection, "closed", False):
        raise sa.exc.DisconnectionError("the connection was lost while in the pool")
    # `record.info` lives as long as the DBAPI connection: empty, the connection was opened just now
    if checked_in is None or time.monotonic() - checked_in <= PING_AFTER_IDLE_SECONDS:
        return
    try:
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute("SELECT 1")
        finally:
            cursor.close()
        if not getattr(dbapi_connection, "autocommit", True):
            dbapi_connection.rollback()  # the ping's implicit BEGIN: back in the pool's clean state
    except Exception as error:  # whatever the driver raises, the connection is unusable
        raise sa.exc.DisconnectionError(str(error)) from error


def prepare_marked(cursor: Any, statement: str, parameters: Any, context: Any) -> bool | None:
    """psycopg's do_execute for the statements marked by `prepared`; every other statement runs as before."""
    if context is not None and context.execution_options.get("prepare"):
        cursor.execute(statement, parameters, prepare=True)
        return True
    return None
