"""Webhook endpoints and their deliveries (one per endpoint and event)."""

from __future__ import annotations

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from coordination.auth.models import User
from coordination.db import UTCDateTime, str_enum, utcnow
from coordination.extensions import db


class WebhookEndpoint(db.Model):
    """A URL an admin registered, with the secret that signs what is sent to it."""

    __tablename__ = "webhook_endpoint"

    id: Mapped[int] = mapped_column(primary_key=True)
    url: Mapped[str] = mapped_column(sa.String(2000))
    description: Mapped[str] = mapped_column(sa.String(200), default="")
    #: the HMAC-SHA256 key; needed in clear to sign, so it is never shown back (lists, API, audit)
    secret: Mapped[str] = mapped_column(sa.String(200))
    #: the event types subscribed to (coordination.webhooks.events.EVENT_TYPES)
    events: Mapped[list] = mapped_column(sa.JSON, default=list)
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    #: None when a system actor (the CLI) registered it
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    #: the newest audit event already turned into deliveries for this endpoint: the outbox cursor.
    #: Set to the newest event when the endpoint is made or re-activated, so that it hears of what follows only.
    last_event_id: Mapped[int] = mapped_column(default=0)

    created_by: Mapped[User | None] = relationship()

    def __str__(self) -> str:
        return self.url


class DeliveryStatus(enum.StrEnum):
    #: waiting for its first attempt
    pending = "pending"
    delivered = "delivered"
    #: the last attempt failed; another is due at next_attempt_at
    failed = "failed"
    #: every attempt failed; only a replay sends it again
    given_up = "given_up"


#: statuses the deliverer picks from (when next_attempt_at has come)
WAITING = (DeliveryStatus.pending, DeliveryStatus.failed)


class WebhookDelivery(db.Model):
    """One event for one endpoint: its body, and how its attempts went."""

    __tablename__ = "webhook_delivery"
    __table_args__ = (
        # nothing is enqueued twice, even by two deliverers at once
        sa.UniqueConstraint("endpoint_id", "event_id"),
        # the deliverer's query: waiting deliveries whose next attempt has come
        sa.Index("ix_webhook_delivery_due", "status", "next_attempt_at"),
        sa.Index("ix_webhook_delivery_event_type", "event_type"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    endpoint_id: Mapped[int] = mapped_column(sa.ForeignKey("webhook_endpoint.id", ondelete="CASCADE"))
    #: the audit event it tells of (the receiver's event id)
    event_id: Mapped[int]
    event_type: Mapped[str] = mapped_column(sa.String(60))
    #: the JSON body sent, byte for byte as stored (the signature covers it)
    payload: Mapped[str] = mapped_column(sa.Text)
    status: Mapped[DeliveryStatus] = mapped_column(
        str_enum(DeliveryStatus, "webhook_delivery_status"), default=DeliveryStatus.pending
    )
    #: attempts since it was enqueued or last replayed
    attempts: Mapped[int] = mapped_column(default=0)
    #: when the deliverer may try next; a claimed delivery holds a lease here while it is being sent
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    last_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    #: the HTTP status of the last answer; None when none came (refused, timed out)
    last_response_status: Mapped[int | None]
    #: the start of the last answer's body
    last_response_body: Mapped[str] = mapped_column(sa.Text, default="")
    #: why the last attempt failed without an answer (connection refused, timeout, address refused)
    last_error: Mapped[str] = mapped_column(sa.String(500), default="")
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    endpoint: Mapped[WebhookEndpoint] = relationship()
