"""The API's hot reads run without BEGIN and COMMIT on PostgreSQL (`reads_only`, transaction.read_without_transaction).

Issue 14: a list request made four round trips to the server (BEGIN, the token, the list, COMMIT) where the floor
app makes one; at READ COMMITTED each statement has its own snapshot anyway. Everything else keeps its
transaction, and a marked view that would write fails instead of writing outside one.

These need a real engine: the suite's usual session runs inside a test's transaction, which a request keeps.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask
from sqlalchemy.orm import Session

from coordination.agencies.models import AgencyAlias
from coordination.extensions import db
from coordination.transaction import read_without_transaction, reading_without_transaction
from tests.conftest import DEMO_PASSWORD, each_statement, empty_database, make_test_app, migrate_and_load_demo

pytestmark = pytest.mark.skipif(
    not (os.environ.get("TEST_DATABASE_URL") or "").startswith("postgresql"), reason="PostgreSQL's transactions"
)

OFFICER = "justice.tayninh"  # Sở Tư pháp, TN-STP
MONITOR = "monitor.tayninh"
OFFICE = "office.tayninh"


@pytest.fixture(scope="module")
def real_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    tmp = tmp_path_factory.mktemp("reads")
    with empty_database(Path(tmp), "reads") as url:
        app = make_test_app(str(tmp), url)
        migrate_and_load_demo(app)
        yield app
        with app.app_context():
            db.engine.dispose()


def _headers(app: Flask, username: str) -> dict[str, str]:
    client = app.test_client()
    response = client.post("/api/v1/tokens", json={"username": username, "password": DEMO_PASSWORD})
    assert response.status_code == 201, response.get_data(as_text=True)
    headers = {"Authorization": f"Bearer {response.get_json()['token']}"}
    # The token's first use records it, with its own commit: later requests are the ones measured.
    assert client.get("/api/v1/me", headers=headers).status_code == 200
    return headers


@contextmanager
def statements(app: Flask) -> Iterator[list[tuple[str, bool]]]:
    """Every statement sent inside the block, with whether its connection was in autocommit."""
    seen: list[tuple[str, bool]] = []

    def _record(connection: Any, statement: str, _parameters: Any) -> None:
        seen.append((" ".join(statement.split())[:60], connection.connection.dbapi_connection.autocommit))

    with app.app_context():
        engine = db.engine
    with each_statement(engine, _record):
        yield seen


def _own_open_assignment(app: Flask, headers: dict[str, str]) -> int:
    query = {"agency": "TN-STP", "open": "true", "page_size": 1}
    response = app.test_client().get("/api/v1/assignments", headers=headers, query_string=query)
    return response.get_json()["items"][0]["id"]


def test_the_marked_reads_send_no_transaction(real_app: Flask) -> None:
    officer, monitor, office = (_headers(real_app, name) for name in (OFFICER, MONITOR, OFFICE))
    assignment = _own_open_assignment(real_app, officer)
    directive = real_app.test_client().get("/api/v1/directives", headers=office).get_json()["items"][0]["id"]
    client = real_app.test_client()
    reads = [
        (officer, "/api/v1/assignments?agency=TN-STP&open=true"),
        (monitor, "/api/v1/assignments?timeliness=overdue"),
        (officer, f"/api/v1/assignments/{assignment}"),
        (officer, f"/api/v1/assignments/{assignment}/history"),
        (office, "/api/v1/dashboard"),
        (office, "/api/v1/directives"),
        (office, f"/api/v1/directives/{directive}"),
        (monitor, "/api/v1/queue?kind=review"),
        (office, "/api/v1/agencies"),
    ]
    # Every marked view is among these (a view marked later must be added here, and so proved to write nothing).
    marked = {endpoint for endpoint, view in real_app.view_functions.items() if getattr(view, "_api_reads_only", False)}
    adapter = real_app.url_map.bind("localhost")
    assert {adapter.match(url.partition("?")[0], method="GET")[0] for _headers, url in reads} == marked
    for headers, url in reads:
        with statements(real_app) as seen:
            response = client.get(url, headers=headers)
        assert response.status_code == 200, (url, response.get_data(as_text=True)[:300])
        assert seen, url
        assert all(autocommit for _sql, autocommit in seen), (url, seen)


def test_an_officers_own_list_is_two_statements(real_app: Flask) -> None:
    """The token (with the officer's agency) and the page: no BEGIN, no lookup of its own code, no COMMIT."""
    officer = _headers(real_app, OFFICER)
    client = real_app.test_client()
    with statements(real_app) as own:
        assert client.get("/api/v1/assignments?agency=TN-STP&open=true", headers=officer).status_code == 200
    assert len(own) == 2, own
    assert own[0][0].startswith("SELECT api_token.")
    # Another agency's code is looked up (an officer of Tư pháp sees no work of Giáo dục: an empty page).
    with statements(real_app) as other:
        response = client.get("/api/v1/assignments?agency=TN-SGDDT&open=true", headers=officer)
    assert response.status_code == 200
    assert len(other) == 3, other
    assert "FROM agency" in other[1][0]


def test_writes_and_unmarked_reads_keep_their_transaction(real_app: Flask) -> None:
    officer = _headers(real_app, OFFICER)
    office = _headers(real_app, OFFICE)
    client = real_app.test_client()
    assignment = _own_open_assignment(real_app, officer)
    # A marked read first: the pooled connection it used must come back transactional.
    assert client.get(f"/api/v1/assignments/{assignment}", headers=officer).status_code == 200
    etag = client.get(f"/api/v1/assignments/{assignment}", headers=officer).headers["ETag"]
    with statements(real_app) as write:
        response = client.post(
            f"/api/v1/assignments/{assignment}/updates",
            json={"note": "Đã rà soát 120 hồ sơ."},
            headers={**officer, "If-Match": etag},
        )
    assert response.status_code == 201, response.get_data(as_text=True)
    assert write and not any(autocommit for _sql, autocommit in write), write
    # The compliance report is not marked (it records its export): it reads inside a transaction.
    with statements(real_app) as report:
        response = client.get("/api/v1/reports/compliance", headers=office, query_string={"format": "csv"})
        response.get_data()
    assert response.status_code == 200
    assert report and not any(autocommit for _sql, autocommit in report), report


def test_a_write_while_reading_without_a_transaction_is_refused(real_app: Flask) -> None:
    with real_app.app_context():
        read_without_transaction()
        assert reading_without_transaction(db.session())
        db.session.add(AgencyAlias(agency_id=1, alias="Tên tạm"))
        with pytest.raises(RuntimeError, match="must not write"):
            db.session.flush()
        db.session.rollback()
        # The connection went back to the pool: the next transaction writes as usual, and is undone.
        assert not reading_without_transaction(db.session())
        db.session.add(AgencyAlias(agency_id=1, alias="Tên tạm"))
        db.session.flush()
        db.session.rollback()
        assert db.session.scalar(sa.select(sa.func.count()).where(AgencyAlias.alias == "Tên tạm")) == 0
        db.session.remove()


def test_a_marked_read_ends_without_the_sessions_commit(real_app: Flask) -> None:
    """Nothing to commit: the session is closed by the teardown, its objects never expired one by one."""
    officer = _headers(real_app, OFFICER)
    client = real_app.test_client()
    commits: list[str] = []

    def _count(session: Any) -> None:
        commits.append("commit")

    sa.event.listen(Session, "after_commit", _count)
    try:
        assert client.get("/api/v1/assignments?agency=TN-STP&open=true", headers=officer).status_code == 200
        assert commits == []
        # an unmarked read still ends with the request's one commit
        assert client.get("/api/v1/me", headers=officer).status_code == 200
        assert commits == ["commit"]
    finally:
        sa.event.remove(Session, "after_commit", _count)
