"""Webhooks delivered to a real HTTP server: signed, retried with backoff, never twice, replayed, and only
for changes that were committed."""

from __future__ import annotations

import hashlib
import hmac
import json
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from coordination.assignments.operations import report_progress
from coordination.assignments.states import Action, Status
from coordination.audit import AuditEvent
from coordination.errors import Conflict, Forbidden, Invalid
from coordination.extensions import db
from coordination.webhooks.models import DeliveryStatus, WebhookDelivery, WebhookEndpoint
from coordination.webhooks.operations import (
    check_url,
    create_endpoint,
    deliver_due,
    enqueue_new_events,
    replay_delivery,
    send_test_event,
    update_endpoint,
)
from tests.conftest import SETUP, get_user
from tests.factories import make_assignment

SECRET = "a-shared-secret-of-the-e-office"
NOW = datetime(2026, 12, 4, 8, 0, tzinfo=UTC)


def _endpoint(url: str, events: tuple[str, ...] = ("assignment.status_changed",), **extra):  # type: ignore[no-untyped-def]
    endpoint, secret = create_endpoint(
        {"url": url, "events": list(events), "secret": SECRET, **extra}, actor=get_user("admin")
    )
    db.session.commit()
    assert secret == SECRET
    return endpoint


def _started_work():  # type: ignore[no-untyped-def]
    """Sở GD&ĐT starts its work: one `assignment.start` audit event, committed."""
    work = make_assignment("TN-SGDDT", status=Status.not_started)
    db.session.commit()
    report_progress(
        work, actor=get_user("education.tayninh"), action=Action.start, note="Bắt đầu, có số CCCD 079203004417."
    )
    db.session.commit()
    return work


def _deliveries() -> list[WebhookDelivery]:
    return list(db.session.scalars(sa.select(WebhookDelivery).order_by(WebhookDelivery.id)))


def test_a_delivery_is_verified_by_its_signature(app, receiver, allow_private) -> None:
    endpoint = _endpoint(receiver.url)
    work = _started_work()

    summary = deliver_due()

    assert summary.as_dict() == {"enqueued": 1, "attempted": 1, "delivered": 1, "failed": 0, "given_up": 0}
    (request,) = receiver.requests
    (delivery,) = _deliveries()
    assert request.path == "/hooks/coordination"
    assert request.headers["Content-Type"] == "application/json; charset=utf-8"
    assert request.headers["X-Coordination-Event"] == "assignment.status_changed"
    assert request.headers["X-Coordination-Delivery"] == str(delivery.id)
    # The receiver's check, as the README shows it: HMAC-SHA256 of "timestamp.body" under the shared secret.
    timestamp = request.headers["X-Coordination-Timestamp"]
    expected = hmac.new(SECRET.encode(), timestamp.encode() + b"." + request.body, hashlib.sha256).hexdigest()
    assert hmac.compare_digest(request.headers["X-Coordination-Signature"], "sha256=" + expected)
    assert abs(int(timestamp) - datetime.now(UTC).timestamp()) < 60
    # A body signed with another secret does not verify.
    forged = hmac.new(b"another secret", timestamp.encode() + b"." + request.body, hashlib.sha256).hexdigest()
    assert request.headers["X-Coordination-Signature"] != "sha256=" + forged

    body = json.loads(request.body)
    event = db.session.scalar(
        sa.select(AuditEvent).where(AuditEvent.action == "assignment.start").order_by(AuditEvent.id.desc())
    )
    assert body["event_id"] == event.id == delivery.event_id
    assert body["type"] == "assignment.status_changed"
    assert body["action"] == "assignment.start"
    assert body["actor"] == "education.tayninh"
    assert body["assignment"] == {"id": work.id, "agency": "TN-SGDDT"}
    assert body["directive"]["id"] == work.task.directive_id
    assert body["directive"]["ref"] == work.task.directive.ref
    assert body["before"]["status"] == "not_started" and body["after"]["status"] == "in_progress"
    assert "note" not in body["after"]  # free text may hold personal data: never in a webhook body
    # the whole number: a short one ("0123") turned up by chance among the body's other digits and failed CI once
    assert "079203004417" not in request.body.decode()

    assert delivery.endpoint_id == endpoint.id
    assert (delivery.status, delivery.attempts, delivery.last_response_status) == (DeliveryStatus.delivered, 1, 200)
    assert delivery.last_response_body == '{"ok": true}'
    assert delivery.delivered_at is not None and delivery.next_attempt_at is None


