"""A bounded number of SQL statements per request, however many rows (no N+1)."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from coordination.directives.models import Directive
from coordination.extensions import db
from tests.conftest import count_queries

MAX_QUERIES = 8


def _count(client, url: str) -> int:
    client.get(url)  # the first use of a token writes its last use: not what is measured here
    # Tests share one session across requests: start from an empty identity map, as a real request does.
    db.session.expunge_all()
    with count_queries() as statements:
        response = client.get(url)
    assert response.status_code == 200, response.get_data(as_text=True)
    return len(statements)


@pytest.mark.parametrize("username", ["admin", "justice.tayninh", "monitor.tamdiep"])
def test_the_assignment_list(api, username):
    client = api(username)
    small = _count(client, "/api/v1/assignments?page_size=2")
    large = _count(client, "/api/v1/assignments?page_size=100")
    assert large <= MAX_QUERIES
    assert large == small  # independent of the number of rows


def test_the_assignment_list_with_filters(api):
    client = api("admin")
    url = "/api/v1/assignments?page_size=100&agency=TN-STP&directive=2&open=true&timeliness=overdue"
    assert _count(client, url) <= MAX_QUERIES


def test_the_directive_page(api):
    client = api("admin")
    counts = {}
    for ref, directive_id in db.session.execute(sa.select(Directive.ref, Directive.id)).all():
        counts[ref] = _count(client, f"/api/v1/directives/{directive_id}")
    assert max(counts.values()) <= MAX_QUERIES
    # 13 tasks and 66 assignments cost what 3 tasks and 32 assignments cost.
    assert counts["2157/UBND-KSTT"] == counts["570/UBND-CA"]


@pytest.mark.parametrize("url", ["/api/v1/directives?page_size=100", "/api/v1/agencies?page_size=500", "/api/v1/me"])
def test_the_other_endpoints(api, url):
    assert _count(api("justice.tayninh"), url) <= MAX_QUERIES


def test_the_agency_list_does_not_grow_with_rows(api):
    client = api("admin")
    assert _count(client, "/api/v1/agencies?page_size=2") == _count(client, "/api/v1/agencies?page_size=500")


def test_one_assignment_reads_only_the_parts_of_its_record_it_has(api):
    """Files, extension requests and handlers are read only where the assignment's query found some."""
    client = api("justice.tayninh")
    mine = client.get("/api/v1/assignments?page_size=100&agency=TN-STP&open=true").get_json()["items"]
    bare = [a["id"] for a in mine if _parts(client, a["id"]) == (0, 0, 0)]
    assert bare, "the demo's Sở Tư pháp has open work without files, requests or handlers"
    counts = {assignment_id: _count(client, f"/api/v1/assignments/{assignment_id}") for assignment_id in bare}
    # give one of them a request for more time, as its officer would (work of an active directive may have one)
    for assignment_id in bare:
        added = client.post(
            f"/api/v1/assignments/{assignment_id}/extension-requests",
            json={"requested_deadline": "2027-12-31", "reason": "Cần thêm thời gian"},
        )
        if added.status_code == 201:
            break
    assert added.status_code == 201, added.get_json()
    before = counts[assignment_id]
    db.session.expunge_all()
    after = _count(client, f"/api/v1/assignments/{assignment_id}")
    assert after == before + 1
    detail = client.get(f"/api/v1/assignments/{assignment_id}").get_json()
    assert [r["reason"] for r in detail["extension_requests"]] == ["Cần thêm thời gian"]
    assert detail["evidence"] == [] and detail["handlers"] == []


def _parts(client, assignment_id: int) -> tuple[int, int, int]:
    detail = client.get(f"/api/v1/assignments/{assignment_id}").get_json()
    return len(detail["evidence"] or []), len(detail["extension_requests"] or []), len(detail["handlers"] or [])
