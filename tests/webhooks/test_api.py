"""/api/v1/webhooks for the admin: the secret in the creation's answer only, deliveries filtered, replay."""

from __future__ import annotations

from datetime import UTC, datetime

from coordination.extensions import db
from coordination.webhooks.operations import deliver_due
from tests.support.api import assert_problem

NOW = datetime(2026, 12, 4, 8, 0, tzinfo=UTC)


def test_register_read_change_and_remove_an_endpoint(app, api) -> None:
    admin = api("admin")
    created = admin.post(
        "/api/v1/webhooks/endpoints",
        json={"url": "https://93.184.215.14/e-office", "events": ["report.generated", "reminder.sent"]},
    )
    assert created.status_code == 201, created.get_json()
    body = created.get_json()
    secret = body["secret"]
    assert len(secret) == 64
    assert body["events"] == ["reminder.sent", "report.generated"]  # the documented order, no repeats
    assert (body["active"], body["created_by"], body["description"]) == (True, "admin", "")

    url = f"/api/v1/webhooks/endpoints/{body['id']}"
    read = admin.get(url).get_json()
    assert "secret" not in read and read["url"] == "https://93.184.215.14/e-office"
    listed = admin.get("/api/v1/webhooks/endpoints").get_json()["items"]
    assert [e["id"] for e in listed] == [body["id"]] and "secret" not in listed[0]

    changed = admin.patch(url, json={"active": False, "secret": "a-rotated-secret-16+", "description": "E-office"})
    assert changed.status_code == 200
    assert (changed.get_json()["active"], changed.get_json()["description"]) == (False, "E-office")
    assert secret not in changed.get_data(as_text=True) and "a-rotated-secret-16+" not in changed.get_data(as_text=True)

    assert admin.delete(url).status_code == 204
    assert_problem(admin.get(url), 404)


def test_bad_endpoints_are_refused_with_the_field_named(app, api) -> None:
    admin = api("admin")
    body = assert_problem(
        admin.post("/api/v1/webhooks/endpoints", json={"url": "http://169.254.169.254/", "events": ["reminder.sent"]}),
        422,
    )
    assert list(body["errors"]) == ["url"]
    body = assert_problem(
        admin.post("/api/v1/webhooks/endpoints", json={"url": "file:///etc/passwd", "events": ["reminder.sent"]}), 422
    )
    assert list(body["errors"]) == ["url"]
    body = assert_problem(
        admin.post("/api/v1/webhooks/endpoints", json={"url": "https://93.184.215.14/", "events": []}), 422
    )
    assert list(body["errors"]) == ["events"]
    body = assert_problem(admin.post("/api/v1/webhooks/endpoints", json={"events": ["reminder.sent"]}), 422)
    assert list(body["errors"]) == ["url"]


def test_deliveries_listed_filtered_read_and_replayed(app, api, receiver, allow_private) -> None:
    admin = api("admin")
    endpoint = admin.post("/api/v1/webhooks/endpoints", json={"url": receiver.url, "events": ["reminder.sent"]})
    endpoint_id = endpoint.get_json()["id"]
    first = admin.post(f"/api/v1/webhooks/endpoints/{endpoint_id}/test").get_json()
    second = admin.post(f"/api/v1/webhooks/endpoints/{endpoint_id}/test").get_json()
    assert (first["status"], first["event_type"], first["attempts"]) == ("pending", "ping", 0)
    receiver.statuses = [200, 500]
    db.session.commit()
    deliver_due()

    def ids(**query: object) -> list[int]:
        return [d["id"] for d in admin.items("/api/v1/webhooks/deliveries", **query)]

    assert ids() == [second["id"], first["id"]]  # newest first
    assert ids(status="delivered") == [first["id"]]
    assert ids(status="failed") == [second["id"]]
    assert ids(endpoint=endpoint_id, event="ping") == [second["id"], first["id"]]
    assert ids(event="report.generated") == []
    assert_problem(admin.get("/api/v1/webhooks/deliveries?status=lost"), 422)

    detail = admin.get(f"/api/v1/webhooks/deliveries/{second['id']}").get_json()
    assert detail["last_response_status"] == 500
    assert detail["last_response_body"].startswith("receiver broke")
    assert detail["payload"]["type"] == "ping" and detail["payload"]["object"]["id"] == endpoint_id

    replayed = admin.post(f"/api/v1/webhooks/deliveries/{first['id']}/replay")
    assert replayed.status_code == 200
    assert (replayed.get_json()["status"], replayed.get_json()["attempts"]) == ("pending", 0)
    assert_problem(admin.post(f"/api/v1/webhooks/deliveries/{first['id']}/replay"), 409)
    db.session.commit()
    deliver_due()
    assert receiver.delivery_ids().count(first["id"]) == 2