def test_a_failing_endpoint_is_retried_after_a_backoff(app, receiver, allow_private) -> None:
    _endpoint(receiver.url)
    _started_work()
    receiver.statuses = [500]

    first = deliver_due(NOW)
    (delivery,) = _deliveries()
    assert first.as_dict() == {"enqueued": 1, "attempted": 1, "delivered": 0, "failed": 1, "given_up": 0}
    assert (delivery.status, delivery.attempts, delivery.last_response_status) == (DeliveryStatus.failed, 1, 500)
    assert delivery.last_response_body.startswith("receiver broke: xxx")
    assert len(delivery.last_response_body) == 1000  # an excerpt, not the whole answer
    # The first retry waits a minute, plus up to half of it again (jitter).
    assert timedelta(seconds=60) <= delivery.next_attempt_at - NOW <= timedelta(seconds=90)

    assert deliver_due(NOW + timedelta(seconds=30)).attempted == 0  # not yet
    assert len(receiver.requests) == 1

    second = deliver_due(NOW + timedelta(minutes=2))
    db.session.refresh(delivery)
    assert second.as_dict() == {"enqueued": 0, "attempted": 1, "delivered": 1, "failed": 0, "given_up": 0}
    assert (delivery.status, delivery.attempts, delivery.last_response_status) == (DeliveryStatus.delivered, 2, 200)
    # The same delivery both times: the receiver dedupes on its id.
    assert receiver.delivery_ids() == [delivery.id, delivery.id]
    assert receiver.requests[0].body == receiver.requests[1].body


def test_the_backoff_doubles_then_gives_up(app, receiver, allow_private) -> None:
    app.config["WEBHOOK_MAX_ATTEMPTS"], previous = 3, app.config["WEBHOOK_MAX_ATTEMPTS"]
    try:
        _endpoint(receiver.url)
        _started_work()
        receiver.statuses = [503, 503, 503]
        now, waits = NOW, []
        for _ in range(3):
            deliver_due(now)
            (delivery,) = _deliveries()
            if delivery.next_attempt_at is not None:
                waits.append(delivery.next_attempt_at - now)
                now = delivery.next_attempt_at
        assert timedelta(minutes=1) <= waits[0] <= timedelta(minutes=1.5)
        assert timedelta(minutes=2) <= waits[1] <= timedelta(minutes=3)
        assert (delivery.status, delivery.attempts, delivery.next_attempt_at) == (DeliveryStatus.given_up, 3, None)
        assert deliver_due(now + timedelta(days=1)).attempted == 0  # given up: only a replay sends it again

        replay_delivery(delivery, actor=get_user("admin"), now=now + timedelta(days=1))
        db.session.commit()
        assert (delivery.status, delivery.attempts) == (DeliveryStatus.pending, 0)
        assert deliver_due(now + timedelta(days=1)).delivered == 1
        assert receiver.delivery_ids() == [delivery.id] * 4
    finally:
        app.config["WEBHOOK_MAX_ATTEMPTS"] = previous


def test_nothing_is_delivered_twice(app, receiver, allow_private) -> None:
    _endpoint(receiver.url)
    _started_work()
    _started_work()

    assert deliver_due(NOW).delivered == 2
    assert deliver_due(NOW + timedelta(hours=1)).as_dict() == {
        "enqueued": 0,
        "attempted": 0,
        "delivered": 0,
        "failed": 0,
        "given_up": 0,
    }
    # Enqueuing the same events again (a cursor rewound, a second deliverer) adds nothing: (endpoint, event) is unique.
    first_event = min(d.event_id for d in _deliveries())
    for endpoint in db.session.scalars(sa.select(WebhookEndpoint)):
        endpoint.last_event_id = first_event - 1
    enqueue_new_events(NOW)
    db.session.commit()
    assert deliver_due(NOW + timedelta(hours=2)).attempted == 0
    assert len(_deliveries()) == 2
    assert sorted(receiver.delivery_ids()) == [d.id for d in _deliveries()]


