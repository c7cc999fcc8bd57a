"""The three kinds of the "Chờ xử lý" queue, scoped by `permissions.decides_on_work`, oldest first.

Shared by the web page, the menu's counts and `GET /api/v1/queue`: a row is listed here exactly when
`can(user, assignment_review, its assignment)` would let the user decide it.
"""

from __future__ import annotations

import enum
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from flask import current_app, has_request_context, request
from sqlalchemy.orm import contains_eager, joinedload

from coordination import keyset
from coordination.assignments.models import Assignment, ExtensionRequest, ExtensionStatus
from coordination.assignments.states import Status
from coordination.auth.models import User
from coordination.directives.models import Directive, Task
from coordination.extensions import db
from coordination.permissions import decides_on_work, keeps_a_queue
from coordination.reminders.models import ExplanationRequest, Notification

#: the key of the unread notices' count in `queue_counts`
UNREAD = "unread"


class QueueKind(enum.StrEnum):
    #: work reported done, awaiting acceptance
    review = "review"
    #: extension requests awaiting a decision
    extension = "extension"
    #: explanations answered and not yet read
    explanation = "explanation"


#: a reported assignment without its report day (never written by the operations) sorts first, not lost
_LONG_AGO = date(1900, 1, 1)


def _order_key(kind: QueueKind) -> tuple[sa.ColumnElement, sa.ColumnElement[int]]:
    """(when it started waiting, id): the order of a section, oldest first."""
    if kind == QueueKind.review:
        return sa.func.coalesce(Assignment.reported_done_on, _LONG_AGO), Assignment.id
    if kind == QueueKind.extension:
        return ExtensionRequest.requested_at, ExtensionRequest.id
    return ExplanationRequest.answered_at, ExplanationRequest.id


def _through_assignment(select: sa.Select, user: User | None, *, with_task: bool = True) -> sa.Select:
    if not with_task:
        # a count needs the directive alone: assignment.directive_id is the task's (a foreign key keeps it)
        return select.join(Directive, Directive.id == Assignment.directive_id).where(decides_on_work(user))
    return (
        select.join(Task, Task.id == Assignment.task_id)
        .join(Directive, Directive.id == Task.directive_id)
        .where(decides_on_work(user))
    )


def _where(kind: QueueKind) -> sa.ColumnElement[bool]:
    if kind == QueueKind.review:
        return Assignment.status == Status.reported_done
    if kind == QueueKind.extension:
        return ExtensionRequest.status == ExtensionStatus.pending
    return sa.and_(ExplanationRequest.answered_at.is_not(None), ExplanationRequest.answer_read_at.is_(None))


def _base(kind: QueueKind, what: Any, user: User | None, *, with_task: bool = True) -> sa.Select:
    """SELECT `what` over one kind's waiting rows in the user's scope (`with_task`: joined to the task, for display)."""
    select = sa.select(what)
    if kind == QueueKind.review:
        select = select.select_from(Assignment)
    elif kind == QueueKind.extension:
        select = select.select_from(ExtensionRequest).join(Assignment, Assignment.id == ExtensionRequest.assignment_id)
    else:
        select = select.select_from(ExplanationRequest).join(
            Assignment, Assignment.id == ExplanationRequest.assignment_id
        )
    return _through_assignment(select, user, with_task=with_task).where(_where(kind))


_ENTITY = {
    QueueKind.review: Assignment,
    QueueKind.extension: ExtensionRequest,
    QueueKind.explanation: ExplanationRequest,
}


def _row_options(kind: QueueKind) -> list:
    """What a row shows: directive, task (and its parent's label), agency, the people named."""
    if kind == QueueKind.review:
        return [
            contains_eager(Assignment.task).contains_eager(Task.directive),
            contains_eager(Assignment.task).joinedload(Task.parent),
            joinedload(Assignment.agency),
        ]
    entity = _ENTITY[kind]
    through = contains_eager(entity.assignment)  # type: ignore[attr-defined]
    people = (
        [joinedload(ExtensionRequest.requested_by)]
        if kind == QueueKind.extension
        else [joinedload(ExplanationRequest.answered_by)]
    )
    return [
        through.contains_eager(Assignment.task).contains_eager(Task.directive),
        contains_eager(entity.assignment).contains_eager(Assignment.task).joinedload(Task.parent),  # type: ignore[attr-defined]
        contains_eager(entity.assignment).joinedload(Assignment.agency),  # type: ignore[attr-defined]
        *people,
    ]


