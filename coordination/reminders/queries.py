"""Finding what to urge and what was urged: shared by the web pages and the API, scoped like every list."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from coordination import keyset
from coordination.assignments.models import Assignment
from coordination.auth.models import User
from coordination.directives.models import Directive, Task
from coordination.evidence.models import Evidence
from coordination.extensions import db
from coordination.permissions import visible_assignments
from coordination.reminders.models import ExplanationRequest, Notification, Reminder, ReminderPolicy
from coordination.reports.dashboard import DashboardFilters, overdue_query


def _reminder_text_options() -> list:
    """What a reminder's text names: the directive (issuer, monitor, report-to), the task, the agency."""
    return [
        joinedload(Assignment.agency),
        joinedload(Assignment.task).options(
            joinedload(Task.parent),
            joinedload(Task.directive).options(
                joinedload(Directive.issuer),
                joinedload(Directive.monitor_agency),
                joinedload(Directive.report_to_agency),
            ),
        ),
    ]


def assignments_by_ids(user: User | None, ids: Iterable[int]) -> tuple[list[Assignment], list[int]]:
    """The assignments with these ids that `user` may see (in the order given), and the ids it may not."""
    wanted = list(dict.fromkeys(ids))
    if not wanted:
        return [], []
    found = {
        a.id: a
        for a in db.session.scalars(
            sa.select(Assignment)
            .join(Task, Task.id == Assignment.task_id)
            .join(Directive, Directive.id == Task.directive_id)
            .where(Assignment.id.in_(wanted), visible_assignments(user))
            .options(*_reminder_text_options())
        ).unique()
    }
    return [found[i] for i in wanted if i in found], [i for i in wanted if i not in found]


def overdue_assignments(user: User, filters: DashboardFilters) -> list[Assignment]:
    """Every overdue assignment of the dashboard's scope under these filters, most days late first."""
    return list(db.session.scalars(overdue_query(user, filters).options(*_reminder_text_options())).unique())


@dataclass
class AssignmentMonitoring:
    """What the assignment page shows of urging: the explanation requests (with their files) and reminders."""

    explanations: list[ExplanationRequest]
    files: dict[int, list[Evidence]]
    reminders: list[Reminder]


def assignment_monitoring(assignment: Assignment) -> AssignmentMonitoring:
    """Explanation requests and reminders of one assignment, newest first; three queries."""
    explanations = list(
        db.session.scalars(
            sa.select(ExplanationRequest)
            .where(ExplanationRequest.assignment_id == assignment.id)
            .options(joinedload(ExplanationRequest.requested_by), joinedload(ExplanationRequest.answered_by))
            .order_by(ExplanationRequest.requested_at.desc(), ExplanationRequest.id.desc())
        )
    )
    files: dict[int, list[Evidence]] = {}
    if explanations:
        for evidence in db.session.scalars(
            sa.select(Evidence)
            .where(Evidence.explanation_request_id.in_([e.id for e in explanations]))
            .order_by(Evidence.id)
        ):
            files.setdefault(evidence.explanation_request_id, []).append(evidence)  # type: ignore[arg-type]
    reminders = list(
        db.session.scalars(
            sa.select(Reminder)
            .where(Reminder.assignment_id == assignment.id)
            .options(joinedload(Reminder.sender))
            .order_by(Reminder.sent_at.desc(), Reminder.id.desc())
        )
    )
    return AssignmentMonitoring(explanations, files, reminders)


def policies_by_directive(directive_ids: list[int]) -> tuple[ReminderPolicy | None, dict[int, ReminderPolicy]]:
    """The global policy row (or None) and each directive's own row, in one query."""
    rows = db.session.scalars(
        sa.select(ReminderPolicy).where(
            sa.or_(ReminderPolicy.directive_id.is_(None), ReminderPolicy.directive_id.in_(directive_ids))
        )
    ).all()
    default = next((r for r in rows if r.directive_id is None), None)
    return default, {r.directive_id: r for r in rows if r.directive_id is not None}


def unread_count(user: User) -> int:
    """The unread notifications of a user: one COUNT on the (user_id, read_at) index."""
    return (
        db.session.scalar(
            sa.select(sa.func.count(Notification.id)).where(
                Notification.user_id == user.id, Notification.read_at.is_(None)
            )
        )
        or 0
    )


def notifications_query(user: User, *, unread: bool | None = None) -> sa.Select:
    """The user's notifications, newest first."""
    query = (
        sa.select(Notification)
        .where(Notification.user_id == user.id)
        .order_by(Notification.created_at.desc(), Notification.id.desc())
    )
    if unread is True:
        query = query.where(Notification.read_at.is_(None))
    elif unread is False:
        query = query.where(Notification.read_at.is_not(None))
    return query


#: the overdue list's sort key (overdue_query's order), as a keyset cursor carries it: both parts never NULL
OVERDUE_KEY_KINDS = (date, int)


def overdue_page(
    user: User, filters: DashboardFilters, size: int, cursor: keyset.Cursor | None = None, *, salt: str = "overdue"
) -> keyset.Page:
    """One keyset page of the overdue list (after or before `cursor`), with what its rows show: one query.

    Ordered by (deadline, id), as overdue_query: a page deep in the list costs what the first does.
    """
    query = overdue_query(user, filters).options(joinedload(Assignment.task).joinedload(Task.parent))
    keys = [Assignment.deadline, Assignment.id]
    rows = db.session.execute(keyset.narrowed(query.order_by(None), keys, cursor, size)).unique().all()
    return keyset.page(rows, cursor, size, salt, ascending=False)
