"""Agencies change: renames and mergers keep the history of what was done under the old name."""

from __future__ import annotations

import sqlalchemy as sa
from flask_babel import gettext as _

from coordination import audit
from coordination.agencies.models import Agency, AgencyAlias
from coordination.assignments.models import Assignment
from coordination.assignments.states import OPEN_STATUSES, Action, next_status
from coordination.directives.models import Task
from coordination.errors import Conflict, Forbidden, Invalid
from coordination.extensions import db
from coordination.permissions import Permission, can

AGENCY_FIELDS = ["code", "name_vi", "name_en", "short_name", "active", "successor_id"]


def _require_admin(actor: audit.Actor) -> None:
    if not audit.is_system(actor) and not can(actor, Permission.agency_manage):
        raise Forbidden(_("Chỉ quản trị viên được thay đổi cơ quan, đơn vị."))


def rename_agency(
    agency: Agency, *, name_vi: str, actor: audit.Actor, name_en: str | None = None, short_name: str | None = None
) -> Agency:
    """Give an agency its new name; the old one stays an alias, so texts naming it still match."""
    _require_admin(actor)
    if not name_vi.strip():
        raise Invalid(_("Tên cơ quan không được để trống."), errors={"name_vi": [_("Bắt buộc.")]})
    before = audit.snapshot(agency, AGENCY_FIELDS)
    old_names = {agency.name_vi, agency.short_name} - {None, name_vi, short_name}
    known = {a.alias for a in agency.aliases}
    for old in old_names:
        if old not in known:
            agency.aliases.append(AgencyAlias(alias=old))
    agency.name_vi = name_vi.strip()
    if name_en is not None:
        agency.name_en = name_en.strip() or None
    if short_name is not None:
        agency.short_name = short_name.strip() or None
    db.session.flush()
    audit.record(
        actor, "agency.rename", "agency", agency.id, before=before, after=audit.snapshot(agency, AGENCY_FIELDS)
    )
    return agency


def merge_agency(agency: Agency, successor: Agency, *, actor: audit.Actor) -> list[Assignment]:
    """Merge `agency` into `successor`: its open work moves there, finished work stays under the old name.

    Where the successor already holds the same task, the moved assignment is cancelled instead, so that
    nobody is asked twice. Returns the assignments that moved.
    """
    _require_admin(actor)
    if agency.id == successor.id:
        raise Invalid(_("Không thể sáp nhập một cơ quan vào chính nó."), errors={"successor": [_("Trùng.")]})
    if not agency.active:
        raise Conflict(_("Cơ quan này đã ngừng hoạt động (đã sáp nhập)."))
    if not successor.active:
        raise Invalid(_("Cơ quan tiếp nhận đã ngừng hoạt động."), errors={"successor": [_("Không hoạt động.")]})
    before = audit.snapshot(agency, AGENCY_FIELDS)
    open_work = db.session.scalars(
        sa.select(Assignment)
        .where(Assignment.agency_id == agency.id, Assignment.status.in_([s.value for s in OPEN_STATUSES]))
        .order_by(Assignment.id)
    ).all()
    held = set(
        db.session.execute(
            sa.select(Assignment.task_id, Assignment.period_index).where(Assignment.agency_id == successor.id)
        ).all()
    )
    moved = []
    for assignment in open_work:
        directive_id = db.session.scalar(sa.select(Task.directive_id).where(Task.id == assignment.task_id))
        status_before = assignment.status
        if (assignment.task_id, assignment.period_index) in held:
            assignment.status = next_status(Action.cancel, assignment.status)
            action, after = "assignment.cancel_on_merge", {"status": "cancelled", "successor": successor.code}
        else:
            assignment.agency = successor
            moved.append(assignment)
            action, after = "assignment.reassign", {"agency": successor.code}
        audit.record(
            actor,
            action,
            "assignment",
            assignment.id,
            before={"agency": agency.code, "status": status_before},
            after=after,
            directive_id=directive_id,
            assignment_id=assignment.id,
        )
    agency.active = False
    agency.successor = successor
    db.session.flush()
    audit.record(
        actor,
        "agency.merge",
        "agency",
        agency.id,
        before=before,
        after={**audit.snapshot(agency, AGENCY_FIELDS), "moved": len(moved)},
    )
    return moved
