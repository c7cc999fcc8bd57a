"""The append-only history: every operation records what it changed here, in its own transaction."""

from __future__ import annotations

from dataclasses import dataclass
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
        # exactly one of a user or a named system actor did it
        sa.CheckConstraint("(actor_id IS NULL) <> (system_actor IS NULL)", name="one_actor"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    actor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    #: a SystemActor's name ("system:reminders", "system:demo", "system:cli") when no user acted;
    #: "system" for history written before the system actors were named
    system_actor: Mapped[str | None] = mapped_column(sa.String(40))
    #: the username, or the system actor's name
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


@dataclass(frozen=True)
class SystemActor:
    """Trusted code acting on its own (a job, the demo loader, an operator's CLI): no permission check."""

    name: str

    def __str__(self) -> str:
        return self.name


SYSTEM_CLI = SystemActor("system:cli")
SYSTEM_DEMO = SystemActor("system:demo")
SYSTEM_REMINDERS = SystemActor("system:reminders")

#: who may perform an operation: a signed-in user, or one of the system actors above
Actor = User | SystemActor


def is_system(actor: Actor) -> bool:
    """Tell whether actor is a system actor; refuse None, which used to mean the system silently."""
    if isinstance(actor, SystemActor):
        return True
    if isinstance(actor, User):
        return False
    raise TypeError(f"actor must be a User or a SystemActor, not {actor!r}")


def acting_user(actor: Actor) -> User | None:
    """Return the user behind actor, None for a system actor (for *_by_id columns)."""
    return None if is_system(actor) else actor  # type: ignore[return-value]


def acting_user_id(actor: Actor) -> int | None:
    """Return the id of the user behind actor, None for a system actor."""
    user = acting_user(actor)
    return user.id if user is not None else None


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
    actor: Actor,
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
    user = acting_user(actor)
    event = AuditEvent(
        occurred_at=occurred_at or utcnow(),
        actor=user,
        system_actor=None if user is not None else actor.name,  # type: ignore[union-attr]
        actor_label=user.username if user is not None else actor.name,  # type: ignore[union-attr]
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
