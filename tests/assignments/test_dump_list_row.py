"""The API list's column-only query and hand-written dump give exactly AssignmentSchema's dump of the ORM listing."""

from __future__ import annotations

from flask import Flask

from coordination.assignments.queries import Listed, assignment_list_query, assignment_query
from coordination.assignments.schemas import AssignmentSchema, dump_list_row
from coordination.extensions import db
from tests.conftest import get_user


def test_list_rows_dump_as_the_schema_dumps_the_orm_listing(app: Flask) -> None:
    with app.test_request_context():
        cases = (("admin", {}), ("monitor.tayninh", {"timeliness": "overdue"}), ("bacson.tamdiep", {"open": True}))
        for username, filters in cases:
            user = get_user(username)
            schema = AssignmentSchema()
            expected = [schema.dump(Listed.of(row)) for row in db.session.execute(assignment_query(user, filters))]
            dumped = [dump_list_row(row) for row in db.session.execute(assignment_list_query(user, filters))]
            assert dumped == expected
            assert expected, username
        # the demo's story runs through every kind of row: each timeliness, status and optional date
        everything = [dump_list_row(row) for row in db.session.execute(assignment_list_query(get_user("admin")))]
        assert {row["timeliness"] for row in everything} >= {"overdue", "on_time", "done_on_time", "done_late"}
        assert any(row["completed_on"] for row in everything) and any(row["reported_done_on"] for row in everything)


def test_the_list_endpoint_sends_the_schema_fields(app: Flask, api) -> None:  # type: ignore[no-untyped-def]
    client = api("monitor.tayninh")
    page = client.get("/api/v1/assignments?page_size=5").get_json()
    assert set(page) == {"items", "next_page_token", "page_size"}
    assert page["page_size"] == 5 and len(page["items"]) == 5 and page["next_page_token"]
    assert set(page["items"][0]) == set(AssignmentSchema().fields)
    following = client.get(f"/api/v1/assignments?page_size=5&page_token={page['next_page_token']}").get_json()
    assert following["items"][0]["id"] > page["items"][-1]["id"]
