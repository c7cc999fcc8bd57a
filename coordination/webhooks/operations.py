"""Webhook endpoints (admin only), replays and test events; the deliverer that sends what is due.

Operations flush; the request or CLI command commits. The deliverer (`deliver_due`) is the exception: it
commits after claiming and after each attempt, since each attempt is a request to the outside world that
must be recorded, and claimed, before the next one.
"""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import joinedload

from coordination import audit
from coordination.agencies.models import Agency
from coordination.assignments.models import Assignment
from coordination.audit import AuditEvent
from coordination.db import utcnow
from coordination.directives.models import Directive
from coordination.errors import Conflict, Forbidden, Invalid
from coordination.extensions import db
from coordination.permissions import Permission, can
from coordination.webhooks.events import ACTION_EVENTS, EVENT_TYPES, PING, PRIVATE_KEYS, actions_for
from coordination.webhooks.models import WAITING, DeliveryStatus, WebhookDelivery, WebhookEndpoint
from coordination.webhooks.sending import Outcome, UnsafeUrl, parse_url, post, resolve, signature

ENDPOINT_AUDIT_FIELDS = ["url", "description", "events", "active"]
URL_MAX = 2000
SECRET_MIN, SECRET_MAX = 16, 200
#: audit events turned into deliveries per endpoint and run (the next run goes on from there)
ENQUEUE_BATCH = 500
#: how long a claimed delivery is kept from other deliverers while it is being sent
CLAIM_LEASE = timedelta(minutes=5)
#: the first retry waits about a minute, each next one twice as long, never more than this
BACKOFF_BASE = timedelta(minutes=1)
BACKOFF_CAP = timedelta(hours=6)


def require_manager(actor: audit.Actor) -> None:
    """Refuse (403) anyone but an admin or a system actor: webhooks send the province's events outside."""
    if not audit.is_system(actor) and not can(actor, Permission.webhook_manage):
        raise Forbidden(_("Chỉ quản trị viên được quản lý webhook."))


def _allow_private() -> bool:
    return bool(current_app.config["WEBHOOK_ALLOW_PRIVATE_ADDRESSES"])


def check_url(url: Any) -> str:
    """The URL stripped, if it is http(s) and reaches an address the deployment allows; Invalid otherwise."""
    if not isinstance(url, str) or not url.strip():
        raise Invalid(_("Hãy nhập địa chỉ URL."), errors={"url": [_("Bắt buộc.")]})
    url = url.strip()
    if len(url) > URL_MAX:
        raise Invalid(_("Địa chỉ URL quá dài."), errors={"url": [_("Tối đa %(max)s ký tự.", max=URL_MAX)]})
    try:
        target = parse_url(url)
    except UnsafeUrl:
        message = _("Địa chỉ phải là một URL http:// hoặc https:// đầy đủ, không kèm tên đăng nhập.")
        raise Invalid(message, errors={"url": [message]}) from None
    try:
        resolve(target, allow_private=_allow_private())
    except UnsafeUrl as refused:
        if str(refused) == "private":
            message = _("Địa chỉ này thuộc mạng nội bộ hoặc máy chủ này: không được phép gửi webhook tới đó.")
        else:
            message = _("Không phân giải được tên máy chủ của địa chỉ này.")
        raise Invalid(message, errors={"url": [message]}) from None
    return url


def _check_events(events: Any) -> list[str]:
    if not isinstance(events, list | tuple) or not events:
        message = _("Hãy chọn ít nhất một sự kiện.")
        raise Invalid(message, errors={"events": [message]})
    unknown = [e for e in events if e not in EVENT_TYPES]
    if unknown:
        message = _("Sự kiện không được hỗ trợ: %(events)s.", events=", ".join(map(str, unknown)))
        raise Invalid(message, errors={"events": [message]})
    return [e for e in EVENT_TYPES if e in events]  # one order, no repeats


def _check_secret(secret: Any) -> str:
    if not isinstance(secret, str) or not SECRET_MIN <= len(secret) <= SECRET_MAX or secret != secret.strip():
        message = _(
            "Khóa bí mật phải dài từ %(min)s đến %(max)s ký tự, không có khoảng trắng ở đầu hoặc cuối.",
            min=SECRET_MIN,
            max=SECRET_MAX,
        )
        raise Invalid(message, errors={"secret": [message]})
    return secret


def _audit_head() -> int:
    """The newest audit event's id: an endpoint hears of what happens after it."""
    return db.session.scalar(sa.select(sa.func.max(AuditEvent.id))) or 0


