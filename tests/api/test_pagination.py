"""Lists come in pages: page_size and an opaque page_token, every row exactly once, stable under inserts."""

from __future__ import annotations

import base64

import pytest
import sqlalchemy as sa

from coordination.agencies.models import Agency
from coordination.assignments.models import Assignment, AssignmentRole
from coordination.directives.models import Directive
from coordination.extensions import db
from tests.support.api import assert_problem

LISTS = ["/api/v1/assignments", "/api/v1/agencies", "/api/v1/directives"]


def _walk(client, url: str, page_size: int, **params) -> tuple[list[int], list[dict]]:
    ids, pages = [], []
    token = None
    while True:
        query = {"page_size": page_size, **params, **({"page_token": token} if token else {})}
        response = client.get(url, query_string=query)
        assert response.status_code == 200, response.get_data(as_text=True)
        body = response.get_json()
        assert set(body) == {"items", "next_page_token", "page_size"}
        assert body["page_size"] == page_size
        assert len(body["items"]) <= page_size
        pages.append(body)
        ids.extend(item["id"] for item in body["items"])
        token = body["next_page_token"]
        if token is None:
            return ids, pages


@pytest.mark.parametrize("url", LISTS)
@pytest.mark.parametrize("page_size", [1, 7, 50, 500])
def test_pages_walk_every_row_exactly_once(api, url, page_size):
    client = api("admin")
    ids, pages = _walk(client, url, page_size)
    assert len(ids) == len(set(ids))
    everything = client.get(url, query_string={"page_size": 500}).get_json()
    assert everything["next_page_token"] is None
    assert ids == [item["id"] for item in everything["items"]]
    assert all(len(p["items"]) == page_size for p in pages[:-1])


def test_the_default_page_size_is_50(api):
    body = api("admin").get("/api/v1/assignments").get_json()
    assert body["page_size"] == 50
    total = db.session.scalar(sa.select(sa.func.count(Assignment.id)))
    assert total > 50
    assert len(body["items"]) == 50
    assert body["next_page_token"] is not None


def test_a_page_stays_stable_when_a_row_is_inserted_between_fetches(api):
    client = api("admin")
    before = {a.id for a in db.session.scalars(sa.select(Assignment))}
    first = client.get("/api/v1/assignments", query_string={"page_size": 10}).get_json()

    # New work arrives while the client reads.
    directive = db.session.scalar(sa.select(Directive).where(Directive.ref == "570/UBND-CA"))
    task = directive.tasks[0]
    taken = {a.agency_id for a in task.assignments}
    agency = db.session.scalars(sa.select(Agency).where(Agency.id.not_in(taken)).order_by(Agency.id)).first()
    task.assignments.append(Assignment(agency=agency, role=AssignmentRole.coordinate, deadline=task.deadline))
    db.session.commit()
    added = task.assignments[-1].id

    ids = [item["id"] for item in first["items"]]
    token = first["next_page_token"]
    while token:
        body = client.get("/api/v1/assignments", query_string={"page_size": 10, "page_token": token}).get_json()
        ids.extend(item["id"] for item in body["items"])
        token = body["next_page_token"]
    assert len(ids) == len(set(ids))
    assert set(ids) - {added} == before  # every row that was there is read exactly once
    assert added in ids  # ids only grow: the new row lands after the cursor


def test_a_page_stays_stable_when_a_row_already_read_is_deleted(api):
    client = api("admin")
    first = client.get("/api/v1/assignments", query_string={"page_size": 10}).get_json()
    second_expected = client.get(
        "/api/v1/assignments", query_string={"page_size": 10, "page_token": first["next_page_token"]}
    ).get_json()
    db.session.delete(db.session.get(Assignment, first["items"][0]["id"]))
    db.session.commit()
    second = client.get(
        "/api/v1/assignments", query_string={"page_size": 10, "page_token": first["next_page_token"]}
    ).get_json()
    assert second == second_expected


def test_the_token_is_opaque_base64_of_the_last_id(api):
    body = api("admin").get("/api/v1/assignments", query_string={"page_size": 3}).get_json()
    token = body["next_page_token"]
    padded = token + "=" * (-len(token) % 4)
    assert int(base64.urlsafe_b64decode(padded)) == body["items"][-1]["id"]


def test_filters_and_pages_combine(api):
    client = api("admin")
    ids, _pages = _walk(client, "/api/v1/assignments", 4, open="true")
    everything = client.get("/api/v1/assignments", query_string={"page_size": 500, "open": "true"}).get_json()
    assert ids == [item["id"] for item in everything["items"]]


@pytest.mark.parametrize("url", LISTS)
@pytest.mark.parametrize("page_size", ["0", "-1", "501", "10000", "abc", ""])
def test_a_bad_page_size_is_422(api, url, page_size):
    assert_problem(api("admin").get(url, query_string={"page_size": page_size}), 422, field="page_size")


@pytest.mark.parametrize("token", ["not base64!", "=", "MTIzNDU2Nzg5MDEyMzQ1Njc4OTA", "YWJj", "MTI=", " MTI"])
def test_a_malformed_page_token_is_422(api, token):
    assert_problem(api("admin").get("/api/v1/assignments", query_string={"page_token": token}), 422, field="page_token")
