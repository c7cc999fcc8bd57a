"""What a monitor or the office sees each morning, computed in SQL: counts, the agency table, the overdue list."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

import sqlalchemy as sa

from coordination.agencies.models import Agency
from coordination.assignments.models import Assignment, AssignmentHandler
from coordination.assignments.queries import LIST_COLUMNS, timeliness_is
from coordination.assignments.schemas import dump_list_row
from coordination.assignments.states import CLOSED_VALUES, Timeliness, days_late
from coordination.auth.models import User
from coordination.collation import vi_key
from coordination.db import today as local_today
from coordination.directives.models import Directive, Task
from coordination.extensions import db
from coordination.permissions import dashboard_scope, visible_own_work
from coordination.reminders.models import ExplanationRequest
from coordination.reports import tally
from coordination.reports.sql import among
from coordination.workdays.calendar import due_soon_limit

TIMELINESS_KEYS = [t.value for t in Timeliness]


@dataclass(frozen=True)
class DashboardFilters:
    """The dashboard's filters; the work list its links open applies the same ones through `where()`."""

    directive_id: int | None = None
    agency_id: int | None = None
    issued_from: date | None = None
    issued_to: date | None = None

    def where(self) -> sa.ColumnElement[bool]:
        """A WHERE clause on Assignment joined to Task and Directive: the work these filters keep."""
        clauses: list[sa.ColumnElement[bool]] = []
        if self.directive_id is not None:
            clauses.append(Task.directive_id == self.directive_id)
        if self.agency_id is not None:
            clauses.append(Assignment.agency_id == self.agency_id)
        if self.issued_from is not None:
            clauses.append(Directive.issued_on >= self.issued_from)
        if self.issued_to is not None:
            clauses.append(Directive.issued_on <= self.issued_to)
        return sa.and_(sa.true(), *clauses)


#: what the agency table shows of an agency (its rows' `agency`: these columns, not an ORM object)
AGENCY_COLUMNS = (Agency.id, Agency.code, Agency.name_vi, Agency.name_en, Agency.short_name)


@dataclass
class AgencyRow:
    #: an Agency, or a row of AGENCY_COLUMNS
    agency: Any
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    @property
    def in_progress(self) -> int:
        """Open work not yet late: on time, due soon or without a deadline."""
        return sum(self.counts.get(k, 0) for k in ("on_time", "due_soon", "no_deadline"))

    @property
    def percent_on_time(self) -> float | None:
        """Of the work that has fallen due (done, or open and late), the share done on time."""
        due = sum(self.counts.get(k, 0) for k in ("done_on_time", "done_late", "overdue"))
        return round(100 * self.counts.get("done_on_time", 0) / due, 1) if due else None


def _filtered(select: sa.Select, user: User, filters: DashboardFilters) -> sa.Select:
    select = (
        select.join(Task, Task.id == Assignment.task_id)
        .join(Directive, Directive.id == Task.directive_id)
        .where(dashboard_scope(user), Assignment.status != "cancelled", filters.where())
    )
    return select


def timeliness_column(day: date | None = None) -> sa.ColumnElement:
    day = day or local_today()
    return Assignment.timeliness_on(day, due_soon_limit(day))


def _grouped(user: User, filters: DashboardFilters, day: date | None) -> list[tuple[int, str | None, int]]:
    """(agency id, timeliness, count): the one aggregate both the totals and the agency table come from.

    From the maintained tally (about ten thousand rows at province scale, not every assignment) unless a
    directive or issue dates narrow the work (the tally does not keep those, and the work they leave is small)
    or the day is before the tally's last roll (its merged rows no longer say which deadlines they held).
    """
    day = day or local_today()
    narrowed = filters.directive_id is not None or filters.issued_from is not None or filters.issued_to is not None
    # A roll is never dated after today, so today's counts need no look at it.
    if not narrowed and (day >= local_today() or tally.answers_for(day)):
        return tally.grouped(user, filters.agency_id, day, due_soon_limit(day))
    return _grouped_live(user, filters, day)


def _grouped_live(user: User, filters: DashboardFilters, day: date | None) -> list[tuple[int, str | None, int]]:
    """`_grouped` counted from the assignments themselves (tests prove the two agree)."""
    column = timeliness_column(day).label("t")
    select = _filtered(sa.select(Assignment.agency_id, column, sa.func.count()), user, filters)
    return [tuple(row) for row in db.session.execute(select.group_by(Assignment.agency_id, column))]


def _counts_from(rows: list[tuple[int, str | None, int]]) -> dict[str, int]:
    result = dict.fromkeys(TIMELINESS_KEYS, 0)
    for _agency_id, timeliness, number in rows:
        if timeliness is not None:
            result[timeliness] += number
    return result


def _league_from(rows: list[tuple[int, str | None, int]]) -> list[AgencyRow]:
    # Plain columns: loading ~130 Agency objects took ~10 ms of the office's dashboard (make bench).
    found = db.session.execute(sa.select(*AGENCY_COLUMNS).where(among(Agency.id, {r[0] for r in rows})))
    agencies = {a.id: a for a in found}
    table: dict[int, AgencyRow] = {}
    for agency_id, timeliness, number in rows:
        row = table.setdefault(agency_id, AgencyRow(agencies[agency_id], dict.fromkeys(TIMELINESS_KEYS, 0)))
        if timeliness is not None:
            row.counts[timeliness] = number
    return sorted(table.values(), key=_worst_first)


