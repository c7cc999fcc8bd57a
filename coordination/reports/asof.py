"""An assignment's state at the end of a past day, rebuilt from the audit history.

Every change to an assignment records a `before` snapshot (status, progress_percent, deadline,
reported_done_on, completed_on; the agency when work moves after a merger). Starting from the
current row and undoing, newest first, the snapshots of the events that happened after the day gives
what was known at the end of that day.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta
from typing import Any

from coordination.db import local_tz

#: the assignment fields an audit `before` snapshot may restore (agency is a code, resolved by the caller)
RESTORED_FIELDS = ("status", "progress_percent", "deadline", "reported_done_on", "completed_on")
_DATE_FIELDS = frozenset({"deadline", "reported_done_on", "completed_on"})
#: events whose `before` describes the assignment itself (an evidence event's `before` is the file's)
ASSIGNMENT_ENTITIES = frozenset({"assignment", "extension_request"})


def end_of_day(day: date) -> datetime:
    """The first instant after `day` where the users live (Asia/Ho_Chi_Minh), timezone-aware."""
    return datetime.combine(day + timedelta(days=1), time(0), tzinfo=local_tz())


@dataclass(frozen=True)
class AssignmentState:
    """What the report needs of an assignment, now or as of a day."""

    status: str
    progress_percent: int | None
    deadline: date | None
    reported_done_on: date | None
    completed_on: date | None
    agency_id: int


@dataclass(frozen=True)
class HistoryEvent:
    """One audit event of an assignment, as the rebuild reads it."""

    occurred_at: datetime
    id: int
    action: str
    entity_type: str
    before: dict[str, Any] | None


def _value(field: str, raw: Any) -> Any:
    if raw is None:
        return None
    if field in _DATE_FIELDS:
        return date.fromisoformat(raw) if isinstance(raw, str) else raw
    if field == "progress_percent":
        return int(raw)
    return str(raw)


def rebuild(
    current: AssignmentState,
    events: Iterable[HistoryEvent],
    cutoff: datetime,
    agency_ids: dict[str, int],
) -> AssignmentState:
    """Undo, newest first, the `before` snapshots of the events at or after `cutoff`."""
    state = current
    later = sorted((e for e in events if e.occurred_at >= cutoff), key=lambda e: (e.occurred_at, e.id), reverse=True)
    for event in later:
        if event.entity_type not in ASSIGNMENT_ENTITIES or not event.before:
            continue
        changes = {f: _value(f, event.before[f]) for f in RESTORED_FIELDS if f in event.before}
        code = event.before.get("agency")
        if isinstance(code, str) and code in agency_ids:
            changes["agency_id"] = agency_ids[code]
        if changes:
            state = replace(state, **changes)
    return state


def first_deadline_before_extension(events: Iterable[HistoryEvent], cutoff: datetime) -> date | None:
    """The deadline before the first extension approved ahead of `cutoff`, or None if none was."""
    approved = sorted(
        (e for e in events if e.action == "extension.approve" and e.occurred_at < cutoff),
        key=lambda e: (e.occurred_at, e.id),
    )
    if not approved or not approved[0].before:
        return None
    return _value("deadline", approved[0].before.get("deadline"))
