"""Working an assignment: progress, status changes, review. Operations flush; the caller commits."""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Any

import sqlalchemy as sa
from flask_babel import gettext as _

from coordination import audit
from coordination.assignments.models import (
    Assignment,
    AssignmentHandler,
    ExtensionRequest,
    ExtensionStatus,
    ProgressUpdate,
)
from coordination.assignments.states import ACTION_ACTOR, Action, Status, TransitionError, next_status
from coordination.auth.models import User
from coordination.db import local_tz, today, utcnow
from coordination.errors import Conflict, Forbidden, Invalid
from coordination.extensions import db
from coordination.formatting import format_date
from coordination.notifications import (
    notify_extension_decision,
    notify_extension_request,
    notify_handlers,
    notify_reported_done,
    notify_review,
)
from coordination.permissions import Permission, can, may_handle
from coordination.templating import status_label

ASSIGNMENT_AUDIT_FIELDS = ["status", "progress_percent", "deadline", "reported_done_on", "completed_on"]

_ACTOR_PERMISSION = {
    "work": Permission.assignment_work,
    "review": Permission.assignment_review,
    "manage": Permission.directive_edit,
}


def _at(on: date | None) -> datetime | None:
    """The moment to stamp history with when work is back-filled for a past day."""
    return datetime.combine(on, time(12), tzinfo=local_tz()) if on is not None else None


def check_version(assignment: Assignment, expected_version: int | None) -> None:
    """Refuse a save based on a stale read (optimistic locking)."""
    if expected_version is not None and expected_version != assignment.version:
        raise Conflict(
            _("Nhiệm vụ đã được người khác cập nhật; hãy tải lại và thử lại."),
            current={"id": assignment.id, "version": assignment.version, "status": assignment.status.value},
        )


def report_progress(
    assignment: Assignment,
    *,
    actor: audit.Actor,
    note: str = "",
    progress_percent: int | None = None,
    action: Action | None = None,
    on: date | None = None,
    expected_version: int | None = None,
) -> ProgressUpdate:
    """Record a progress note, optionally a percentage and a status change, as one update."""
    required = _ACTOR_PERMISSION[ACTION_ACTOR[action]] if action else Permission.assignment_work
    if not audit.is_system(actor) and not can(actor, required, assignment):
        raise Forbidden(_("Bạn không có quyền cập nhật nhiệm vụ này."))
    check_version(assignment, expected_version)
    if progress_percent is not None and not 0 <= progress_percent <= 100:
        raise Invalid(_("Tiến độ phải từ 0 đến 100%."), errors={"progress_percent": [_("Từ 0 đến 100.")]})
    if action is None and not note.strip() and progress_percent is None:
        raise Invalid(_("Hãy nhập nội dung báo cáo."), errors={"note": [_("Bắt buộc.")]})
    if action in (Action.return_,) and not note.strip():
        raise Invalid(_("Hãy ghi lý do trả lại."), errors={"note": [_("Bắt buộc.")]})
    lowered = (
        progress_percent is not None
        and assignment.progress_percent is not None
        and progress_percent < assignment.progress_percent
        and action not in (Action.report_done, Action.accept)
        # Returned work still shows the 100 % of its report; the monitor's return note says why it is less.
        and assignment.status != Status.returned
    )
    if lowered and not note.strip():
        # 70 % -> 10 % is a fact the monitor will ask about: the reason goes into the history with it.
        message = _(
            "Tiến độ giảm từ %(before)s %% xuống %(after)s %%: hãy ghi lý do vào nội dung báo cáo.",
            before=assignment.progress_percent,
            after=progress_percent,
        )
        raise Invalid(message, errors={"note": [_("Hãy ghi lý do giảm tiến độ.")]})

    before = audit.snapshot(assignment, ASSIGNMENT_AUDIT_FIELDS)
    status_from = assignment.status
    if action is not None:
        try:
            assignment.status = next_status(action, assignment.status)
        except TransitionError:
            raise Conflict(
                _(
                    "Không thể “%(action)s” khi nhiệm vụ đang ở trạng thái “%(status)s”.",
                    action=_action_label(action),
                    status=status_label(assignment.status),
                )
            ) from None
        day = on or today()
        if action == Action.report_done:
            assignment.reported_done_on = day
            assignment.progress_percent = 100
        elif action == Action.accept:
            assignment.completed_on = day
            assignment.progress_percent = 100
        elif action == Action.return_:
            assignment.reported_done_on = None
    if progress_percent is not None and action not in (Action.report_done, Action.accept):
        assignment.progress_percent = progress_percent

    update = ProgressUpdate(
        assignment=assignment,
        author=audit.acting_user(actor),
        note=note.strip(),
        progress_percent=progress_percent,
        status_from=status_from if action else None,
        status_to=assignment.status if action else None,
    )
    if on is not None:
        update.created_at = _at(on)
    db.session.add(update)
    db.session.flush()
    audit.record(
        actor,
        f"assignment.{action.value}" if action else "assignment.progress",
        "assignment",
        assignment.id,
        before=before,
        after={**audit.snapshot(assignment, ASSIGNMENT_AUDIT_FIELDS), "note": update.note},
        directive_id=assignment.task.directive_id,
        assignment_id=assignment.id,
        occurred_at=_at(on),
    )
    if action in (Action.accept, Action.return_):
        # Issue 5: the agency's users are told their work was accepted or returned.
        notify_review(assignment, "accept" if action == Action.accept else "return", update.note)
    elif action == Action.report_done:
        notify_reported_done(update)  # issue 11: the monitor and the office have work to accept
    return update


