"""Read replicas (issue 14) against the real thing: a PostgreSQL primary and a streaming hot standby of it, both
started here (bench/pgcluster.py) in a temporary directory on free loopback ports, whatever TEST_DATABASE_URL says.

Proven: the dashboard page's, GET /api/v1/dashboard's, the home counters' and the compliance report's SELECTs go to
the standby (each statement counted on the engine that ran it); signing in, token lookups, writes and the report's
audit event (its chain head read under the advisory lock) go to the primary; a write on the primary shows on a
replica-served dashboard once replayed, and not before (replay paused); with the standby stopped the dashboard
still answers 200 from the primary and a warning is logged, and once it is back the standby serves again.
"""

from __future__ import annotations

import io
import logging
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import psycopg
import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient
from openpyxl import load_workbook
from sqlalchemy import event

from bench.pgcluster import Cluster, find_pg_bin, hand_over
from coordination.auth.models import User
from coordination.extensions import db
from coordination.replica import primary_reads, replica_reads
from tests.conftest import DEMO_PASSWORD, make_test_app, migrate_and_load_demo

pytestmark = pytest.mark.skipif(
    find_pg_bin() is None,
    reason="PostgreSQL's server binaries (/usr/lib/postgresql/*/bin: initdb, pg_ctl, pg_basebackup) are not "
    "installed: no primary and standby to start",
)

MONITOR = "monitor.tayninh"
OFFICER = "education.tayninh"


@dataclass
class Replicated:
    primary: Cluster
    standby: Cluster
    #: the app with REPLICA_DATABASE_URL on the standby
    app: Flask

    def replayed(self) -> None:
        self.standby.wait_replayed(self.primary)


@pytest.fixture(scope="module")
def replicated() -> Iterator[Replicated]:
    # not pytest's tmp_path: the clusters run as the postgres user, who cannot enter root's 0700 directory
    workdir = Path(tempfile.mkdtemp(prefix="coordination-replica-"))
    hand_over(workdir)
    primary = Cluster(workdir / "primary")
    standby: Cluster | None = None
    app: Flask | None = None
    try:
        primary.init(wal_level="replica", max_wal_senders="4", fsync="off")
        primary.start()
        primary.create_database("coordination")
        url = primary.dsn("coordination", driver="postgresql+psycopg")
        loader = make_test_app(str(workdir / "app"), url)
        migrate_and_load_demo(loader)
        with loader.app_context():
            db.engine.dispose()
        standby = primary.standby(workdir / "standby")
        standby.wait_replayed(primary)
        # retry at once: the test stops and starts the standby and wants the next request to try it again
        app = make_test_app(
            str(workdir / "app"), url, REPLICA_DATABASE_URL=standby.dsn("coordination"), REPLICA_RETRY_SECONDS=0
        )
        yield Replicated(primary, standby, app)
    finally:
        if app is not None:
            with app.app_context():
                for engine in db.engines.values():
                    engine.dispose()
        if standby is not None:
            standby.stop()
        primary.stop()
        shutil.rmtree(workdir, ignore_errors=True)


@contextmanager
def statements(app: Flask) -> Iterator[dict[str, list[str]]]:
    """The SQL each engine ran inside the block: {"primary": [...], "replica": [...]}."""
    seen: dict[str, list[str]] = {"primary": [], "replica": []}
    with app.app_context():
        engines = {"primary": db.engines[None], "replica": db.engines["replica"]}
    listeners = []
    for name, engine in engines.items():

        def _before(conn, cursor, statement, parameters, context, executemany, name=name):  # type: ignore[no-untyped-def]
            seen[name].append(" ".join(statement.split()))

        event.listen(engine, "before_cursor_execute", _before)
        listeners.append((engine, _before))
    try:
        yield seen
    finally:
        for engine, listener in listeners:
            event.remove(engine, "before_cursor_execute", listener)


def signed_in(app: Flask, username: str) -> FlaskClient:
    client = app.test_client()
    response = client.post("/login", data={"username": username, "password": DEMO_PASSWORD})
    assert response.status_code == 302, response.get_data(as_text=True)[:300]
    return client