def test_a_replay_sends_the_same_delivery_again(app, receiver, allow_private) -> None:
    _endpoint(receiver.url)
    _started_work()
    deliver_due(NOW)
    (delivery,) = _deliveries()

    replay_delivery(delivery, actor=get_user("admin"), now=NOW + timedelta(minutes=5))
    db.session.commit()
    with pytest.raises(Conflict):  # already waiting
        replay_delivery(delivery, actor=get_user("admin"))
    with pytest.raises(Forbidden):
        replay_delivery(delivery, actor=get_user("office.tayninh"))
    assert deliver_due(NOW + timedelta(minutes=5)).delivered == 1

    assert receiver.delivery_ids() == [delivery.id, delivery.id]
    assert receiver.requests[0].body == receiver.requests[1].body
    replay = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "webhook_delivery.replay"))
    assert replay.entity_id == delivery.id and replay.before == {"status": "delivered", "attempts": 1}


def test_a_refused_change_enqueues_nothing(app, receiver, allow_private, api) -> None:
    """The event is the change's audit row, in the change's transaction: rolled back, nothing is sent."""
    _endpoint(receiver.url)
    work = make_assignment("TN-SGDDT", status=Status.not_started)
    db.session.commit()
    # An operation that flushed its change and its audit event, then the request failed: rolled back.
    report_progress(work, actor=get_user("education.tayninh"), action=Action.start)
    db.session.rollback()
    # A request the API refuses (409: accepting work nobody reported) writes nothing either.
    response = api("monitor.tayninh").post(f"/api/v1/assignments/{work.id}/review", json={"decision": "accept"})
    assert response.status_code == 409

    assert deliver_due(NOW).as_dict()["enqueued"] == 0
    assert _deliveries() == [] and receiver.requests == []


def test_only_subscribed_events_after_registration_are_sent(app, receiver, allow_private, api) -> None:
    _started_work()  # before the endpoint existed: not sent
    _endpoint(receiver.url, events=("report.generated", "reminder.sent"))
    _started_work()  # activates a directive and starts work: neither subscribed
    office = api("office.tayninh")
    kstt = db.session.scalar(sa.text("SELECT id FROM directive WHERE ref = '2157/UBND-KSTT'"))
    assert office.get(f"/api/v1/reports/compliance?directive={kstt}&format=csv").status_code == 200

    deliver_due(NOW)
    (request,) = receiver.requests
    body = json.loads(request.body)
    assert request.headers["X-Coordination-Event"] == "report.generated"
    assert body["actor"] == "office.tayninh"
    assert body["object"] == {"type": "report", "id": kstt}
    assert body["after"]["format"] == "csv" and body["after"]["directive"] == "2157/UBND-KSTT"


def test_an_inactive_endpoint_hears_nothing_and_back_on_only_what_follows(app, receiver, allow_private) -> None:
    endpoint = _endpoint(receiver.url)
    update_endpoint(endpoint, {"active": False}, actor=get_user("admin"))
    db.session.commit()
    _started_work()
    deliver_due(NOW)
    update_endpoint(endpoint, {"active": True}, actor=get_user("admin"))
    db.session.commit()
    _started_work()
    deliver_due(NOW)
    assert len(receiver.requests) == 1


def test_a_test_event_is_queued_and_sent(app, receiver, allow_private) -> None:
    endpoint = _endpoint(receiver.url)
    delivery = send_test_event(endpoint, actor=get_user("admin"), now=NOW)
    db.session.commit()
    assert deliver_due(NOW).delivered == 1
    (request,) = receiver.requests
    assert request.headers["X-Coordination-Event"] == "ping"
    assert json.loads(request.body)["type"] == "ping"
    assert receiver.delivery_ids() == [delivery.id]


@pytest.mark.parametrize(
    "url",
    [
        "ftp://example.org/hook",
        "javascript:alert(1)",
        "http://user:password@example.org/hook",
        "example.org/hook",
        "http://127.0.0.1:8080/hook",
        "http://localhost/hook",
        "http://10.1.2.3/hook",
        "http://192.168.1.10/hook",
        "http://169.254.169.254/latest/meta-data/",
        "http://[::1]/hook",
        "http://[::ffff:127.0.0.1]/hook",
        "http://0.0.0.0/hook",
    ],
)
def test_urls_that_are_not_http_or_reach_inside_are_refused(app, url) -> None:
    with pytest.raises(Invalid) as refused:
        check_url(url)
    assert set(refused.value.errors) == {"url"}


