"""The append-only history: every operation records what it changed here, in its own transaction."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from coordination.auth.models import User
from coordination.db import UTCDateTime, utcnow
from coordination.extensions import db


class AuditEvent(db.Model):
    """Never updated or deleted: a database trigger refuses both (see the first migration)."""

    __tablename__ = "audit_event"
    __table_args__ = (
        sa.Index("ix_audit_event_entity", "entity_type", "entity_id"),
        sa.Index("ix_audit_event_assignment", "assignment_id", "occurred_at"),
        sa.Index("ix_audit_event_directive", "directive_id", "occurred_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    actor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    #: "system" for the scheduler, the importer or the demo loader
    actor_label: Mapped[str] = mapped_column(sa.String(120))
    entity_type: Mapped[str] = mapped_column(sa.String(40))
    entity_id: Mapped[int]
    action: Mapped[str] = mapped_column(sa.String(60))
    before: Mapped[dict | None] = mapped_column(sa.JSON)
    after: Mapped[dict | None] = mapped_column(sa.JSON)
    #: denormalised so that a directive's or an assignment's history is one indexed query
    directive_id: Mapped[int | None]
    assignment_id: Mapped[int | None]

    actor: Mapped[User | None] = relationship()


def _jsonable(value: Any) -> Any:
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    return value


def snapshot(obj: Any, fields: list[str]) -> dict[str, Any]:
    """Return the named attributes of obj, ready to store as JSON."""
    return {f: _jsonable(getattr(obj, f)) for f in fields}


def record(
    actor: User | None,
    action: str,
    entity_type: str,
    entity_id: int,
    *,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    directive_id: int | None = None,
    assignment_id: int | None = None,
    occurred_at: datetime | None = None,
) -> AuditEvent:
    """Add an audit event to the current session (the caller's transaction commits it).

    `occurred_at` is for back-filled history (the demo, imports of past work); live operations omit it.
    """
    event = AuditEvent(
        occurred_at=occurred_at or utcnow(),
        actor=actor,
        actor_label=actor.username if actor is not None else "system",
        action=action,
        entity_type=entity_type,
        entity_id=entity_id,
        before=_jsonable(before),
        after=_jsonable(after),
        directive_id=directive_id,
        assignment_id=assignment_id,
    )
    db.session.add(event)
    return event
