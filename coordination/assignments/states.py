"""The one state machine of an assignment, and its timeliness.

Status changes only through `transition()`; timeliness is derived, never stored. The Python rule
(`timeliness`) and the SQL rule (`timeliness_sql`) sit side by side here, and a test proves they
agree on a table of cases.
"""

from __future__ import annotations

import enum
from datetime import date, timedelta

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l


class Status(enum.StrEnum):
    not_started = "not_started"
    in_progress = "in_progress"
    reported_done = "reported_done"
    done = "done"
    returned = "returned"
    cancelled = "cancelled"


class Action(enum.StrEnum):
    start = "start"
    report_done = "report_done"
    accept = "accept"
    return_ = "return"
    resume = "resume"
    cancel = "cancel"


class Timeliness(enum.StrEnum):
    on_time = "on_time"
    due_soon = "due_soon"
    overdue = "overdue"
    done_on_time = "done_on_time"
    done_late = "done_late"
    no_deadline = "no_deadline"


OPEN_STATUSES = frozenset({Status.not_started, Status.in_progress, Status.reported_done, Status.returned})
CLOSED_STATUSES = frozenset({Status.done, Status.cancelled})
#: their values in one order, for SQL: a statement naming them is the same text in every process, so one
#: prepared statement and one plan (a frozenset's order changes with each process's string hashing)
CLOSED_VALUES = tuple(sorted(s.value for s in CLOSED_STATUSES))

#: (action, from status) -> to status; nothing else is allowed
TRANSITIONS: dict[tuple[Action, Status], Status] = {
    (Action.start, Status.not_started): Status.in_progress,
    (Action.report_done, Status.in_progress): Status.reported_done,
    (Action.accept, Status.reported_done): Status.done,
    (Action.return_, Status.reported_done): Status.returned,
    (Action.resume, Status.returned): Status.in_progress,
    **{(Action.cancel, s): Status.cancelled for s in OPEN_STATUSES},
}

#: who performs an action: the assignee agency ("work"), the monitor or office ("review"), the office ("manage")
ACTION_ACTOR = {
    Action.start: "work",
    Action.report_done: "work",
    Action.resume: "work",
    Action.accept: "review",
    Action.return_: "review",
    Action.cancel: "manage",
}

STATUS_LABELS = {
    Status.not_started: _l("Chưa thực hiện"),
    Status.in_progress: _l("Đang thực hiện"),
    Status.reported_done: _l("Đã báo cáo hoàn thành"),
    Status.done: _l("Hoàn thành"),
    Status.returned: _l("Trả lại, yêu cầu bổ sung"),
    Status.cancelled: _l("Hủy"),
}

TIMELINESS_LABELS = {
    Timeliness.on_time: _l("Trong hạn"),
    Timeliness.due_soon: _l("Sắp đến hạn"),
    Timeliness.overdue: _l("Quá hạn"),
    Timeliness.done_on_time: _l("Hoàn thành đúng hạn"),
    Timeliness.done_late: _l("Hoàn thành quá hạn"),
    Timeliness.no_deadline: _l("Không thời hạn"),
}

ACTION_LABELS = {
    Action.start: _l("Bắt đầu thực hiện"),
    Action.report_done: _l("Báo cáo hoàn thành"),
    Action.accept: _l("Xác nhận hoàn thành"),
    Action.return_: _l("Trả lại"),
    Action.resume: _l("Tiếp tục thực hiện"),
    Action.cancel: _l("Hủy"),
}


def soon_limit(today: date, due_soon: int | date) -> date:
    """The last deadline that is "sắp đến hạn" on `today`.

    `due_soon` is that day itself (the app passes the working-day calendar's answer,
    coordination.workdays.calendar.due_soon_limit), or a number of calendar days after today.
    """
    return due_soon if isinstance(due_soon, date) else today + timedelta(days=due_soon)


class TransitionError(Exception):
    """The state machine does not allow this action from this status."""

    def __init__(self, action: Action, status: Status) -> None:
        super().__init__(f"{action} not allowed from {status}")
        self.action = action
        self.status = status


