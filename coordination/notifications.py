"""In-app notifications: a user's inbox, and the notices of workflow events (new work, review, extensions).

Below every operation that raises them (assignments, directives, reminders call these functions right
after they change state): they add Notification rows to the same transaction and flush nothing themselves.
Called directly, never through signals, so that what an operation does can be read in it.
"""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.dialects import postgresql, sqlite

from coordination.assignments.models import Assignment, ExtensionRequest, ExtensionStatus, ProgressUpdate
from coordination.auth.models import User
from coordination.db import utcnow
from coordination.directives.models import Directive
from coordination.extensions import db
from coordination.formatting import format_date
from coordination.permissions import deciders_of
from coordination.reminders.models import Notification


def agency_users(agency_id: int, *, heads_only: bool = False) -> list[User]:
    query = sa.select(User).where(User.agency_id == agency_id, User.active.is_(True)).order_by(User.id)
    if heads_only:
        query = query.where(User.is_head.is_(True))
    return list(db.session.scalars(query))


def notify(users: list[User], kind: str, message: str, assignment: Assignment | None = None) -> list[Notification]:
    """Put a message in each user's inbox."""
    notes = [
        Notification(user=u, kind=kind, message=message, assignment_id=assignment.id if assignment else None)
        for u in users
    ]
    db.session.add_all(notes)
    return notes


def _task_ref(assignment: Assignment) -> str:
    task = assignment.task
    return _("nhiệm vụ %(label)s của văn bản %(ref)s", label=task.display_label, ref=task.directive.ref)


def notify_review(assignment: Assignment, decision: str, note: str) -> list[Notification]:
    """Tell the agency its reported work was accepted, or returned and why."""
    if decision == "accept":
        message = _("Đã xác nhận hoàn thành %(task)s.", task=_task_ref(assignment))
    else:
        message = _("Trả lại, yêu cầu bổ sung %(task)s: %(note)s", task=_task_ref(assignment), note=note.strip())
    return notify(
        agency_users(assignment.agency_id), "accepted" if decision == "accept" else "returned", message, assignment
    )


def notify_extension_decision(request: ExtensionRequest) -> list[Notification]:
    """Tell the agency whether it got more time."""
    assignment = request.assignment
    if request.status == ExtensionStatus.approved:
        message = _(
            "Đề nghị gia hạn %(task)s được chấp thuận: hạn mới %(date)s.",
            task=_task_ref(assignment),
            date=format_date(request.requested_deadline),
        )
        kind = "extension_approved"
    else:
        message = _(
            "Đề nghị gia hạn %(task)s không được chấp thuận: %(note)s",
            task=_task_ref(assignment),
            note=request.decision_note or "",
        )
        kind = "extension_rejected"
    return notify(agency_users(assignment.agency_id), kind, message, assignment)


def notify_handlers(assignment: Assignment, handlers: list[User], due_on: date | None) -> list[Notification]:
    """Tell each newly named handler (issue 15) that the head gave it the work, with the internal due date."""
    if due_on is not None:
        message = _(
            "Bạn được phân công xử lý %(task)s, hạn nội bộ %(date)s.",
            task=_task_ref(assignment),
            date=format_date(due_on),
        )
    else:
        message = _("Bạn được phân công xử lý %(task)s.", task=_task_ref(assignment))
    return notify(handlers, "delegated", message, assignment)


def notify_activation(directive: Directive) -> list[Notification]:
    """One notice per assigned agency's user: the directive's new work, most urgent task linked."""
    by_agency: dict[int, list[Assignment]] = {}
    for task in directive.tasks:
        for assignment in task.assignments:
            by_agency.setdefault(assignment.agency_id, []).append(assignment)
    if not by_agency:
        return []
    # One query for all the agencies' users, not one per agency.
    users: dict[int, list[User]] = {}
    for user in db.session.scalars(
        sa.select(User).where(User.agency_id.in_(by_agency), User.active.is_(True)).order_by(User.id)
    ):
        users.setdefault(user.agency_id, []).append(user)  # type: ignore[arg-type]
    notes: list[Notification] = []
    for agency_id, assignments in by_agency.items():
        if agency_id not in users:
            continue
        assignments.sort(key=lambda a: (a.deadline is None, a.deadline, a.task.position))
        labels = ", ".join(dict.fromkeys(a.task.display_label for a in assignments))
        first = assignments[0]
        message = _(
            "Văn bản %(ref)s giao cho đơn vị %(count)s nhiệm vụ (%(labels)s)%(deadline)s.",
            ref=directive.ref,
            count=len(assignments),
            labels=labels,
            deadline=_(", hạn sớm nhất %(date)s", date=format_date(first.deadline)) if first.deadline else "",
        )
        notes += notify(users[agency_id], "assignment", message, first)
    return notes


# --- issue 11: the monitor and the issuer's office learn what waits for their decision, once per event


def notify_once(users: list[User], kind: str, message: str, assignment: Assignment, dedupe_key: str) -> int:
    """Put a message in each user's inbox unless that user already has the notice of this event.

    A unique (user, dedupe_key) decides, in the database: a retried request or two workers at once add
    nothing. Returns how many notices were added.
    """
    if not users:
        return 0
    dialect = db.session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    now = utcnow()
    statement = (
        insert(Notification)
        .values(
            [
                {
                    "user_id": user.id,
                    "created_at": now,
                    "kind": kind,
                    "message": message,
                    "assignment_id": assignment.id,
                    "dedupe_key": dedupe_key,
                }
                for user in users
            ]
        )
        .on_conflict_do_nothing(index_elements=["user_id", "dedupe_key"])
        .returning(Notification.id)
    )
    return len(db.session.execute(statement).scalars().all())


def deciders(directive: Directive) -> list[User]:
    """The directive's monitors and its issuer's office users (permissions.deciders_of), in one query."""
    return list(db.session.scalars(sa.select(User).where(deciders_of(directive)).order_by(User.id)))


def notify_reported_done(update: ProgressUpdate) -> int:
    """Tell the monitor and the office that an agency reported its work done: it awaits their acceptance."""
    assignment = update.assignment
    message = _(
        "%(agency)s đã báo cáo hoàn thành %(task)s; chờ xác nhận.",
        agency=assignment.agency.name_vi,
        task=_task_ref(assignment),
    )
    return notify_once(
        deciders(assignment.task.directive), "reported_done", message, assignment, f"reported_done:{update.id}"
    )


def notify_extension_request(request: ExtensionRequest) -> int:
    """Tell the monitor and the office that an agency asks for more time."""
    assignment = request.assignment
    message = _(
        "%(agency)s đề nghị gia hạn %(task)s đến %(date)s: %(reason)s",
        agency=assignment.agency.name_vi,
        task=_task_ref(assignment),
        date=format_date(request.requested_deadline),
        reason=request.reason,
    )
    return notify_once(
        deciders(assignment.task.directive), "extension_request", message, assignment, f"extension_request:{request.id}"
    )


def notify_explanation_answer(request_id: int, assignment: Assignment) -> int:
    """Tell the monitor and the office that an agency answered their request for an explanation."""
    message = _(
        "%(agency)s đã giải trình về %(task)s.",
        agency=assignment.agency.name_vi,
        task=_task_ref(assignment),
    )
    return notify_once(
        deciders(assignment.task.directive),
        "explanation_answer",
        message,
        assignment,
        f"explanation_answer:{request_id}",
    )