def token_for(app: Flask, username: str) -> dict[str, str]:
    response = app.test_client().post("/api/v1/tokens", json={"username": username, "password": DEMO_PASSWORD})
    assert response.status_code == 201, response.get_data(as_text=True)
    return {"Authorization": f"Bearer {response.get_json()['token']}"}


def selects_only(sql: list[str]) -> bool:
    return all(s.startswith(("SELECT", "WITH")) and "FOR UPDATE" not in s for s in sql)


def audit_events(replicated: Replicated) -> int:
    with psycopg.connect(replicated.primary.dsn("coordination")) as c:
        return c.execute("SELECT count(*) FROM audit_event WHERE action = 'report.generate'").fetchone()[0]  # type: ignore[index]


def test_the_standby_is_a_standby(replicated: Replicated):
    with psycopg.connect(replicated.standby.dsn("coordination")) as c:
        assert c.execute("SELECT pg_is_in_recovery()").fetchone() == (True,)
        with pytest.raises(psycopg.errors.ReadOnlySqlTransaction):
            c.execute("UPDATE user_account SET locale = 'en' WHERE username = %s", (MONITOR,))
    with replicated.app.app_context():
        assert db.engines["replica"].url.port == replicated.standby.port
        assert db.engines[None].url.port == replicated.primary.port


def test_signing_in_is_all_on_the_primary(replicated: Replicated):
    with statements(replicated.app) as sql:
        signed_in(replicated.app, MONITOR)
        token_for(replicated.app, MONITOR)
    assert sql["replica"] == []
    assert any(s.startswith("INSERT INTO api_token") for s in sql["primary"])
    assert any(s.startswith("INSERT INTO login_attempt") or "login_attempt" in s for s in sql["primary"])


def test_dashboard_page_reads_the_standby(replicated: Replicated):
    client = signed_in(replicated.app, MONITOR)
    with statements(replicated.app) as sql:
        response = client.get("/app/dashboard/")
    assert response.status_code == 200
    # the session's user (its nonce) on the primary, and nothing else
    assert len(sql["primary"]) == 1, sql["primary"]
    assert sql["primary"][0].startswith("SELECT") and "FROM user_account WHERE user_account.id" in sql["primary"][0]
    # the counts, the agency table, the overdue list, the explanations: the standby's
    assert len(sql["replica"]) >= 5, sql["replica"]
    assert selects_only(sql["replica"])
    assert any("assignment_tally" in s for s in sql["replica"])


def test_home_counters_read_the_standby(replicated: Replicated):
    client = signed_in(replicated.app, MONITOR)
    with statements(replicated.app) as sql:
        response = client.get("/app/")
    assert response.status_code == 200
    assert any("assignment_tally" in s for s in sql["replica"])
    assert not any("assignment_tally" in s for s in sql["primary"])
    assert selects_only(sql["replica"])


def test_dashboard_api_reads_the_standby_after_the_token(replicated: Replicated):
    headers = token_for(replicated.app, MONITOR)
    with statements(replicated.app) as sql:
        response = replicated.app.test_client().get("/api/v1/dashboard", headers=headers)
    assert response.status_code == 200
    assert set(response.get_json()) == {"counts", "agencies", "overdue"}
    # the token looked up on the primary (a revoked one is refused at once), its last use written there
    assert any("FROM api_token" in s for s in sql["primary"])
    assert not any("assignment_tally" in s for s in sql["primary"])
    assert any("assignment_tally" in s for s in sql["replica"])
    assert selects_only(sql["replica"])
    assert not any("api_token" in s for s in sql["replica"])