def next_status(action: Action, status: Status) -> Status:
    """Return the status `action` leads to from `status`, or raise TransitionError."""
    try:
        return TRANSITIONS[(Action(action), Status(status))]
    except (KeyError, ValueError):
        raise TransitionError(action, status) from None


def allowed_actions(status: Status) -> list[Action]:
    return [action for (action, source) in TRANSITIONS if source == status]


def timeliness(
    status: Status,
    deadline: date | None,
    reported_done_on: date | None,
    completed_on: date | None,
    today: date,
    due_soon: int | date,
) -> Timeliness | None:
    """Classify one assignment; None for cancelled work, which counts nowhere."""
    if status == Status.cancelled:
        return None
    if status == Status.done:
        # Work reported on or before its deadline and accepted later is on time.
        finished = reported_done_on or completed_on
        if deadline is None or finished is None or finished <= deadline:
            return Timeliness.done_on_time
        return Timeliness.done_late
    if deadline is None:
        return Timeliness.no_deadline
    if status == Status.reported_done and reported_done_on is not None:
        # Awaiting acceptance: judged by when the agency reported, not by the monitor's delay.
        return Timeliness.on_time if reported_done_on <= deadline else Timeliness.overdue
    if today > deadline:
        return Timeliness.overdue
    if deadline <= soon_limit(today, due_soon):
        return Timeliness.due_soon
    return Timeliness.on_time


def days_late(
    status: Status, deadline: date | None, reported_done_on: date | None, completed_on: date | None, today: date
) -> int:
    """Days past the deadline: until today for open work, until reported for finished work."""
    if deadline is None or status == Status.cancelled:
        return 0
    end = reported_done_on or completed_on
    if status not in (Status.done, Status.reported_done) or end is None:
        end = today
    return max(0, (end - deadline).days)


def timeliness_sql(
    status: sa.ColumnElement,
    deadline: sa.ColumnElement,
    reported_done_on: sa.ColumnElement,
    completed_on: sa.ColumnElement,
    today: date,
    due_soon: int | date,
) -> sa.ColumnElement:
    """The same rule as `timeliness`, as a SQL CASE over the given columns."""
    finished = sa.func.coalesce(reported_done_on, completed_on)
    last_soon = soon_limit(today, due_soon)
    return sa.case(
        (status == Status.cancelled.value, sa.null()),
        (
            status == Status.done.value,
            sa.case(
                (sa.or_(deadline.is_(None), finished.is_(None), finished <= deadline), Timeliness.done_on_time.value),
                else_=Timeliness.done_late.value,
            ),
        ),
        (deadline.is_(None), Timeliness.no_deadline.value),
        (
            sa.and_(status == Status.reported_done.value, reported_done_on.is_not(None)),
            sa.case((reported_done_on <= deadline, Timeliness.on_time.value), else_=Timeliness.overdue.value),
        ),
        (deadline < today, Timeliness.overdue.value),
        (deadline <= last_soon, Timeliness.due_soon.value),
        else_=Timeliness.on_time.value,
    )


def timeliness_prefilter_sql(
    wanted: Timeliness, status: sa.ColumnElement, deadline: sa.ColumnElement, today: date, due_soon: int | date
) -> sa.ColumnElement[bool]:
    """A condition every row of timeliness `wanted` meets, written so that indexes can serve it.

    The CASE of `timeliness_sql` decides; this only narrows the rows it looks at (e.g. overdue work is
    open and past its deadline, which the partial index on open deadlines finds directly). It holds for
    `today` on or after every reported-done date, as the real today always is (work is never reported
    done in the future); a test proves that no row of each timeliness fails its prefilter.
    """
    open_work = status.not_in(CLOSED_VALUES)
    match wanted:
        case Timeliness.overdue:
            return sa.and_(open_work, deadline < today)
        case Timeliness.due_soon:
            return sa.and_(open_work, deadline >= today, deadline <= soon_limit(today, due_soon))
        case Timeliness.on_time:
            return sa.and_(open_work, deadline.is_not(None))
        case Timeliness.no_deadline:
            return sa.and_(open_work, deadline.is_(None))
        case Timeliness.done_on_time | Timeliness.done_late:
            return status == Status.done.value