def _action_label(action: Action) -> str:
    from coordination.assignments.states import ACTION_LABELS

    return str(ACTION_LABELS[action])


def review_assignment(
    assignment: Assignment,
    decision: str,
    note: str,
    *,
    actor: audit.Actor,
    on: date | None = None,
    expected_version: int | None = None,
) -> ProgressUpdate:
    """Accept reported work (→ done) or return it with a reason (→ returned)."""
    actions = {"accept": Action.accept, "return": Action.return_}
    if decision not in actions:
        raise Invalid(
            _("Quyết định phải là “accept” hoặc “return”."), errors={"decision": [_("Giá trị không hợp lệ.")]}
        )
    return report_progress(
        assignment, actor=actor, note=note, action=actions[decision], on=on, expected_version=expected_version
    )


def request_extension(
    assignment: Assignment,
    requested_deadline: date,
    reason: str,
    *,
    actor: audit.Actor,
) -> ExtensionRequest:
    """Ask for more time (gia hạn) with a reason and a proposed date."""
    if not audit.is_system(actor) and not can(actor, Permission.assignment_work, assignment):
        raise Forbidden(_("Bạn không có quyền đề nghị gia hạn nhiệm vụ này."))
    if not reason.strip():
        raise Invalid(_("Hãy nêu lý do đề nghị gia hạn."), errors={"reason": [_("Bắt buộc.")]})
    if assignment.deadline is not None and requested_deadline <= assignment.deadline:
        raise Invalid(
            _("Thời hạn đề nghị phải sau thời hạn hiện tại (%(date)s).", date=format_date(assignment.deadline)),
            errors={"requested_deadline": [_("Phải sau thời hạn hiện tại.")]},
        )
    if requested_deadline < today():
        raise Invalid(_("Thời hạn đề nghị đã qua."), errors={"requested_deadline": [_("Ngày đã qua.")]})
    issued_on = assignment.task.directive.issued_on
    if requested_deadline < issued_on:
        raise Invalid(
            _("Thời hạn đề nghị không được trước ngày ban hành văn bản (%(date)s).", date=format_date(issued_on)),
            errors={"requested_deadline": [_("Trước ngày ban hành (%(date)s).", date=format_date(issued_on))]},
        )
    pending = db.session.scalar(
        sa.select(ExtensionRequest.id).where(
            ExtensionRequest.assignment_id == assignment.id, ExtensionRequest.status == ExtensionStatus.pending
        )
    )
    if pending is not None:
        raise Conflict(_("Đã có một đề nghị gia hạn đang chờ quyết định."))
    request = ExtensionRequest(
        assignment=assignment,
        requested_by=audit.acting_user(actor),
        current_deadline=assignment.deadline,
        requested_deadline=requested_deadline,
        reason=reason.strip(),
    )
    db.session.add(request)
    db.session.flush()
    audit.record(
        actor,
        "extension.request",
        "extension_request",
        request.id,
        after=audit.snapshot(request, ["current_deadline", "requested_deadline", "reason"]),
        directive_id=assignment.task.directive_id,
        assignment_id=assignment.id,
    )
    notify_extension_request(request)  # issue 11: the monitor and the office have a request to decide
    return request


