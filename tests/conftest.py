"""Test fixtures: one database per run built by the migrations, the demo loaded once, each test in a
rolled-back transaction (SAVEPOINTs, so that the code under test may commit).

SQLite always; PostgreSQL when TEST_DATABASE_URL is set (the Makefile runs the suite once for each).
Under pytest-xdist (`make test` runs one worker per core) each worker has its own PostgreSQL database,
named after TEST_DATABASE_URL's with the worker's id, and its own Redis database (tests/support/redis.py).
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import event, orm

from coordination import create_app, register_models
from coordination.agencies.models import Agency
from coordination.assignments.models import Assignment
from coordination.audit import SystemActor
from coordination.auth.models import User
from coordination.directives.models import Directive, Task
from coordination.extensions import db
from coordination.workdays.calendar import work_calendar

DEMO_PASSWORD = "demo-2026"
#: the actor of a test's own setup, which no user performs
SETUP = SystemActor("system:test")
#: the demo accounts the permission tables are written for: each role, in both provinces
USERS = [
    "admin",
    "office.tayninh",
    "monitor.tayninh",
    "justice.tayninh",
    "education.tayninh",
    "office.tamdiep",
    "monitor.tamdiep",
    "bacson.tamdiep",
]

# Pure unit tests build model objects without an app: every mapper must be known first.
register_models()

#: set by pytest-xdist in each worker process ("gw0", "gw1", ...); None when the suite runs in one process
WORKER = os.environ.get("PYTEST_XDIST_WORKER")


def pytest_configure(config: pytest.Config) -> None:
    # Before any fixture or test reads it: the tests that start their own processes (gunicorn, flask CLI,
    # concurrent runs) pass the environment on, so they find the worker's database too.
    url = os.environ.get("TEST_DATABASE_URL")
    if WORKER and url and not url.startswith("sqlite"):
        run_url = database_url("")
        os.environ["COORDINATION_RUN_DATABASE_URL"] = run_url
        os.environ["TEST_DATABASE_URL"] = replace_database(run_url, beside(run_url, WORKER))


def pytest_unconfigure(config: pytest.Config) -> None:
    run_url = os.environ.pop("COORDINATION_RUN_DATABASE_URL", None)
    if WORKER and run_url:
        replace_database(run_url, beside(run_url, WORKER), create=False)
        os.environ["TEST_DATABASE_URL"] = run_url


def beside(url: str, suffix: str) -> str:
    """The name of a database of the suite's own beside `url`'s: `<its name>_<suffix>`."""
    return f"{sa.engine.make_url(url).database}_{suffix}"


def replace_database(url: str, name: str, *, create: bool = True) -> str:
    """Drop the PostgreSQL database `name`, then create it empty unless `create` is False; its URL.

    The DROP and CREATE go through `url`'s database, never the one dropped.
    """
    admin = sa.create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        if create:
            connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
    admin.dispose()
    return sa.engine.make_url(url).set(database=name).render_as_string(hide_password=False)


def database_url(tmp_dir: str) -> str:
    url = os.environ.get("TEST_DATABASE_URL")
    if not url:
        return f"sqlite:///{tmp_dir}/test.db"
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://") :]
    return url


def reset_database(url: str) -> None:
    """Empty the database so that the migrations build it from nothing."""
    if url.startswith("sqlite"):
        return
    engine = sa.create_engine(url, isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.exec_driver_sql("DROP SCHEMA public CASCADE")
        connection.exec_driver_sql("CREATE SCHEMA public")
    engine.dispose()


def make_test_app(tmp_dir: str, url: str, **overrides: Any) -> Flask:
    settings = dict(
        TESTING=True,
        SECRET_KEY="test-secret",
        SQLALCHEMY_DATABASE_URI=url,
        WTF_CSRF_ENABLED=False,
        EVIDENCE_DIR=os.path.join(tmp_dir, "evidence"),
        EXPORT_DIR=os.path.join(tmp_dir, "exports"),
        # cheap argon2 parameters: the suite logs in hundreds of times (tests/auth checks the real profile)
        PASSWORD_HASH_PROFILE="tests-only",
        SERVER_NAME=None,
    )
    settings.update(overrides)
    return create_app(**settings)


def migrate_and_load_demo(app: Flask) -> None:
    """Build the app's database by running the migrations, then load the demo and commit."""
    from flask_migrate import upgrade

    from coordination.demo.loader import load_demo

    with app.app_context():
        upgrade()
        load_demo()
        db.session.commit()


@pytest.fixture(scope="session")
def database(tmp_path_factory: pytest.TempPathFactory) -> str:
    """The migrated database with the demo loaded; its URL."""
    tmp_dir = str(tmp_path_factory.mktemp("db"))
    url = database_url(tmp_dir)
    reset_database(url)
    app = make_test_app(tmp_dir, url)
    migrate_and_load_demo(app)
    with app.app_context():
        db.engine.dispose()
    return url