def _worst_first(row: AgencyRow) -> tuple[int, float, Any]:
    percent = row.percent_on_time
    return (-row.counts["overdue"], percent if percent is not None else 101, vi_key(row.agency.name_vi))


def counts(user: User, filters: DashboardFilters, *, day: date | None = None) -> dict[str, int]:
    return _counts_from(_grouped(user, filters, day))


def league(user: User, filters: DashboardFilters, *, day: date | None = None) -> list[AgencyRow]:
    """One row per agency, worst first (most overdue, then lowest share on time)."""
    return _league_from(_grouped(user, filters, day))


def summary(
    user: User, filters: DashboardFilters, *, day: date | None = None
) -> tuple[dict[str, int], list[AgencyRow]]:
    """The totals and the agency table from a single pass over the assignments."""
    rows = _grouped(user, filters, day)
    return _counts_from(rows), _league_from(rows)


def overdue_query(user: User, filters: DashboardFilters, *, day: date | None = None) -> sa.Select:
    """Overdue assignments, most days late first (ties by id, for stable pages)."""
    return (
        _filtered(sa.select(Assignment), user, filters)
        .where(timeliness_is(Timeliness.overdue, day or local_today()))
        .order_by(Assignment.deadline.asc(), Assignment.id.asc())
        .options(
            sa.orm.joinedload(Assignment.agency),
            sa.orm.joinedload(Assignment.task).joinedload(Task.directive),
        )
    )


def overdue_rows(user: User, filters: DashboardFilters, size: int, *, day: date | None = None) -> list[sa.Row]:
    """The first `size` rows of `overdue_query` as the plain columns of the API list (LIST_COLUMNS, timeliness).

    For the API: no ORM objects and no directive text, dumped by hand (`dump_overdue_row`).
    """
    day = day or local_today()
    query = (
        sa.select(*LIST_COLUMNS, timeliness_column(day).label("timeliness"))
        .select_from(Assignment)
        .join(Task, Task.id == Assignment.task_id)
        .join(Directive, Directive.id == Task.directive_id)
        .join(Agency, Agency.id == Assignment.agency_id)
        .where(dashboard_scope(user), Assignment.status != "cancelled", filters.where())
        .where(timeliness_is(Timeliness.overdue, day))
        .order_by(Assignment.deadline.asc(), Assignment.id.asc())
        .limit(size)
    )
    return list(db.session.execute(query))


def dump_overdue_row(row: sa.Row, day: date) -> dict:
    """`OverdueSchema().dump(assignment)` of one row of `overdue_rows` (a test proves the two equal)."""
    return {
        **dump_list_row(row),
        "days_late": days_late(row.status, row.deadline, row.reported_done_on, row.completed_on, day),
    }


def _followed(user: User) -> sa.ColumnElement[bool]:
    """A WHERE clause on Directive: it has work (not cancelled) in `dashboard_scope(user)`.

    An EXISTS probing assignment by directive (or by agency and directive for an officer): a join of every
    assignment took 150 ms for the office at province scale (make bench).
    """
    return (
        sa.exists()
        .where(Assignment.directive_id == Directive.id, Assignment.status != "cancelled", dashboard_scope(user))
        .correlate(Directive)
    )


def followed_directive_ids(user: User) -> sa.Select:
    """The ids of the directives the user's dashboard covers: those with work in `dashboard_scope(user)`."""
    return sa.select(Directive.id).where(_followed(user))


def followed_directive_count(user: User) -> int:
    """How many directives the home page says the user follows (the dashboard's directive choices)."""
    return db.session.scalar(sa.select(sa.func.count()).select_from(Directive).where(_followed(user))) or 0


def unanswered_explanations(user: User, filters: DashboardFilters) -> sa.Select:
    return (
        _filtered(
            sa.select(ExplanationRequest).join(Assignment, Assignment.id == ExplanationRequest.assignment_id),
            user,
            filters,
        )
        .where(ExplanationRequest.answered_at.is_(None))
        .order_by(ExplanationRequest.due_on, ExplanationRequest.id)
    )


@dataclass(frozen=True)
class HandlerRow:
    """One line of the head's "by handler" block (issue 15): a handler's open and overdue work in the agency."""

    #: None: the agency's open work nobody handles yet
    user_id: int | None
    full_name: str | None
    open: int
    overdue: int


def work_by_handler(user: User, *, day: date | None = None) -> list[HandlerRow]:
    """The user's agency's open work by current handler, in one grouped query; work with two handlers counts
    for each. Handlers in Vietnamese order, then the unhandled work. As the work list counts: `status=open`,
    and `timeliness=overdue` among it, with `handler=` the row's user (or "none")."""
    overdue = timeliness_column(day) == Timeliness.overdue.value
    select = (
        sa.select(
            User.id,
            User.full_name,
            sa.func.count(),
            sa.func.coalesce(sa.func.sum(sa.case((overdue, 1), else_=0)), 0),
        )
        .select_from(Assignment)
        .join(Directive, Directive.id == Assignment.directive_id)
        .outerjoin(
            AssignmentHandler,
            sa.and_(AssignmentHandler.assignment_id == Assignment.id, AssignmentHandler.ended_at.is_(None)),
        )
        .outerjoin(User, User.id == AssignmentHandler.user_id)
        .where(visible_own_work(user), Assignment.status.not_in(CLOSED_VALUES))
        .group_by(User.id, User.full_name)
    )
    rows = [HandlerRow(r[0], r[1], int(r[2]), int(r[3])) for r in db.session.execute(select)]
    return sorted(rows, key=lambda r: (r.user_id is None, vi_key(r.full_name or "")))