def decide_extension(request: ExtensionRequest, decision: str, note: str, *, actor: audit.Actor) -> ExtensionRequest:
    """Approve (the new deadline applies, the old one stays in history) or reject with a reason."""
    assignment = request.assignment
    if not audit.is_system(actor) and not can(actor, Permission.assignment_review, assignment):
        raise Forbidden(_("Bạn không có quyền quyết định gia hạn cho nhiệm vụ này."))
    if decision not in ("approve", "reject"):
        raise Invalid(
            _("Quyết định phải là “approve” hoặc “reject”."), errors={"decision": [_("Giá trị không hợp lệ.")]}
        )
    if request.status != ExtensionStatus.pending:
        raise Conflict(_("Đề nghị gia hạn này đã được quyết định."))
    if decision == "reject" and not note.strip():
        raise Invalid(_("Hãy ghi lý do từ chối."), errors={"note": [_("Bắt buộc.")]})
    before = audit.snapshot(assignment, ["deadline"])
    request.status = ExtensionStatus.approved if decision == "approve" else ExtensionStatus.rejected
    request.decided_by = audit.acting_user(actor)
    request.decided_at = utcnow()
    request.decision_note = note.strip()
    if decision == "approve":
        assignment.deadline = request.requested_deadline
    db.session.flush()
    audit.record(
        actor,
        f"extension.{decision}",
        "extension_request",
        request.id,
        before=before,
        after={**audit.snapshot(assignment, ["deadline"]), "note": request.decision_note},
        directive_id=assignment.task.directive_id,
        assignment_id=assignment.id,
    )
    notify_extension_decision(request)  # issue 5: the agency's users learn the decision
    return request


#: the most handlers one assignment may have at once (a picker of the agency's users; more is a mistake)
MAX_HANDLERS = 20
HANDLER_NOTE_MAX = 2000


def _handler_users(values: list[Any]) -> list[User]:
    """The users named by id (int) or username (str), in the order given, duplicates dropped; Invalid if unknown."""
    wanted = list(dict.fromkeys(values))
    if any(isinstance(v, bool) or not isinstance(v, int | str) for v in wanted):
        raise Invalid(_("Người xử lý không hợp lệ."), errors={"handlers": [_("Giá trị không hợp lệ.")]})
    ids = [v for v in wanted if isinstance(v, int)]
    names = [v for v in wanted if isinstance(v, str)]
    found = list(db.session.scalars(sa.select(User).where(sa.or_(User.id.in_(ids), User.username.in_(names)))))
    by_key: dict[Any, User] = {u.id: u for u in found} | {u.username: u for u in found}
    missing = [str(v) for v in wanted if v not in by_key]
    if missing:
        raise Invalid(
            _("Không tìm thấy người dùng: %(names)s.", names=", ".join(missing)),
            errors={"handlers": [_("Không có người dùng này: %(names)s.", names=", ".join(missing))]},
        )
    return list({by_key[v].id: by_key[v] for v in wanted}.values())