def test_a_revoked_token_is_refused_at_once(replicated: Replicated):
    headers = token_for(replicated.app, MONITOR)
    client = replicated.app.test_client()
    with paused(replicated):
        assert client.delete("/api/v1/tokens/current", headers=headers).status_code == 204
        # the standby has not replayed the revocation; the lookup is the primary's
        assert client.get("/api/v1/dashboard", headers=headers).status_code == 401


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.mark.parametrize(
    ("fmt", "mimetype"), [("json", "application/json"), ("csv", "text/csv"), ("xlsx", XLSX), ("pdf", "application/pdf")]
)
def test_report_rows_from_the_standby_audit_on_the_primary(replicated: Replicated, fmt: str, mimetype: str):
    headers = token_for(replicated.app, MONITOR)
    before = audit_events(replicated)
    with statements(replicated.app) as sql:
        response = replicated.app.test_client().get(
            "/api/v1/reports/compliance", query_string={"format": fmt}, headers=headers
        )
        body = response.get_data()  # a CSV is streamed: its rows are read now, after the view returned
    assert response.status_code == 200, body[:300]
    assert response.mimetype == mimetype
    assert audit_events(replicated) == before + 1
    # the rows: the assignments and their history, read on the standby, SELECTs only
    assert any("FROM assignment" in s for s in sql["replica"])
    assert selects_only(sql["replica"])
    # the audit event: the chain's lock taken and its head read on the primary (one statement, migration 0017),
    # then the INSERT, all there
    assert any(s.startswith("SELECT audit_chain_head(") for s in sql["primary"])
    assert any(s.startswith("INSERT INTO audit_event") for s in sql["primary"])
    assert not any("audit_chain_head" in s for s in sql["replica"])
    if fmt == "csv":
        text = body.decode("utf-8-sig")
        assert text.count("\r\n") > 10
    if fmt == "xlsx":
        assert load_workbook(io.BytesIO(body)).sheetnames


@contextmanager
def paused(replicated: Replicated) -> Iterator[None]:
    """The standby receives WAL but does not apply it inside the block (a lag as long as the block)."""
    with psycopg.connect(replicated.standby.dsn("coordination"), autocommit=True) as c:
        c.execute("SELECT pg_wal_replay_pause()")
        try:
            yield
        finally:
            c.execute("SELECT pg_wal_replay_resume()")


def test_a_write_on_the_primary_shows_once_replayed(replicated: Replicated):
    """The officer reports an overdue assignment done and the monitor accepts it (overdue -> done late): with the
    standby's replay paused the replica-served dashboard still shows the old counts; replayed, the new ones."""
    monitor = token_for(replicated.app, MONITOR)
    officers = {"TN-SGDDT": token_for(replicated.app, OFFICER), "TN-STP": token_for(replicated.app, "justice.tayninh")}
    client = replicated.app.test_client()
    replicated.replayed()
    before = client.get("/api/v1/dashboard", headers=monitor).get_json()
    work = next(
        row
        for row in before["overdue"]
        if row["agency"]["code"] in officers and row["status"] in ("not_started", "in_progress")
    )
    officer = officers[work["agency"]["code"]]
    url = f"/api/v1/assignments/{work['id']}"
    etag = client.get(url, headers=officer).headers["ETag"]
    with paused(replicated):
        steps = [] if work["status"] == "in_progress" else [("in_progress", officer)]
        for status, headers in [*steps, ("reported_done", officer)]:
            note = {"note": "Báo cáo tiến độ.", "status": status}
            response = client.post(f"{url}/updates", json=note, headers={**headers, "If-Match": etag})
            assert response.status_code == 201, response.get_data(as_text=True)
            etag = response.headers["ETag"]
        response = client.post(f"{url}/review", json={"decision": "accept"}, headers={**monitor, "If-Match": etag})
        assert response.status_code == 201, response.get_data(as_text=True)
        with psycopg.connect(replicated.primary.dsn("coordination")) as c:
            assert c.execute("SELECT status FROM assignment WHERE id = %s", (work["id"],)).fetchone() == ("done",)
        # committed on the primary, not yet applied on the standby: the replica-served dashboard does not show it
        lagging = client.get("/api/v1/dashboard", headers=monitor).get_json()
        assert lagging["counts"] == before["counts"]
        assert work["id"] in {row["id"] for row in lagging["overdue"]}
    replicated.replayed()
    after = client.get("/api/v1/dashboard", headers=monitor).get_json()
    assert after["counts"]["overdue"] == before["counts"]["overdue"] - 1
    assert after["counts"]["done_late"] == before["counts"]["done_late"] + 1
    assert sum(after["counts"].values()) == sum(before["counts"].values())
    assert work["id"] not in {row["id"] for row in after["overdue"]}


