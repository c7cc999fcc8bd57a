"""GET /api/v1/queue: the page's list in JSON, oldest first, keyset pages; and POST .../read."""

from __future__ import annotations

import sqlalchemy as sa

from coordination.extensions import db
from coordination.reminders.models import ExplanationRequest
from tests.conftest import assignment_of, count_queries
from tests.queue.helpers import answered_explanation, ask_for_time
from tests.support.api import assert_problem


def test_the_monitor_reads_its_reviews_oldest_first_page_by_page(api) -> None:
    client = api("monitor.tayninh")
    first = client.get("/api/v1/queue?kind=review&page_size=1")
    assert first.status_code == 200, first.get_data(as_text=True)
    body = first.get_json()
    older = assignment_of("2157/UBND-KSTT", "7", "TN-SGDDT")
    assert body["counts"] == {"review": 2, "extension": 0, "explanation": 0, "limit": 1000, "over_limit": []}
    assert [i["id"] for i in body["items"]] == [older.id]
    item = body["items"][0]
    assert item["kind"] == "review" and item["waiting_since"] == "2022-09-12"
    assert item["directive"]["ref"] == "2157/UBND-KSTT" and item["task_label"] == "7"
    assert item["agency"]["code"] == "TN-SGDDT"
    assert item["decide"] == f"/api/v1/assignments/{older.id}/review"
    second = client.get(f"/api/v1/queue?kind=review&page_size=1&page_token={body['next_page_token']}").get_json()
    assert [i["id"] for i in second["items"]] == [assignment_of("2157/UBND-KSTT", "12", "TN-BQLKKT").id]
    assert second["next_page_token"] is None


def test_counts_stop_at_the_limit(api, app, monkeypatch) -> None:
    """Issue 14: a province's monitor has ~25,000 reports waiting; counting stops past QUEUE_COUNT_LIMIT."""
    client = api("monitor.tayninh")  # two reports wait
    monkeypatch.setitem(app.config, "QUEUE_COUNT_LIMIT", 1)
    counts = client.get("/api/v1/queue?kind=review").get_json()["counts"]
    assert counts == {"review": 1, "extension": 0, "explanation": 0, "limit": 1, "over_limit": ["review"]}
    monkeypatch.setitem(app.config, "QUEUE_COUNT_LIMIT", 2)  # exactly the limit is a number, not "more"
    counts = client.get("/api/v1/queue?kind=review").get_json()["counts"]
    assert counts == {"review": 2, "extension": 0, "explanation": 0, "limit": 2, "over_limit": []}


def test_extensions_and_explanations_and_reading_one(api) -> None:
    request = ask_for_time()
    explanation = answered_explanation("TN-SGDDT", "education.tayninh")
    db.session.commit()
    client = api("office.tayninh")
    items = client.items("/api/v1/queue", kind="extension")
    assert [(i["id"], i["requested_deadline"], i["reason"], i["by"]["username"]) for i in items] == [
        (request.id, request.requested_deadline.isoformat(), "Thiếu nhân lực.", "justice.tayninh")
    ]
    assert items[0]["decide"] == f"/api/v1/extension-requests/{request.id}/decision"
    [answer] = client.items("/api/v1/queue", kind="explanation")
    assert answer["id"] == explanation.id and answer["answer"] == "Do thiếu nhân lực."
    read = client.post(f"/api/v1/explanation-requests/{explanation.id}/read")
    assert read.status_code == 200, read.get_data(as_text=True)
    assert client.items("/api/v1/queue", kind="explanation") == []
    assert_problem(client.post(f"/api/v1/explanation-requests/{explanation.id}/read"), 409)
    assert db.session.scalar(
        sa.select(ExplanationRequest.answer_read_at).where(ExplanationRequest.id == explanation.id)
    )


def test_refusals(api) -> None:
    assert_problem(api("justice.tayninh").get("/api/v1/queue?kind=review"), 403)
    monitor = api("monitor.tayninh")
    assert_problem(monitor.get("/api/v1/queue"), 422, field="kind")
    assert_problem(monitor.get("/api/v1/queue?kind=everything"), 422, field="kind")
    assert_problem(monitor.get("/api/v1/queue?kind=review&page_token=zz"), 422, field="page_token")
    explanation = answered_explanation()
    db.session.commit()
    # another city's monitor does not see the request: 404, as for one that does not exist
    assert_problem(api("monitor.tamdiep").post(f"/api/v1/explanation-requests/{explanation.id}/read"), 404)
    # the agency sees it, but may not mark it read
    assert_problem(api("justice.tayninh").post(f"/api/v1/explanation-requests/{explanation.id}/read"), 403)


def test_the_schema_is_documented(api) -> None:
    spec = api("admin").get("/api/v1/openapi.json").get_json()
    operation = spec["paths"]["/api/v1/queue"]["get"]
    assert {p["name"] for p in operation["parameters"]} >= {"kind", "page_size", "page_token"}
    schema = operation["responses"]["200"]["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[1]
    assert {"items", "counts", "next_page_token"} <= set(spec["components"]["schemas"][schema]["properties"])


def _count(client, url: str) -> int:  # type: ignore[no-untyped-def]
    client.get(url)
    db.session.expunge_all()
    with count_queries() as statements:
        response = client.get(url)
    assert response.status_code == 200, response.get_data(as_text=True)
    return len(statements)


def test_the_api_list_does_not_grow_with_rows(api) -> None:
    for agency, user in (("TN-STP", "justice.tayninh"), ("TN-SGDDT", "education.tayninh")):
        ask_for_time(agency, user)
    db.session.commit()
    client = api("monitor.tayninh")
    assert _count(client, "/api/v1/queue?kind=extension&page_size=1") == _count(
        client, "/api/v1/queue?kind=extension&page_size=50"
    )