def _handler_names(rows: list[AssignmentHandler] | list[User]) -> list[str]:
    users = [r.user if isinstance(r, AssignmentHandler) else r for r in rows]
    return [f"{u.full_name} ({u.username})" for u in users]


def assign_handlers(assignment: Assignment, data: dict[str, Any], *, actor: audit.Actor) -> list[AssignmentHandler]:
    """Name the officers who handle the agency's assignment (phân công xử lý), ending the current ones.

    `data`: handlers (users, ids or usernames; empty ends the delegation), note, due_on (the internal due
    date, never after the assignment's deadline). The ended rows stay, with who ended them and when.
    """
    if not audit.is_system(actor) and not can(actor, Permission.assignment_delegate, assignment):
        raise Forbidden(_("Chỉ lãnh đạo cơ quan thực hiện được phân công xử lý nhiệm vụ này."))
    values = [u.id if isinstance(u, User) else u for u in data.get("handlers") or []]
    note = (data.get("note") or "").strip()
    due_on: date | None = data.get("due_on")
    errors: dict[str, list[str]] = {}
    if len(values) > MAX_HANDLERS:
        errors["handlers"] = [_("Tối đa %(count)s người xử lý.", count=MAX_HANDLERS)]
    if len(note) > HANDLER_NOTE_MAX:
        errors["note"] = [_("Tối đa %(max)d ký tự.", max=HANDLER_NOTE_MAX)]
    if due_on is not None and assignment.deadline is not None and due_on > assignment.deadline:
        errors["due_on"] = [
            _("Hạn xử lý không được sau hạn của nhiệm vụ (%(date)s).", date=format_date(assignment.deadline))
        ]
    if errors:
        raise Invalid(next(iter(errors.values()))[0], errors=errors)
    handlers = _handler_users(values)
    strangers = [u for u in handlers if not may_handle(u, assignment)]
    if strangers:
        names = ", ".join(u.username for u in strangers)
        raise Invalid(
            _(
                "Chỉ phân công được cho người dùng đang hoạt động của %(agency)s: %(names)s.",
                agency=assignment.agency.name_vi,
                names=names,
            ),
            errors={"handlers": [_("Không thuộc cơ quan thực hiện: %(names)s.", names=names)]},
        )

    current = list(
        db.session.scalars(
            sa.select(AssignmentHandler)
            .where(AssignmentHandler.assignment_id == assignment.id, AssignmentHandler.ended_at.is_(None))
            .order_by(AssignmentHandler.id)
        )
    )
    before = {"handlers": _handler_names(current), "handler_due_on": current[0].due_on if current else None}
    now = utcnow()
    for row in current:
        row.ended_at = now
        row.ended_by = audit.acting_user(actor)
    # The ended rows reach the database first: the partial unique index allows one current row per handler.
    db.session.flush()
    rows = [
        AssignmentHandler(
            assignment=assignment,
            user=user,
            note=note,
            due_on=due_on,
            assigned_by=audit.acting_user(actor),
            assigned_at=now,
        )
        for user in handlers
    ]
    db.session.add_all(rows)
    db.session.flush()
    db.session.expire(assignment, ["handlers"])
    audit.record(
        actor,
        "assignment.delegate",
        "assignment",
        assignment.id,
        before=before,
        after={"handlers": _handler_names(handlers), "handler_due_on": due_on, "note": note},
        directive_id=assignment.task.directive_id,
        assignment_id=assignment.id,
    )
    kept = {row.user_id for row in current}
    newcomers = [u for u in handlers if u.id not in kept]
    if newcomers:
        notify_handlers(assignment, newcomers, due_on)
    return rows


__all__ = [
    "Status",
    "assign_handlers",
    "check_version",
    "decide_extension",
    "report_progress",
    "request_extension",
    "review_assignment",
]