def test_a_public_address_is_accepted(app) -> None:
    assert check_url(" https://93.184.215.14/hook ") == "https://93.184.215.14/hook"


def test_an_address_turned_private_is_refused_when_sending(app, receiver, allow_private) -> None:
    """Allowed when registered, refused when sent (the setting changed, or a name now resolves inside)."""
    _endpoint(receiver.url)
    _started_work()
    app.config["WEBHOOK_ALLOW_PRIVATE_ADDRESSES"] = False
    deliver_due(NOW)
    (delivery,) = _deliveries()
    assert receiver.requests == []
    assert (delivery.status, delivery.last_response_status, delivery.last_error) == (
        DeliveryStatus.failed,
        None,
        "refused: private",
    )


def test_only_an_admin_registers(app) -> None:
    with pytest.raises(Forbidden):
        create_endpoint(
            {"url": "https://93.184.215.14/", "events": ["reminder.sent"]}, actor=get_user("office.tayninh")
        )
    with pytest.raises(Invalid) as refused:
        create_endpoint({"url": "https://93.184.215.14/", "events": ["everything"]}, actor=get_user("admin"))
    assert set(refused.value.errors) == {"events"}
    with pytest.raises(Invalid) as refused:
        create_endpoint(
            {"url": "https://93.184.215.14/", "events": ["reminder.sent"], "secret": "short"}, actor=get_user("admin")
        )
    assert set(refused.value.errors) == {"secret"}


def test_a_made_secret_is_returned_once_and_never_audited(app) -> None:
    endpoint, secret = create_endpoint(
        {"url": "https://93.184.215.14/", "events": ["reminder.sent"]}, actor=get_user("admin")
    )
    db.session.commit()
    assert len(secret) == 64 and endpoint.secret == secret
    update_endpoint(endpoint, {"secret": "a-new-secret-of-16+"}, actor=SETUP)
    db.session.commit()
    events = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.entity_type == "webhook_endpoint")).all()
    assert [e.action for e in events] == ["webhook_endpoint.create", "webhook_endpoint.update"]
    assert all(secret not in json.dumps([e.before, e.after]) for e in events)
    assert events[1].after["secret_changed"] is True


def test_the_cli_runs_the_deliverer(app, receiver, allow_private) -> None:
    _endpoint(receiver.url, events=("directive.activated", "assignment.status_changed"))
    _started_work()  # a directive activated for it, then the work started
    result = app.test_cli_runner().invoke(args=["webhooks", "deliver", "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output) == {"enqueued": 2, "attempted": 2, "delivered": 2, "failed": 0, "given_up": 0}
    assert [r.headers["X-Coordination-Event"] for r in receiver.requests] == [
        "directive.activated",
        "assignment.status_changed",
    ]
    result = app.test_cli_runner().invoke(args=["webhooks", "deliver"])
    assert result.output.strip() == "enqueued 0, attempted 0, delivered 0, failed 0, given_up 0"


def test_a_reminder_is_told_without_its_text_or_recipients(app, receiver, allow_private) -> None:
    from coordination.reminders.operations import send_reminders

    _endpoint(receiver.url, events=("reminder.sent",))
    work = make_assignment("TN-SGDDT", status=Status.in_progress, deadline_in_days=-2)
    send_reminders([work], actor=get_user("monitor.tayninh"), message="Đề nghị gọi ông Nguyễn Văn A, 0912 345 678.")
    db.session.commit()
    deliver_due(NOW)
    (request,) = receiver.requests
    body = json.loads(request.body)
    assert (body["type"], body["action"], body["after"]) == ("reminder.sent", "reminder.manual", {"rule": "manual"})
    assert body["assignment"] == {"id": work.id, "agency": "TN-SGDDT"}
    assert "0912" not in request.body.decode() and "education.tayninh" not in request.body.decode()