def create_endpoint(data: dict[str, Any], *, actor: audit.Actor) -> tuple[WebhookEndpoint, str]:
    """Register an endpoint; returns it and its secret (given, or made here), which is shown this once."""
    require_manager(actor)
    url = check_url(data.get("url"))
    events = _check_events(data.get("events"))
    secret = _check_secret(data["secret"]) if data.get("secret") else secrets.token_hex(32)
    description = (data.get("description") or "").strip()[:200]
    db.session.flush()  # the audit head must include whatever this transaction already recorded
    endpoint = WebhookEndpoint(
        url=url,
        description=description,
        secret=secret,
        events=events,
        active=bool(data.get("active", True)),
        created_by=audit.acting_user(actor),
        last_event_id=_audit_head(),
    )
    db.session.add(endpoint)
    db.session.flush()
    audit.record(
        actor,
        "webhook_endpoint.create",
        "webhook_endpoint",
        endpoint.id,
        after=audit.snapshot(endpoint, ENDPOINT_AUDIT_FIELDS),
    )
    return endpoint, secret


def update_endpoint(endpoint: WebhookEndpoint, data: dict[str, Any], *, actor: audit.Actor) -> WebhookEndpoint:
    """Change the URL, description, events, active flag or secret (only the keys given)."""
    require_manager(actor)
    before = audit.snapshot(endpoint, ENDPOINT_AUDIT_FIELDS)
    # The URL is checked when it changes: an edit of the description needs no DNS answer (each attempt checks anyway).
    changed_url = "url" in data and (not isinstance(data["url"], str) or data["url"].strip() != endpoint.url)
    url = check_url(data["url"]) if changed_url else endpoint.url
    events = _check_events(data["events"]) if "events" in data else endpoint.events
    secret = _check_secret(data["secret"]) if data.get("secret") else None
    endpoint.url, endpoint.events = url, events
    if "description" in data:
        endpoint.description = (data["description"] or "").strip()[:200]
    if "active" in data:
        active = bool(data["active"])
        if active and not endpoint.active:
            # Back on: it hears of what happens from now, not of everything missed while it was off.
            db.session.flush()
            endpoint.last_event_id = _audit_head()
        endpoint.active = active
    after = audit.snapshot(endpoint, ENDPOINT_AUDIT_FIELDS)
    if secret is not None:
        endpoint.secret = secret
        after["secret_changed"] = True  # that it changed, never the secret
    db.session.flush()
    if after != before:
        audit.record(actor, "webhook_endpoint.update", "webhook_endpoint", endpoint.id, before=before, after=after)
    return endpoint


def delete_endpoint(endpoint: WebhookEndpoint, *, actor: audit.Actor) -> None:
    """Remove an endpoint and its deliveries (the history keeps that it existed)."""
    require_manager(actor)
    audit.record(
        actor,
        "webhook_endpoint.delete",
        "webhook_endpoint",
        endpoint.id,
        before=audit.snapshot(endpoint, ENDPOINT_AUDIT_FIELDS),
    )
    db.session.execute(sa.delete(WebhookDelivery).where(WebhookDelivery.endpoint_id == endpoint.id))
    db.session.delete(endpoint)
    db.session.flush()


def send_test_event(endpoint: WebhookEndpoint, *, actor: audit.Actor, now: datetime | None = None) -> WebhookDelivery:
    """Queue a `ping` for the endpoint (sent by the next run of the deliverer, like any event)."""
    require_manager(actor)
    event = audit.record(actor, "webhook_endpoint.test", "webhook_endpoint", endpoint.id)
    db.session.flush()
    delivery = WebhookDelivery(
        endpoint=endpoint,
        event_id=event.id,
        event_type=PING,
        payload=_body(event, PING, {}, {}),
        status=DeliveryStatus.pending,
        next_attempt_at=now or utcnow(),
    )
    db.session.add(delivery)
    db.session.flush()
    return delivery


def replay_delivery(delivery: WebhookDelivery, *, actor: audit.Actor, now: datetime | None = None) -> WebhookDelivery:
    """Send a delivery again (same id, same body, a fresh count of attempts), delivered or not."""
    require_manager(actor)
    if delivery.status == DeliveryStatus.pending:
        raise Conflict(_("Lần gửi này đang chờ gửi; không cần gửi lại."))
    before = audit.snapshot(delivery, ["status", "attempts"])
    delivery.status = DeliveryStatus.pending
    delivery.attempts = 0
    delivery.next_attempt_at = now or utcnow()
    db.session.flush()
    audit.record(
        actor,
        "webhook_delivery.replay",
        "webhook_delivery",
        delivery.id,
        before=before,
        after=audit.snapshot(delivery, ["status", "attempts"]),
    )
    return delivery


# --- the outbox: audit events become deliveries ---------------------------------------------------------


