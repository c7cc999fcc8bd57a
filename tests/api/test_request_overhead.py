"""What a list request must not redo each time (issue 14: the per-request cost under load, `make bench`).

Each guard here stood for milliseconds of every API list request at province scale: a schema built and its
fields translated per request, the timeliness CASE rebuilt twice per request, and PostgreSQL's generic plans
of prepared statements (the dashboard's overdue rows: 0.4 ms planned for the day, 180 ms generic).
"""

from __future__ import annotations

import re
from datetime import date

import marshmallow
import pytest
import sqlalchemy as sa

from coordination.assignments import queries
from coordination.assignments.models import Assignment
from coordination.assignments.queries import timeliness_column, timeliness_is
from coordination.assignments.states import Timeliness
from coordination.db import today
from coordination.extensions import db

LIST = "/api/v1/assignments?timeliness=overdue&page_size=5"


def test_no_schema_is_built_per_request(api, monkeypatch):
    client = api("monitor.tayninh")
    assert client.get(LIST).status_code == 200  # the first request may build the argument schema once
    built: list[str] = []
    original = marshmallow.Schema.__init__

    def counting_init(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        built.append(type(self).__name__)
        original(self, *args, **kwargs)

    monkeypatch.setattr(marshmallow.Schema, "__init__", counting_init)
    for _ in range(3):
        assert client.get(LIST).status_code == 200
    assert built == []


def test_the_arguments_are_still_checked_on_every_request(api):
    # One schema instance serves every request: an error on one request must not leak into the next.
    client = api("monitor.tayninh")
    bad = client.get("/api/v1/assignments?timeliness=late")
    assert bad.status_code == 422
    assert "timeliness" in bad.get_json()["errors"]
    good = client.get(LIST)
    assert good.status_code == 200
    assert all(item["timeliness"] == "overdue" for item in good.get_json()["items"])


def test_the_timeliness_expression_is_built_once_a_day(app):
    day, other = date(2026, 11, 24), date(2026, 11, 25)
    with app.test_request_context():
        assert timeliness_column(day) is timeliness_column(day)
        assert timeliness_is(Timeliness.overdue, day) is timeliness_is(Timeliness.overdue, day)
        # another day, another expression: what is overdue moves with the date
        assert timeliness_column(other) is not timeliness_column(day)
        assert timeliness_is(Timeliness.overdue, other) is not timeliness_is(Timeliness.overdue, day)
        assert timeliness_is(Timeliness.due_soon, day) is not timeliness_is(Timeliness.overdue, day)


def test_the_cached_expression_answers_for_its_own_day(app):
    # The demo's directives (2022) had no deadline passed on 01/01/2000; by 24/11/2026 many had.
    with app.test_request_context():
        late_now = db.session.scalar(
            sa.select(sa.func.count()).select_from(Assignment).where(timeliness_is("overdue", date(2026, 11, 24)))
        )
        late_then = db.session.scalar(
            sa.select(sa.func.count()).select_from(Assignment).where(timeliness_is("overdue", date(2000, 1, 1)))
        )
    assert late_now > 0
    assert late_then == 0


def test_postgresql_prepares_the_key_lookups_and_the_list_pages_only(app, api):
    """A prepared statement's generic plan does not know the day its deadlines are compared with, nor can it use
    a partial index against parameters: dashboards are planned each time. Lookups by key (the token, one
    assignment and its record) are prepared: planning one assignment's query alone cost 2.5 ms. So is a list's
    page, with every value but the page's bounds written into its text, so that its one plan is the plan for
    those values (0.35 ms of the 0.5 ms PostgreSQL spent on a commune's page)."""
    if db.engine.dialect.name != "postgresql":
        pytest.skip("server-side prepared statements are PostgreSQL's")
    client = api("monitor.tayninh")
    first = client.get(LIST).get_json()["items"][0]["id"]
    for _ in range(8):  # psycopg would prepare a statement from its fifth run by default
        assert client.get(LIST).status_code == 200
        assert client.get(f"/api/v1/assignments/{first}").status_code == 200
        assert client.get("/api/v1/dashboard").status_code == 200
    conn = db.session.connection()  # the tests' one connection, which the requests above used
    prepared = conn.exec_driver_sql("SELECT statement FROM pg_prepared_statements").scalars().all()
    assert [s for s in prepared if "FROM api_token" in s]
    assert [s for s in prepared if "FROM progress_update" in s]
    assert [s for s in prepared if "WHERE" in s and "assignment.id = $" in s]  # the one assignment
    assert [s for s in prepared if "assignment_tally" in s] == []  # nor the dashboard's counts
    # list pages, this test's and any earlier test's on the same pooled connection
    pages = [s for s in prepared if "LIMIT" in s and "FROM assignment JOIN task" in s]
    assert pages
    for page in pages:  # the only parameters are the page's bounds: the last id seen and the page's size
        assert re.findall(r"\$\d+", page) == ["$1", "$2"]
        assert "assignment.id > $1" in page and "LIMIT $2" in page
    overdue = [s for s in pages if "= 'overdue'" in s]
    assert overdue  # this test's list
    for page in overdue:  # the day and the statuses written in, as the partial index and the day's deadlines need
        assert f"assignment.deadline < '{today().isoformat()}'" in page
        assert "assignment.status NOT IN ('cancelled', 'done')" in page  # in one order, whatever the process


def test_a_list_page_shows_the_values_written_into_its_statement(api):
    # Written-in values are still the request's: another agency's code, another status, another list.
    office = api("office.tayninh")
    justice = office.get("/api/v1/assignments?agency=TN-STP&page_size=100").get_json()["items"]
    police = office.get("/api/v1/assignments?agency=TN-CA&page_size=100").get_json()["items"]
    assert justice and police
    assert {item["agency"]["code"] for item in justice} == {"TN-STP"}
    assert {item["agency"]["code"] for item in police} == {"TN-CA"}
    done = office.get("/api/v1/assignments?status=done&page_size=100").get_json()["items"]
    assert {item["status"] for item in done} <= {"done"}


def test_one_assignments_statement_is_built_once_for_its_viewer(api, monkeypatch):
    # Building it (visibility, joins, the record's EXISTS) was ~0.7 ms of a 4 ms request (make bench).
    client = api("justice.tayninh")
    first, second = (item["id"] for item in client.get("/api/v1/assignments?page_size=2").get_json()["items"])
    # statements are kept per process: an earlier test may have made these viewers' already
    monkeypatch.setattr(queries, "_ONE_ASSIGNMENT", queries._Kept())
    built: list[object] = []
    original = queries.assignment_query

    def counting(*args, **kwargs):  # type: ignore[no-untyped-def]
        built.append(args[0])
        return original(*args, **kwargs)

    monkeypatch.setattr(queries, "assignment_query", counting)
    for assignment_id in (first, second, first):
        response = client.get(f"/api/v1/assignments/{assignment_id}")
        assert response.status_code == 200
        assert response.get_json()["id"] == assignment_id  # the kept statement, another assignment's parameter
    assert len(built) == 1
    # another viewer, another statement: visibility is part of it
    other = api("office.tayninh")
    assert other.get(f"/api/v1/assignments/{first}").status_code == 200
    assert len(built) == 2
