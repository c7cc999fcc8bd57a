"""The append-only history: every operation records what it changed here, in its own transaction."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from enum import Enum
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from coordination.auth.models import User
from coordination.db import UTCDateTime, prepared, utcnow
from coordination.extensions import db


class AuditEvent(db.Model):
    """Never updated or deleted: a database trigger refuses both (see the first migration).

    The events form a hash chain in id order: each stores the SHA-256 of its content and of the
    previous event's hash, so that an edited, inserted or deleted row is found by `audit verify`.
    """

    __tablename__ = "audit_event"
    __table_args__ = (
        sa.Index("ix_audit_event_entity", "entity_type", "entity_id"),
        sa.Index("ix_audit_event_assignment", "assignment_id", "occurred_at"),
        sa.Index("ix_audit_event_directive", "directive_id", "occurred_at"),
        # exactly one of a user or a named system actor did it
        sa.CheckConstraint("(actor_id IS NULL) <> (system_actor IS NULL)", name="one_actor"),
        # two events claiming the same predecessor would fork the chain: the database refuses it
        sa.UniqueConstraint("prev_hash"),
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
    #: the previous event's `hash`; NULL only for the first event
    prev_hash: Mapped[str | None] = mapped_column(sa.String(64))
    #: SHA-256 (hex) of this event's canonical content, prev_hash included (see `chain_hash`)
    hash: Mapped[str] = mapped_column(sa.String(64))

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


#: the PostgreSQL advisory lock that serialises appends to the chain (any fixed 64-bit number)
CHAIN_LOCK_KEY = 0x61756469745F6368  # "audit_ch"

#: the fields a hash covers, in the order of the canonical form; the id is left out so that a dump
#: restored with other ids still verifies (the order of the chain is the order of the ids)
CHAINED_FIELDS = (
    "occurred_at",
    "actor_id",
    "system_actor",
    "actor_label",
    "entity_type",
    "entity_id",
    "action",
    "before",
    "after",
    "directive_id",
    "assignment_id",
    "prev_hash",
)


def chain_hash(fields: dict[str, Any]) -> str:
    """Return the SHA-256 of an event's canonical content (a stable JSON of CHAINED_FIELDS).

    Migration 0004 holds a frozen copy of this function for the back-fill: change both or neither.
    """
    content = {name: fields[name] for name in CHAINED_FIELDS}
    occurred_at = content["occurred_at"]
    content["occurred_at"] = occurred_at.astimezone(UTC).isoformat(timespec="microseconds")
    canonical = json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


def _chain_head(connection: sa.Connection) -> str | None:
    """Return the newest event's hash, after taking the chain's lock on PostgreSQL."""
    if connection.dialect.name == "postgresql":
        # The lock is held to the end of the transaction: appends are serialised, so ids and chain order agree.
        # One round trip (migration 0017): the function takes the lock, then reads the head with a snapshot of
        # its own, taken after the lock (a statement sees only what was committed when it started).
        return connection.execute(_LOCKED_HEAD).scalar_one_or_none()
    # SQLite serialises writers itself; the unique prev_hash refuses a fork if two ever raced.
    return connection.execute(_HEAD).scalar_one_or_none()


# Run on every audited write, inside the chain's lock: built once, prepared once per connection (db.prepared).
_LOCKED_HEAD = prepared(sa.select(sa.func.audit_chain_head(sa.literal(CHAIN_LOCK_KEY, sa.BigInteger))))
_HEAD = prepared(sa.select(AuditEvent.hash).order_by(AuditEvent.id.desc()).limit(1))


@event.listens_for(Session, "before_flush")
def _forget_head(session: Session, flush_context, instances) -> None:  # type: ignore[no-untyped-def]
    # Each flush reads the head afresh (under the lock): an earlier flush may have been rolled back.
    session.info.pop("audit_chain_head", None)


@event.listens_for(AuditEvent, "before_insert")
def _link(mapper, connection, target: AuditEvent) -> None:  # type: ignore[no-untyped-def]
    """Chain an event as it is inserted: rows go in insert order, after their actor's id is known."""
    info = sa.orm.object_session(target).info
    if "audit_chain_head" not in info:
        info["audit_chain_head"] = _chain_head(connection)
    target.prev_hash = info["audit_chain_head"]
    target.hash = chain_hash({name: getattr(target, name) for name in CHAINED_FIELDS})
    info["audit_chain_head"] = target.hash