@pytest.fixture(scope="session")
def app(database: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    app = make_test_app(str(tmp_path_factory.mktemp("app")), database)
    yield app
    with app.app_context():
        db.engine.dispose()


@pytest.fixture(autouse=True)
def _rollback(request: pytest.FixtureRequest) -> Iterator[None]:
    """Run each test inside a transaction that is rolled back; commits become SAVEPOINT releases."""
    if "app" not in request.fixturenames:
        yield
        return
    app: Flask = request.getfixturevalue("app")
    with app.app_context():
        connection = db.engine.connect()
        outer = connection.begin()
        original = db.session
        factory = orm.sessionmaker(bind=connection, join_transaction_mode="create_savepoint")
        from flask_sqlalchemy.session import _app_ctx_id

        db.session = orm.scoped_session(factory, scopefunc=_app_ctx_id)
        try:
            yield
        finally:
            db.session.remove()
            db.session = original
            outer.rollback()
            connection.close()


@contextmanager
def empty_database(tmp_path: Path, suffix: str) -> Iterator[str]:
    """A fresh empty database named after the suite's with `suffix`: a file, or a PostgreSQL database dropped after.

    The CREATE and DROP go through the suite's own database, never one about to be dropped.
    """
    if not os.environ.get("TEST_DATABASE_URL"):
        yield f"sqlite:///{tmp_path}/{suffix}.db"
        return
    url = database_url(str(tmp_path))
    name = beside(url, suffix)
    try:
        yield replace_database(url, name)
    finally:
        replace_database(url, name, create=False)


@pytest.fixture
def scratch_database(tmp_path) -> Iterator[str]:  # type: ignore[no-untyped-def]
    """An empty database of the test's own (for migrations, concurrency): a file, or a PostgreSQL database."""
    with empty_database(tmp_path, "scratch") as url:
        yield url


@pytest.fixture
def scratch_demo_app(scratch_database: str, tmp_path) -> Flask:  # type: ignore[no-untyped-def]
    """An app on a scratch database of its own, migrated, the demo loaded and committed (for concurrency)."""
    app = make_test_app(str(tmp_path), scratch_database)
    migrate_and_load_demo(app)
    return app


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture(scope="module")
def csrf_app(database: str, tmp_path_factory: pytest.TempPathFactory) -> Flask:
    """A second app on the test database with CSRF protection on, as in production."""
    return make_test_app(str(tmp_path_factory.mktemp("csrf")), database, WTF_CSRF_ENABLED=True)


@pytest.fixture
def csrf_client(app: Flask, csrf_app: Flask) -> FlaskClient:
    # `app` puts the test inside the rolled-back transaction that csrf_app's requests share.
    return csrf_app.test_client()


def csrf_token_in(html: str) -> str:
    """The CSRF token of the (first) form in the page."""
    match = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html) or re.search(
        r'name="csrf_token" value="([^"]+)"', html
    )
    assert match, html[:2000]
    return match.group(1)


def get_user(username: str) -> User:
    user = db.session.scalar(sa.select(User).where(User.username == username))
    assert user is not None, username
    return user


def directive(ref: str) -> Directive:
    """The demo directive with this number and symbol ("2157/UBND-KSTT")."""
    found = db.session.scalar(sa.select(Directive).where(Directive.ref == ref))
    assert found is not None, ref
    return found


def assignment_of(ref: str, label: str, code: str) -> Assignment:
    """The assignment of the top-level task `label` of `ref` to the agency `code`."""
    found = db.session.scalar(
        sa.select(Assignment)
        .join(Task, Task.id == Assignment.task_id)
        .join(Directive, Directive.id == Task.directive_id)
        .join(Agency, Agency.id == Assignment.agency_id)
        .where(Directive.ref == ref, Task.label == label, Task.parent_id.is_(None), Agency.code == code)
    )
    assert found is not None, (ref, label, code)
    return found


def tiny_pdf() -> bytes:
    """A valid one-page PDF (header, catalog, pages, page, cross-reference table, trailer)."""
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


@pytest.fixture
def login(client: FlaskClient):  # type: ignore[no-untyped-def]
    """log in as a demo user through the form: login("justice.tayninh")."""

    def _login(username: str, password: str = DEMO_PASSWORD) -> FlaskClient:
        response = client.post("/login", data={"username": username, "password": password})
        assert response.status_code in (302, 303), response.get_data(as_text=True)[:500]
        return client

    return _login


@contextmanager
def each_statement(engine: sa.Engine, record: Callable[[Any, str, Any], None]) -> Iterator[None]:
    """Call `record(connection, statement, parameters)` for each statement `engine` sends inside the block."""

    def _before(conn, cursor, statement, parameters, context, executemany):  # type: ignore[no-untyped-def]
        record(conn, statement, parameters)

    event.listen(engine, "before_cursor_execute", _before)
    try:
        yield
    finally:
        event.remove(engine, "before_cursor_execute", _before)


@contextmanager
def count_queries() -> Iterator[list[str]]:
    """Collect the SQL statements run inside the block (guards against N+1 queries)."""
    statements: list[str] = []
    # The working-day calendar is read once per process, then cached: a running server has it already.
    work_calendar()

    def _record(_connection: Any, statement: str, _parameters: Any) -> None:
        if not statement.lstrip().upper().startswith(("SAVEPOINT", "RELEASE", "ROLLBACK TO")):
            statements.append(statement)

    with each_statement(db.engine, _record):
        yield statements


# Fixtures shared across domains (the API client per demo user, a fresh evidence store); imported last,
# since these modules read the constants above.
from tests.support.api import api, issue_token  # noqa: E402, F401
from tests.support.redis import redis  # noqa: E402, F401
from tests.support.workflow import store_dir  # noqa: E402, F401