def test_routing_rules_inside_the_flag(replicated: Replicated):
    """Inside replica_reads(): a plain SELECT on the standby; FOR UPDATE, text SQL, a flush and primary_reads()
    on the primary; outside it, everything on the primary."""
    with replicated.app.app_context(), statements(replicated.app) as sql:
        user = sa.select(User.id).where(User.username == MONITOR)
        db.session.execute(user)
        assert (len(sql["primary"]), len(sql["replica"])) == (1, 0)
        with replica_reads():
            db.session.execute(user)
            assert (len(sql["primary"]), len(sql["replica"])) == (1, 1)
            db.session.execute(user.with_for_update())
            db.session.execute(sa.text("SELECT 1"))
            assert (len(sql["primary"]), len(sql["replica"])) == (3, 1)
            with primary_reads():
                db.session.execute(user)
            assert (len(sql["primary"]), len(sql["replica"])) == (4, 1)
            found = db.session.get(User, 1, populate_existing=True)
            assert len(sql["replica"]) == 2
            found.locale = "en" if found.locale != "en" else "vi"
            db.session.flush()  # the UPDATE: the primary's, flag or not
            assert sql["primary"][-1].startswith("UPDATE user_account")
            assert len(sql["replica"]) == 2
        db.session.rollback()
        db.session.execute(user)
        assert sql["primary"][-1].startswith("SELECT") and len(sql["replica"]) == 2


def test_standby_down_dashboard_answers_from_the_primary(replicated: Replicated, caplog: pytest.LogCaptureFixture):
    client = signed_in(replicated.app, MONITOR)
    headers = token_for(replicated.app, MONITOR)
    replicated.replayed()
    served = client.get("/api/v1/dashboard", headers=headers).get_json()
    replicated.standby.stop()
    try:
        with statements(replicated.app) as sql, caplog.at_level(logging.WARNING, logger="coordination.replica"):
            page = client.get("/app/dashboard/")
            api = client.get("/api/v1/dashboard", headers=headers)
        assert page.status_code == 200
        assert api.status_code == 200
        assert api.get_json() == served  # the same numbers, from the primary
        assert sql["replica"] == []
        assert any("assignment_tally" in s for s in sql["primary"])
        warnings = [r for r in caplog.records if r.name == "coordination.replica"]
        assert warnings and all(r.levelno == logging.WARNING for r in warnings)
        assert "unreachable, reading from the primary" in warnings[0].getMessage()
    finally:
        replicated.standby.start()
    # back: the next dashboard reads the standby again
    replicated.replayed()
    with statements(replicated.app) as sql:
        assert client.get("/api/v1/dashboard", headers=headers).status_code == 200
    assert any("assignment_tally" in s for s in sql["replica"])


def test_without_replica_url_everything_on_the_primary(replicated: Replicated, tmp_path: Path):
    """REPLICA_DATABASE_URL unset: one engine, as before; the dashboard and a streamed CSV are served from it (the
    CSV read in the stream's own session: the request's was committed and removed when the view returned)."""
    url = replicated.primary.dsn("coordination", driver="postgresql+psycopg")
    app = make_test_app(str(tmp_path), url)
    with app.app_context():
        assert list(db.engines) == [None]
    headers = token_for(app, MONITOR)
    client = app.test_client()
    assert client.get("/api/v1/dashboard", headers=headers).status_code == 200
    response = client.get("/api/v1/reports/compliance", query_string={"format": "csv"}, headers=headers)
    text = response.get_data().decode("utf-8-sig")
    assert response.status_code == 200, text[:300]
    assert text.count("\r\n") > 10
    with app.app_context():
        db.engine.dispose()
