"""The admin's webhook pages: register (the secret shown once), list without secrets, deliveries filtered,
a delivery's answer, replay and a test event as CSRF-protected POSTs."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import sqlalchemy as sa

from coordination.extensions import db
from coordination.webhooks.models import DeliveryStatus, WebhookDelivery, WebhookEndpoint
from coordination.webhooks.operations import create_endpoint, deliver_due, send_test_event
from tests.conftest import DEMO_PASSWORD, csrf_token_in, get_user

NOW = datetime(2026, 12, 4, 8, 0, tzinfo=UTC)


def test_the_admin_registers_an_endpoint_and_sees_its_secret_once(app, login, receiver, allow_private) -> None:
    client = login("admin")
    response = client.post(
        "/app/webhook/new/",
        data={"url": receiver.url, "description": "Hệ thống e-office", "events": ["reminder.sent", "report.generated"]},
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 200, page[:2000]
    endpoint = db.session.scalar(sa.select(WebhookEndpoint).where(WebhookEndpoint.url == receiver.url))
    assert endpoint.events == ["reminder.sent", "report.generated"]
    assert endpoint.description == "Hệ thống e-office" and endpoint.created_by.username == "admin"
    assert re.search(r'class="webhook-secret">([0-9a-f]{64})<', page).group(1) == endpoint.secret
    assert "Khóa bí mật chỉ hiển thị một lần" in page

    for url in ("/app/webhook/", f"/app/webhook/edit/?id={endpoint.id}"):
        shown = client.get(url)
        assert shown.status_code == 200
        assert endpoint.secret not in shown.get_data(as_text=True), url
    assert "Hệ thống e-office" in client.get("/app/webhook/").get_data(as_text=True)


def test_a_url_inside_the_network_is_refused_on_the_form(app, login) -> None:
    response = login("admin").post(
        "/app/webhook/new/", data={"url": "http://10.0.0.5/hook", "events": ["reminder.sent"]}
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "thuộc mạng nội bộ" in page
    assert db.session.scalar(sa.select(sa.func.count(WebhookEndpoint.id))) == 0


def test_the_pages_are_the_admins_only(app, login) -> None:
    client = login("office.tayninh")
    assert client.get("/app/webhook/").status_code == 403
    assert client.get("/app/webhook-delivery/").status_code == 403
    assert "/app/webhook/" not in client.get("/app/").get_data(as_text=True)


def test_deliveries_are_listed_filtered_and_shown_with_their_answer(app, login, receiver, allow_private) -> None:
    admin = get_user("admin")
    endpoint, _ = create_endpoint({"url": receiver.url, "events": ["reminder.sent"]}, actor=admin)
    other, _ = create_endpoint({"url": receiver.url + "/other", "events": ["reminder.sent"]}, actor=admin)
    sent = send_test_event(endpoint, actor=admin, now=NOW)
    waiting = send_test_event(other, actor=admin, now=datetime(2099, 1, 1, tzinfo=UTC))
    db.session.commit()
    deliver_due(NOW)
    client = login("admin")

    def ids(query: str) -> list[int]:
        html = client.get(f"/app/webhook-delivery/?{query}").get_data(as_text=True)
        return sorted(int(i) for i in re.findall(r'<td class="col-id">\s*(\d+)\s*</td>', html))

    assert ids("") == [sent.id, waiting.id]
    assert ids("status=delivered") == [sent.id]
    assert ids("status=pending") == [waiting.id]
    assert ids(f"webhook={other.id}") == [waiting.id]
    assert ids("event=ping") == [sent.id, waiting.id]
    assert ids("event=report.generated") == []

    page = client.get(f"/app/webhook-delivery/details/?id={sent.id}").get_data(as_text=True)
    assert "Đã gửi" in page and "{&#34;ok&#34;: true}" in page
    assert "&#34;type&#34;: &#34;ping&#34;" in page  # the body sent, pretty-printed
    assert endpoint.secret not in page


def test_replay_and_test_event_are_csrf_protected_posts(app, login, csrf_client, receiver, allow_private) -> None:
    admin = get_user("admin")
    endpoint, _ = create_endpoint({"url": receiver.url, "events": ["reminder.sent"]}, actor=admin)
    delivery = send_test_event(endpoint, actor=admin, now=NOW)
    db.session.commit()
    deliver_due(NOW)
    token = csrf_token_in(csrf_client.get("/login").get_data(as_text=True))
    login_answer = csrf_client.post(
        "/login", data={"username": "admin", "password": DEMO_PASSWORD, "csrf_token": token}
    )
    assert login_answer.status_code == 302

    assert csrf_client.post(f"/app/webhook-delivery/{delivery.id}/replay/").status_code == 400  # no token
    db.session.refresh(delivery)
    assert delivery.status == DeliveryStatus.delivered

    token = csrf_token_in(csrf_client.get(f"/app/webhook-delivery/details/?id={delivery.id}").get_data(as_text=True))
    response = csrf_client.post(f"/app/webhook-delivery/{delivery.id}/replay/", data={"csrf_token": token})
    assert response.status_code == 302
    db.session.refresh(delivery)
    assert (delivery.status, delivery.attempts) == (DeliveryStatus.pending, 0)

    token = csrf_token_in(csrf_client.get("/app/webhook/").get_data(as_text=True))
    response = csrf_client.post(f"/app/webhook/{endpoint.id}/test/", data={"csrf_token": token})
    assert response.status_code == 302
    pings = db.session.scalars(sa.select(WebhookDelivery).where(WebhookDelivery.endpoint_id == endpoint.id)).all()
    assert len(pings) == 2 and response.headers["Location"].endswith(
        f"/app/webhook-delivery/details/?id={pings[-1].id}"
    )


def test_deleting_an_endpoint_removes_its_deliveries(app, login, receiver, allow_private) -> None:
    admin = get_user("admin")
    endpoint, _ = create_endpoint({"url": receiver.url, "events": ["reminder.sent"]}, actor=admin)
    send_test_event(endpoint, actor=admin, now=NOW)
    db.session.commit()
    response = login("admin").post("/app/webhook/delete/", data={"id": endpoint.id})
    assert response.status_code == 302
    assert db.session.scalar(sa.select(sa.func.count(WebhookEndpoint.id))) == 0
    assert db.session.scalar(sa.select(sa.func.count(WebhookDelivery.id))) == 0