def _public(snapshot: dict[str, Any] | None) -> dict[str, Any] | None:
    if snapshot is None:
        return None
    return {k: v for k, v in snapshot.items() if k not in PRIVATE_KEYS}


def _body(event: AuditEvent, event_type: str, directives: dict[int, str], agencies: dict[int, str | None]) -> str:
    """The JSON body of one event, compact and stable (what the signature covers)."""
    body = {
        "event_id": event.id,
        "type": event_type,
        "occurred_at": (event.occurred_at or utcnow()).isoformat(),
        "actor": event.actor_label,
        "action": event.action,
        "object": {"type": event.entity_type, "id": event.entity_id},
        "directive": (
            {"id": event.directive_id, "ref": directives.get(event.directive_id)} if event.directive_id else None
        ),
        "assignment": (
            {"id": event.assignment_id, "agency": agencies.get(event.assignment_id)} if event.assignment_id else None
        ),
        "before": _public(event.before),
        "after": _public(event.after),
    }
    return json.dumps(body, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def _names(events: list[AuditEvent]) -> tuple[dict[int, str], dict[int, str | None]]:
    """The directives' refs and the assignments' agency codes the events mention, in two queries."""
    directive_ids = {e.directive_id for e in events if e.directive_id}
    assignment_ids = {e.assignment_id for e in events if e.assignment_id}
    directives = (
        dict(db.session.execute(sa.select(Directive.id, Directive.ref).where(Directive.id.in_(directive_ids))).all())
        if directive_ids
        else {}
    )
    agencies = (
        dict(
            db.session.execute(
                sa.select(Assignment.id, Agency.code)
                .join(Agency, Agency.id == Assignment.agency_id)
                .where(Assignment.id.in_(assignment_ids))
            ).all()
        )
        if assignment_ids
        else {}
    )
    return directives, agencies


def _insert_deliveries(rows: list[dict[str, Any]]) -> None:
    """Insert, skipping any (endpoint, event) already there: the unique constraint decides, across machines."""
    if not rows:
        return
    insert = postgresql.insert if db.session.get_bind().dialect.name == "postgresql" else sqlite.insert
    statement = insert(WebhookDelivery.__table__).on_conflict_do_nothing(index_elements=["endpoint_id", "event_id"])
    db.session.execute(statement, rows)


def enqueue_new_events(now: datetime | None = None) -> int:
    """Turn the audit events each active endpoint has not seen yet into its deliveries; return how many events."""
    now = now or utcnow()
    head = _audit_head()
    # Locked and skipped if another deliverer is on it: one endpoint's cursor moves in one place at a time.
    endpoints = db.session.scalars(
        sa.select(WebhookEndpoint)
        .where(WebhookEndpoint.active.is_(True), WebhookEndpoint.last_event_id < head)
        .order_by(WebhookEndpoint.id)
        .with_for_update(skip_locked=True)
    ).all()
    count = 0
    for endpoint in endpoints:
        actions = actions_for(endpoint.events)
        events: list[AuditEvent] = []
        if actions:
            events = list(
                db.session.scalars(
                    sa.select(AuditEvent)
                    .where(
                        AuditEvent.id > endpoint.last_event_id,
                        AuditEvent.id <= head,
                        AuditEvent.action.in_(actions),
                    )
                    .order_by(AuditEvent.id)
                    .limit(ENQUEUE_BATCH)
                )
            )
        directives, agencies = _names(events)
        _insert_deliveries(
            [
                {
                    "endpoint_id": endpoint.id,
                    "event_id": event.id,
                    "event_type": ACTION_EVENTS[event.action],
                    "payload": _body(event, ACTION_EVENTS[event.action], directives, agencies),
                    "status": DeliveryStatus.pending,
                    "attempts": 0,
                    "next_attempt_at": now,
                    "created_at": now,
                    "last_response_body": "",
                    "last_error": "",
                }
                for event in events
            ]
        )
        count += len(events)
        # A full batch: the next run goes on after its last event; else everything up to the head is seen.
        endpoint.last_event_id = events[-1].id if len(events) == ENQUEUE_BATCH else head
    db.session.flush()
    return count


# --- the deliverer ---------------------------------------------------------------------------------------


@dataclass
class DeliverSummary:
    enqueued: int = 0
    attempted: int = 0
    delivered: int = 0
    failed: int = 0
    given_up: int = 0

    def as_dict(self) -> dict[str, int]:
        return dict(self.__dict__)


def backoff(attempts: int) -> timedelta:
    """The wait after the n-th failed attempt: 1, 2, 4, 8 ... minutes (at most 6 hours), plus up to half again.

    The random part spreads the retries of many deliveries that failed together (an endpoint that was down).
    """
    delay = min(BACKOFF_BASE * 2 ** max(attempts - 1, 0), BACKOFF_CAP)
    return delay * secrets.SystemRandom().uniform(1.0, 1.5)


def claim_due(now: datetime, limit: int) -> list[int]:
    """Take up to `limit` due deliveries for this deliverer: their next attempt moves a lease ahead.

    PostgreSQL: `FOR UPDATE SKIP LOCKED`, so that two deliverers never take the same one; the outer
    conditions are checked again on the locked row. SQLite has one writer at a time: the UPDATE is atomic.
    A deliverer that dies holding a lease leaves the delivery to be retried when the lease ends.
    """
    due = (
        sa.select(WebhookDelivery.id)
        .join(WebhookEndpoint, WebhookEndpoint.id == WebhookDelivery.endpoint_id)
        .where(
            WebhookDelivery.status.in_(WAITING),
            WebhookDelivery.next_attempt_at <= now,
            WebhookEndpoint.active.is_(True),
        )
        .order_by(WebhookDelivery.next_attempt_at, WebhookDelivery.id)
        .limit(limit)
        .with_for_update(skip_locked=True, of=WebhookDelivery)
    )
    statement = (
        sa.update(WebhookDelivery)
        .where(
            WebhookDelivery.id.in_(due.scalar_subquery()),
            WebhookDelivery.status.in_(WAITING),
            WebhookDelivery.next_attempt_at <= now,
        )
        .values(next_attempt_at=now + CLAIM_LEASE, attempts=WebhookDelivery.attempts + 1)
        .returning(WebhookDelivery.id)
        .execution_options(synchronize_session=False)
    )
    return sorted(db.session.execute(statement).scalars())


def headers_for(delivery: WebhookDelivery, secret: str, body: bytes, timestamp: int) -> dict[str, str]:
    """The headers of one attempt: what it is, its id for the receiver's dedupe, when, and the signature."""
    return {
        "Content-Type": "application/json; charset=utf-8",
        "X-Coordination-Event": delivery.event_type,
        "X-Coordination-Delivery": str(delivery.id),
        "X-Coordination-Timestamp": str(timestamp),
        "X-Coordination-Signature": signature(secret, timestamp, body),
    }


def attempt(delivery: WebhookDelivery, now: datetime) -> Outcome:
    """Send one claimed delivery and record what came back (the claim already counted the attempt)."""
    config = current_app.config
    body = delivery.payload.encode("utf-8")
    # The signed time is the real clock, whatever `now` the schedule runs on: receivers check freshness with it.
    timestamp = int(utcnow().timestamp())
    outcome = post(
        delivery.endpoint.url,
        body,
        headers_for(delivery, delivery.endpoint.secret, body, timestamp),
        timeout=config["WEBHOOK_TIMEOUT_SECONDS"],
        allow_private=_allow_private(),
    )
    delivery.last_attempt_at = now
    delivery.last_response_status = outcome.status
    delivery.last_response_body = outcome.body
    delivery.last_error = outcome.error
    if outcome.ok:
        delivery.status = DeliveryStatus.delivered
        delivery.delivered_at = now
        delivery.next_attempt_at = None
    elif delivery.attempts >= config["WEBHOOK_MAX_ATTEMPTS"]:
        delivery.status = DeliveryStatus.given_up
        delivery.next_attempt_at = None
    else:
        delivery.status = DeliveryStatus.failed
        delivery.next_attempt_at = now + backoff(delivery.attempts)
    return outcome


def deliver_due(now: datetime | None = None, *, limit: int = 200, batch: int = 10) -> DeliverSummary:
    """One run: enqueue new events, then send up to `limit` due deliveries, committing as it goes.

    `now` is the scheduling clock (tests pass it instead of sleeping through a backoff).
    """
    now = now or utcnow()
    summary = DeliverSummary(enqueued=enqueue_new_events(now))
    db.session.commit()
    while summary.attempted < limit:
        ids = claim_due(now, min(batch, limit - summary.attempted))
        db.session.commit()  # the claim is seen by every other deliverer before anything is sent
        if not ids:
            break
        deliveries = db.session.scalars(
            sa.select(WebhookDelivery)
            .where(WebhookDelivery.id.in_(ids))
            .options(joinedload(WebhookDelivery.endpoint))
            .order_by(WebhookDelivery.id)
        ).all()
        for delivery in deliveries:
            attempt(delivery, now)
            db.session.commit()
            summary.attempted += 1
            if delivery.status == DeliveryStatus.delivered:
                summary.delivered += 1
            elif delivery.status == DeliveryStatus.given_up:
                summary.given_up += 1
            else:
                summary.failed += 1
    return summary