def queue_query(kind: QueueKind, user: User | None) -> sa.Select:
    """One section's rows (Assignment, ExtensionRequest or ExplanationRequest), oldest first, loaded for display."""
    return _base(kind, _ENTITY[kind], user).options(*_row_options(kind)).order_by(*_order_key(kind))


#: the kinds of each section's sort key (_order_key), as a keyset cursor carries them
KEY_KINDS: dict[QueueKind, tuple[type, type]] = {
    QueueKind.review: (date, int),
    QueueKind.extension: (datetime, int),
    QueueKind.explanation: (datetime, int),
}


def queue_page(
    kind: QueueKind, user: User | None, *, cursor: keyset.Cursor | None, size: int, salt: str
) -> keyset.Page:
    """One keyset page of a section, after (or before) `cursor` in (waiting since, id) order: one query."""
    query = keyset.narrowed(queue_query(kind, user).order_by(None), _order_key(kind), cursor, size)
    return keyset.page(db.session.execute(query).unique().all(), cursor, size, salt, ascending=False)


def queue_after(kind: QueueKind, user: User | None, *, after: int | None, size: int) -> tuple[list[Any], bool]:
    """Keyset page for the API: the rows after the row with id `after` in (waiting since, id) order; and if more."""
    query = queue_query(kind, user)
    if after is not None:
        key, id_column = _order_key(kind)
        entity = _ENTITY[kind]
        # The cursor row's own key, read in the same statement: pages never shift when rows are added.
        cursor_key = sa.select(_order_key(kind)[0]).select_from(entity).where(entity.id == after).scalar_subquery()
        query = query.where(sa.tuple_(key, id_column) > sa.tuple_(cursor_key, after))
    rows = list(db.session.scalars(query.limit(size + 1)).unique())
    return rows[:size], len(rows) > size


def count_limit() -> int:
    """How far a section's count goes (QUEUE_COUNT_LIMIT): a count above it means "more than the limit"."""
    return current_app.config["QUEUE_COUNT_LIMIT"]


def over_limit(count: int) -> bool:
    """Whether a count of `queue_counts` (or their sum) stands for "more than the limit" rather than a number."""
    return count > count_limit()


def _counted(kind: QueueKind, user: User | None) -> sa.ScalarSelect:
    # Counting stops one row past the limit: a province's monitor has ~25,000 reports waiting, which an exact
    # count would read on every page (10 ms at bench scale; under 1 ms so).
    waiting = _base(kind, sa.literal(1), user, with_task=False).limit(count_limit() + 1).subquery()
    return sa.select(sa.func.count()).select_from(waiting).scalar_subquery()


def queue_counts(user: User | None) -> dict[str, int]:
    """How many rows wait in each section, and the user's unread notices ("unread"): one query, kept for the request.

    A section's count stops one past QUEUE_COUNT_LIMIT (`over_limit` tells). The navbar asks on every page
    (the menu's counts and the inbox badge), the home and queue pages again: the request keeps the first
    answer (on the request, not on `g`, which outlives requests when one app context serves several, as in
    tests). Officers keep no queue: their query counts the unread notices alone.
    """
    cache = request.environ.setdefault("coordination.queue_counts", {}) if has_request_context() else {}
    key = user.id if user is not None else None
    if key in cache:
        return cache[key]
    counts = {kind.value: 0 for kind in QueueKind}
    counts[UNREAD] = 0
    if user is not None:
        kinds = list(QueueKind) if keeps_a_queue(user) else []
        columns = [_counted(kind, user).label(kind.value) for kind in kinds]
        unread = (
            sa.select(sa.func.count(Notification.id))
            .where(Notification.user_id == user.id, Notification.read_at.is_(None))
            .scalar_subquery()
            .label(UNREAD)
        )
        row = db.session.execute(sa.select(*columns, unread)).one()
        counts.update({name: int(value or 0) for name, value in row._mapping.items()})
    cache[key] = counts
    return counts


def waiting_total(counts: dict[str, int]) -> int:
    """Everything in the queue (the menu's number), without the unread notices."""
    return sum(counts[kind.value] for kind in QueueKind)