def record_many(actor: Actor, events: list[dict[str, Any]], *, batch_size: int = 1000) -> int:
    """Append many audit events by bulk INSERTs (a scheduled run's tens of thousands); returns how many.

    Each event is a dict of record()'s arguments (action, entity_type, entity_id, before, after,
    directive_id, assignment_id, occurred_at). The chain is built as record() builds it, event by event:
    the lock is taken and the head read once, each hash covers the previous one, and the rows are
    inserted in that order so that their ids follow the chain.
    """
    if not events:
        return 0
    session = db.session
    session.flush()  # events already added go first: the head read below must be theirs
    user = acting_user(actor)
    head = _chain_head(session.connection())
    rows = []
    for item in events:
        row = {
            "occurred_at": item.get("occurred_at") or utcnow(),
            "actor_id": user.id if user is not None else None,
            "system_actor": None if user is not None else actor.name,  # type: ignore[union-attr]
            "actor_label": user.username if user is not None else actor.name,  # type: ignore[union-attr]
            "entity_type": item["entity_type"],
            "entity_id": item["entity_id"],
            "action": item["action"],
            "before": _jsonable(item.get("before")),
            "after": _jsonable(item.get("after")),
            "directive_id": item.get("directive_id"),
            "assignment_id": item.get("assignment_id"),
            "prev_hash": head,
        }
        row["hash"] = head = chain_hash(row)
        rows.append(row)
    # Core, not the ORM: the before_insert hook would chain them again.
    table = AuditEvent.__table__
    if session.get_bind().dialect.name != "postgresql":
        session.execute(sa.insert(table), rows)  # sqlite3's executemany: in process, ids in list order
        return len(rows)
    # RETURNING makes it multi-row INSERTs (not psycopg's one per row); sort_by_parameter_order has the
    # ids taken in list order.
    statement = sa.insert(table).returning(table.c.id, sort_by_parameter_order=True)
    for start in range(0, len(rows), batch_size):
        session.execute(statement, rows[start : start + batch_size]).all()
    return len(rows)


@dataclass(frozen=True)
class ChainBreak:
    """The first event that does not match: its id, and why."""

    event_id: int
    reason: str  # "content" (its hash is not its content's) or "link" (prev_hash is not the previous hash)


def verify_chain(batch_size: int = 1000) -> tuple[int, ChainBreak | None]:
    """Walk the chain in id order, batch by batch; return the number of events checked and the first break."""
    columns = [AuditEvent.id, AuditEvent.hash, *(getattr(AuditEvent, name) for name in CHAINED_FIELDS)]
    previous: str | None = None
    count = 0
    for row in _in_batches(columns, batch_size):
        fields = dict(row._mapping)
        if fields["prev_hash"] != previous:
            return count, ChainBreak(row.id, "link")
        if chain_hash(fields) != row.hash:
            return count, ChainBreak(row.id, "content")
        previous = row.hash
        count += 1
    return count, None


def _in_batches(columns: list, batch_size: int) -> Iterator[sa.Row]:
    # Keyset pagination: each batch is a fresh short query, so memory stays flat on any history size.
    last_id = 0
    while True:
        rows = db.session.execute(
            sa.select(*columns).where(AuditEvent.id > last_id).order_by(AuditEvent.id).limit(batch_size)
        ).all()
        if not rows:
            return
        yield from rows
        last_id = rows[-1].id
