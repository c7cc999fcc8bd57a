"""The history pages show: audit events of a directive, an assignment or an agency, each told in words.

AuditEvent rows are only read here; nothing in the web UI edits or deletes one.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm import joinedload

from coordination.admin.labels import (
    assignment_role_label,
    audit_action_label,
    audit_field_label,
    directive_status_label,
    doc_type_label,
    iso_date,
    recurrence_label,
)
from coordination.agencies.models import Agency
from coordination.assignments.models import Assignment
from coordination.audit import AuditEvent
from coordination.auth.models import User
from coordination.directives.models import Directive
from coordination.extensions import db
from coordination.permissions import sees_all_work
from coordination.templating import status_label

#: how many events a history shows, newest first
HISTORY_LIMIT = 200

_DATE_KEYS = {
    "deadline",
    "reported_done_on",
    "completed_on",
    "issued_on",
    "current_deadline",
    "requested_deadline",
    "due_on",
    "expected_finish_on",
    "handler_due_on",
}
_AGENCY_ID_KEYS = {"monitor_agency_id", "report_to_agency_id", "successor_id", "parent_id"}
_AGENCY_CODE_KEYS = {"agency", "successor"}
#: bookkeeping, not news for a reader
_HIDDEN_KEYS = {"position", "version", "search_text", "sha256", "content_type", "rule"}
#: free text that explains the event; shown as a quotation, after the changes
_TEXT_KEYS = ("note", "reason", "message", "question", "answer")
_LONG_TEXT = 240


@dataclass
class HistoryItem:
    event: AuditEvent
    #: (field label, "before → after" or a value) for what changed
    changes: list[tuple[str, str]] = field(default_factory=list)
    #: (label, text) of a note or a reason
    texts: list[tuple[str, str]] = field(default_factory=list)
    #: the agency whose assignment the event concerns, on a directive's history
    agency: str | None = None

    @property
    def action(self) -> str:
        return audit_action_label(self.event.action)


def _value(key: str, value: Any, names: dict[int, str]) -> str:
    if value is None or value == "" or value == []:
        return "—"
    if key == "status":
        try:
            return status_label(value)
        except ValueError:
            return directive_status_label(value)
    if key in _DATE_KEYS:
        return iso_date(value)
    if key == "role":
        return assignment_role_label(value)
    if key == "doc_type":
        return doc_type_label(value)
    if key == "recurrence":
        return recurrence_label(value)
    if key in _AGENCY_ID_KEYS or key in _AGENCY_CODE_KEYS:
        return names.get(value, str(value))
    if key == "agencies" and isinstance(value, list):
        return "; ".join(names.get(v, str(v)) for v in value)
    if key == "size" and isinstance(value, int):
        return _("%(kb)s KB", kb=max(1, round(value / 1024)))
    if key == "progress_percent":
        return f"{value}%"
    if isinstance(value, bool):
        return _("Có") if value else _("Không")
    if isinstance(value, list):
        return "; ".join(str(v) for v in value)
    text = str(value)
    return text if len(text) <= _LONG_TEXT else text[: _LONG_TEXT - 1] + "…"


def describe(event: AuditEvent, names: dict[int, str]) -> HistoryItem:
    """What an event changed, in words: changed fields for updates, the values for creations."""
    before, after = event.before or {}, event.after or {}
    item = HistoryItem(event)
    for key, value in after.items():
        if key in _HIDDEN_KEYS or key in _TEXT_KEYS:
            continue
        if key in before:
            if before[key] == value:
                continue
            text = f"{_value(key, before[key], names)} → {_value(key, value, names)}"
        else:
            if value in (None, "", []):
                continue
            text = _value(key, value, names)
        item.changes.append((audit_field_label(key), text))
    if event.action.endswith(".remove"):
        # What was removed is in `before`; `after` holds only the reason.
        shown = [k for k in before if k not in _HIDDEN_KEYS and k not in after]
        item.changes += [(audit_field_label(k), _value(k, before[k], names)) for k in shown]
    for key in _TEXT_KEYS:
        text = (after.get(key) or "").strip() if isinstance(after.get(key), str) else ""
        if text:
            item.texts.append((audit_field_label(key), text))
    return item


def _names_for(events: list[AuditEvent]) -> dict[int | str, str]:
    """Agency names for the ids and codes the events mention."""
    ids: set[int] = set()
    codes: set[str] = set()
    for event in events:
        for part in (event.before or {}, event.after or {}):
            for key, value in part.items():
                if key in _AGENCY_ID_KEYS and isinstance(value, int):
                    ids.add(value)
                elif key in _AGENCY_CODE_KEYS and isinstance(value, str):
                    codes.add(value)
                elif key == "agencies" and isinstance(value, list):
                    codes.update(v for v in value if isinstance(v, str))
    if not ids and not codes:
        return {}
    rows = db.session.execute(
        sa.select(Agency.id, Agency.code, Agency.name_vi).where(sa.or_(Agency.id.in_(ids), Agency.code.in_(codes)))
    )
    names: dict[int | str, str] = {}
    for agency_id, code, name in rows:
        names[agency_id] = name
        names[code] = name
    return names


def _items(query: sa.Select, *, with_agency: bool = False) -> list[HistoryItem]:
    events = list(
        db.session.scalars(
            query.options(joinedload(AuditEvent.actor))
            .order_by(AuditEvent.occurred_at.desc(), AuditEvent.id.desc())
            .limit(HISTORY_LIMIT)
        )
    )
    names = _names_for(events)
    items = [describe(e, names) for e in events]
    assignment_ids = {e.assignment_id for e in events if e.assignment_id is not None}
    if with_agency and assignment_ids:
        agencies = dict(
            db.session.execute(
                sa.select(Assignment.id, Agency.name_vi)
                .join(Agency, Agency.id == Assignment.agency_id)
                .where(Assignment.id.in_(assignment_ids))
            ).all()
        )
        for item in items:
            item.agency = agencies.get(item.event.assignment_id) or names.get((item.event.before or {}).get("agency"))
    return items


def directive_history(user: User | None, directive: Directive) -> list[HistoryItem]:
    """The directive's events; an agency outside the issuer and the monitor sees only its own work's."""
    query = sa.select(AuditEvent).where(AuditEvent.directive_id == directive.id)
    if not sees_all_work(user, directive):
        own = sa.select(Assignment.id).where(Assignment.agency_id == (user.agency_id if user else None))
        query = query.where(sa.or_(AuditEvent.assignment_id.is_(None), AuditEvent.assignment_id.in_(own)))
    return _items(query, with_agency=True)


def assignment_history(assignment: Assignment) -> list[HistoryItem]:
    return _items(sa.select(AuditEvent).where(AuditEvent.assignment_id == assignment.id))


def agency_history(agency: Agency) -> list[HistoryItem]:
    """Renames and mergers of the agency, and the merger of others into it."""
    return _items(
        sa.select(AuditEvent).where(
            AuditEvent.entity_type == "agency",
            sa.or_(
                AuditEvent.entity_id == agency.id,
                AuditEvent.entity_id.in_(sa.select(Agency.id).where(Agency.successor_id == agency.id)),
            ),
        )
    )
