"""The queries behind the web pages: scoped by `visible_*`, filtered and ordered in SQL, loaded eagerly."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm import Query, aliased, contains_eager, defer, joinedload, selectinload, with_expression

from coordination.agencies.models import Agency
from coordination.assignments.models import Assignment, AssignmentHandler, AssignmentTally
from coordination.assignments.queries import handled_by, timeliness_column, timeliness_is
from coordination.assignments.states import CLOSED_VALUES, Status, Timeliness
from coordination.auth.models import User
from coordination.collation import vi_order
from coordination.db import today
from coordination.directives.models import Directive, DirectiveStatus, Task
from coordination.directives.queries import choice_label, directive_choices, get_directive, search_clause
from coordination.extensions import db
from coordination.formatting import parse_date_or_none
from coordination.indicators.models import Indicator
from coordination.permissions import (
    dashboard_scope,
    dashboard_tally_scope,
    handler_candidates,
    visible_assignments,
    visible_directives,
    visible_own_work,
)
from coordination.reports import tally
from coordination.reports.dashboard import DashboardFilters, followed_directive_ids
from coordination.workdays.calendar import due_soon_limit


def timeliness_expr() -> sa.ColumnElement:
    """The timeliness of an assignment, in SQL, as of today."""
    return timeliness_column()


def urgency_expr() -> sa.ColumnElement[int]:
    """0 for the most urgent: open and overdue, then due soon, then on time, waiting, finished."""
    status, timeliness = Assignment.status, timeliness_expr()
    return sa.case(
        (status == Status.cancelled.value, 7),
        (status == Status.done.value, 6),
        # reported and waiting for the monitor: nothing more for the agency to do now
        (status == Status.reported_done.value, 5),
        (timeliness == Timeliness.overdue.value, 0),
        (timeliness == Timeliness.due_soon.value, 1),
        (timeliness == Timeliness.on_time.value, 2),
        else_=3,
    )


def urgency_order() -> list[sa.ColumnElement]:
    """Most urgent first: overdue by days late (oldest deadline first), due soon, then by deadline."""
    return [urgency_expr(), Assignment.deadline.is_(None), Assignment.deadline, Assignment.id]


#: the deadline a work list's keyset compares for work without one (sorted after every dated row of its group)
NO_DEADLINE = date(9999, 12, 31)
#: the kinds of work_sort_key's parts, as a cursor carries them
WORK_KEY_KINDS = (bool, int, bool, date, int)


def work_sort_key(not_mine: sa.ColumnElement[bool]) -> list[sa.ColumnElement]:
    """The work list's order as a key with no NULL in it (mine_first's term, then urgency_order), for keyset pages.

    A row value comparison with a NULL is NULL: the missing deadline is compared as NO_DEADLINE, which orders
    the same since `deadline IS NULL` comes first.
    """
    return [
        not_mine,
        urgency_expr(),
        Assignment.deadline.is_(None),
        sa.func.coalesce(Assignment.deadline, NO_DEADLINE),
        Assignment.id,
    ]


# --- directives ------------------------------------------------------------------------------------


@dataclass
class DirectiveFilters:
    q: str = ""
    status: DirectiveStatus | None = None
    issuer_id: int | None = None
    #: issue 11: `scope=followed`, the directives the home page counts (with work in the dashboard's scope)
    followed_by: User | None = None

    @classmethod
    def from_args(cls, args: dict, user: User | None = None) -> DirectiveFilters:
        return cls(
            q=(args.get("q") or "").strip()[:200],
            status=_enum_or_none(DirectiveStatus, args.get("status")),
            issuer_id=_int_or_none(args.get("issuer")),
            followed_by=user if args.get("scope") == FOLLOWED else None,
        )

    def apply(self, query: Query) -> Query:
        if self.followed_by is not None:
            query = query.filter(Directive.id.in_(followed_directive_ids(self.followed_by)))
        clause = search_clause(self.q)
        if clause is not None:
            query = query.filter(clause)
        if self.status is not None:
            query = query.filter(Directive.status == self.status)
        if self.issuer_id is not None:
            query = query.filter(Directive.issuer_id == self.issuer_id)
        return query


def directive_issuers(user: User | None) -> list[Agency]:
    """The agencies that issued a directive the user may see (the issuer filter's choices)."""
    issuer_ids = sa.select(Directive.issuer_id).where(visible_directives(user))
    return list(
        db.session.scalars(sa.select(Agency).where(Agency.id.in_(issuer_ids)).order_by(vi_order(Agency.name_vi)))
    )


def directive_filter_choices(user: User | None, selected_id: int | None) -> list[tuple[int, str]]:
    """(id, label) the directive filter embeds: the newest few and the chosen one; the picker searches the rest.

    Every visible directive would make the work list hundreds of kilobytes at province scale.
    """
    rows, _more = directive_choices(user)
    if selected_id is not None and all(d.id != selected_id for d in rows):
        chosen = db.session.scalar(sa.select(Directive).where(Directive.id == selected_id, visible_directives(user)))
        rows = [chosen, *rows] if chosen is not None else rows
    return [(d.id, choice_label(d)) for d in rows]


def load_directive_document(user: User | None, directive_id: int) -> Directive | None:
    """A directive the user may see, with everything its page shows, in a fixed number of queries."""
    return get_directive(user, directive_id)


def directive_indicators(directive: Directive) -> list[Indicator]:
    return list(
        db.session.scalars(
            sa.select(Indicator)
            .where(Indicator.directive_id == directive.id)
            .options(selectinload(Indicator.measurements), joinedload(Indicator.agency))
            .order_by(Indicator.id)
        ).unique()
    )


@dataclass
class TaskNode:
    task: Task
    depth: int
    children: list[TaskNode] = field(default_factory=list)


def task_tree(tasks: list[Task]) -> list[TaskNode]:
    """Tasks in document order (Task.position), sub-items under their parent."""
    nodes = {t.id: TaskNode(t, 0) for t in tasks}
    roots: list[TaskNode] = []
    for task in sorted(tasks, key=lambda t: t.position):
        node = nodes[task.id]
        parent = nodes.get(task.parent_id) if task.parent_id else None
        if parent is None:
            roots.append(node)
        else:
            node.depth = parent.depth + 1
            parent.children.append(node)
    return roots


def flatten(nodes: list[TaskNode]) -> list[TaskNode]:
    out: list[TaskNode] = []
    for node in nodes:
        out.append(node)
        out.extend(flatten(node.children))
    return out


# --- assignments -----------------------------------------------------------------------------------

OPEN = "open"
#: the work list's `handler=` values besides a user id (issue 15): the user's own work, and work nobody handles
MINE = "me"
UNHANDLED = "none"
#: the work list's `scope=followed`: the work the user's dashboard and home counters count
FOLLOWED = "followed"


@dataclass
class WorkFilters:
    status: str | None = None
    timeliness: Timeliness | None = None
    directive_id: int | None = None
    due_from: date | None = None
    due_to: date | None = None
    # The dashboard's links (issue 5): one agency's work on the directives the user may see, by the
    # directive's issue date, and several timeliness values at once ("in progress", "total").
    agency_id: int | None = None
    issued_from: date | None = None
    issued_to: date | None = None
    timeliness_any: tuple[Timeliness, ...] = ()
    #: issue 11: "followed" is the scope the dashboard and the home counters count (permissions.dashboard_scope)
    followed: bool = False
    #: issue 15: "me" (do tôi xử lý), "none" (chưa phân công) or a user id (the head's dashboard links)
    handler: str | None = None
    #: dates typed that are not a day: ignored by the filter, said under their field
    date_errors: dict[str, list[str]] = field(default_factory=dict)

    @classmethod
    def from_args(cls, args: dict) -> WorkFilters:
        status = args.get("status")
        many = args.getlist("timeliness") if hasattr(args, "getlist") else [args.get("timeliness")]
        chosen = tuple(t for t in (_enum_or_none(Timeliness, v) for v in many) if t is not None)
        return cls(
            status=status if status == OPEN or _enum_or_none(Status, status) else None,
            timeliness=chosen[0] if len(chosen) == 1 else None,
            directive_id=_int_or_none(args.get("directive")),
            due_from=_date_or_none(args.get("due_from")),
            due_to=_date_or_none(args.get("due_to")),
            agency_id=_int_or_none(args.get("agency")),
            issued_from=_date_or_none(args.get("issued_from")),
            issued_to=_date_or_none(args.get("issued_to")),
            timeliness_any=chosen if len(chosen) > 1 else (),
            followed=args.get("scope") == FOLLOWED,
            handler=_handler_or_none(args.get("handler")),
            date_errors=unreadable_dates(args, ("due_from", "due_to", "issued_from", "issued_to")),
        )

    @property
    def handler_id(self) -> int | None:
        return int(self.handler) if self.handler and self.handler.isdigit() else None

    def apply(self, query: Query, user: User | None = None) -> Query:
        if self.status == OPEN:
            query = query.filter(Assignment.status.not_in(CLOSED_VALUES))
        elif self.status:
            query = query.filter(Assignment.status == self.status)
        if self.timeliness is not None:
            query = query.filter(timeliness_is(self.timeliness))
        if self.timeliness_any:
            query = query.filter(timeliness_expr().in_([t.value for t in self.timeliness_any]))
        # the dashboard's own filters, written once (the agency is work_scope's: it decides the visibility path)
        dashboard = DashboardFilters(self.directive_id, None, self.issued_from, self.issued_to)
        query = query.filter(dashboard.where())
        if self.due_from is not None:
            query = query.filter(Assignment.deadline >= self.due_from)
        if self.due_to is not None:
            query = query.filter(Assignment.deadline <= self.due_to)
        if self.handler is not None:
            query = query.filter(handler_clause(self.handler, user))
        return query


def handler_clause(handler: str, user: User | None) -> sa.ColumnElement[bool]:
    """The work list's `handler=` filter: the user's own work, unhandled work, or one handler's (own agency only).

    A handler id filters the user's own agency's work only: who handles another agency's work is not
    told through a filter (an admin, without an agency, filters any).
    """
    if handler == MINE:
        return handled_by(user.id if user is not None else None)
    current = sa.select(AssignmentHandler.assignment_id).where(AssignmentHandler.ended_at.is_(None))
    if handler == UNHANDLED:
        return Assignment.id.not_in(current)
    clause = handled_by(int(handler))
    if user is not None and user.agency_id is not None:
        clause = sa.and_(clause, Assignment.agency_id == user.agency_id)
    return clause


def mine_first(query: Query, user: User | None) -> tuple[Query, sa.ColumnElement[bool]]:
    """`query` joined to the user's own current handler row, and the order term that puts that work first.

    One outer join on ix_assignment_handler_user_current (unique while current: no row is repeated).
    """
    mine = aliased(AssignmentHandler, name="mine")
    query = query.outerjoin(
        mine,
        sa.and_(
            mine.assignment_id == Assignment.id,
            mine.user_id == (user.id if user is not None else None),
            mine.ended_at.is_(None),
        ),
    )
    return query, mine.id.is_(None)


def work_scope(query: Query, user: User | None, agency_id: int | None = None, *, followed: bool = False) -> Query:
    """The user's agency's (or `agency_id`'s) assignments on directives it may see; all visible without an agency.

    `followed`: the dashboard's scope instead (the monitor's monitored directives, the office's issued ones).
    """
    query = query.join(Task, Task.id == Assignment.task_id).join(Directive, Directive.id == Task.directive_id)
    if followed and user is not None:
        query = query.filter(dashboard_scope(user), Assignment.status != Status.cancelled.value)
        return query if agency_id is None else query.filter(Assignment.agency_id == agency_id)
    if user is not None and user.agency_id is not None and agency_id in (None, user.agency_id):
        return query.filter(visible_own_work(user))
    query = query.filter(visible_assignments(user))
    if agency_id is not None:
        query = query.filter(Assignment.agency_id == agency_id)
    return query


def list_agency(user: User | None, args: dict) -> Agency | None:
    """The agency whose work the list shows: the one a dashboard link names, else the user's own."""
    filters = WorkFilters.from_args(args)
    agency_id = filters.agency_id
    if filters.followed and agency_id is None:
        return None
    if agency_id is not None:
        return db.session.get(Agency, agency_id)
    return user.agency if user is not None else None


#: the work list counts exactly up to this many rows, then says "more than" (a count of 300,000 rows took
#: half a second at province scale, for a number nobody pages through)
WORK_COUNT_CAP = 10_000


def followed_work_count(user: User | None, filters: WorkFilters) -> Query | None:
    """The exact size of a `scope=followed` list filtered by timeliness alone (the home page's and the dashboard's
    numbers), read from the maintained tally; None for any other list."""
    if user is None or not filters.followed:
        return None
    narrowed = (filters.status, filters.directive_id, filters.due_from, filters.due_to, filters.handler)
    if any(v is not None and v != "" for v in narrowed) or filters.issued_from or filters.issued_to:
        return None
    wanted = [filters.timeliness] if filters.timeliness is not None else list(filters.timeliness_any)
    t = AssignmentTally
    query = db.session.query(sa.func.coalesce(sa.func.sum(t.n), 0)).filter(dashboard_tally_scope(user))
    if filters.agency_id is not None:
        query = query.filter(t.agency_id == filters.agency_id)
    if wanted:
        day = today()
        column = tally.timeliness(day, due_soon_limit(day))
        query = query.filter(column.in_([w.value for w in wanted]))
    return query


def work_list_options(*, with_handlers: bool = False) -> list:
    """The list's eager loads; `with_handlers` (the agency's own list) adds its current handlers' names."""
    options = [
        # the directive's search index, source text and legal basis are most of its row and no list shows them:
        # carried through the sort of a big list they cost more than the rest of the query (make bench)
        contains_eager(Assignment.task)
        .contains_eager(Task.directive)
        .options(defer(Directive.search_text), defer(Directive.source_text), defer(Directive.legal_basis)),
        contains_eager(Assignment.task).joinedload(Task.parent),
        joinedload(Assignment.agency),
    ]
    if with_handlers:
        options.append(with_expression(Assignment.handler_names, handler_names_sql()))
    return options


def handler_names_sql() -> sa.ScalarSelect:
    """The current handlers' names of the outer query's assignment, "; "-joined, NULL for none.

    A column of the list's own query (a correlated subquery on ix_assignment_handler_assignment), so that the
    handler column costs no query of its own: the list's query count stays what it was.
    """
    return (
        sa.select(sa.func.aggregate_strings(User.full_name, "; "))
        .select_from(AssignmentHandler)
        .join(User, User.id == AssignmentHandler.user_id)
        .where(AssignmentHandler.assignment_id == Assignment.id, AssignmentHandler.ended_at.is_(None))
        .correlate(Assignment)
        .scalar_subquery()
    )


def agency_handlers(agency_id: int) -> list[User]:
    """The users who may handle the agency's work (the handler filter's choices on the head's list)."""
    return list(
        db.session.scalars(sa.select(User).where(handler_candidates(agency_id)).order_by(vi_order(User.full_name)))
    )


def directive_progress(user: User | None, limit: int = 10) -> list[dict]:
    """The newest directives the user may see, with counts of their assignments by outcome."""
    timeliness = timeliness_expr()
    directives = list(
        db.session.scalars(
            sa.select(Directive)
            .where(visible_directives(user))
            .order_by(Directive.issued_on.desc(), Directive.id.desc())
            .limit(limit)
        )
    )
    if not directives:
        return []
    rows = db.session.execute(
        sa.select(Task.directive_id, Assignment.status, timeliness, sa.func.count(Assignment.id))
        .join(Task, Task.id == Assignment.task_id)
        .where(Task.directive_id.in_([d.id for d in directives]))
        .group_by(Task.directive_id, Assignment.status, timeliness)
    )
    summary = {d.id: {"directive": d, "total": 0, "done": 0, "overdue": 0, "waiting": 0} for d in directives}
    for directive_id, status, tl, n in rows:
        item = summary[directive_id]
        if status == Status.cancelled:
            continue
        item["total"] += n
        if status == Status.done:
            item["done"] += n
        elif status == Status.reported_done:
            item["waiting"] += n
        # counted as the dashboard counts (work reported after its deadline is late too): the home page's
        # counters above this table are the dashboard's numbers, and the two must agree
        if tl == Timeliness.overdue:
            item["overdue"] += n
    return list(summary.values())


def load_assignment(user: User | None, assignment_id: int) -> Assignment | None:
    """An assignment on a directive the user may see, with its task, directive and the task's other agencies."""
    return (
        db.session.query(Assignment)
        .join(Task, Task.id == Assignment.task_id)
        .join(Directive, Directive.id == Task.directive_id)
        .filter(Assignment.id == assignment_id, visible_assignments(user))
        .options(
            contains_eager(Assignment.task).contains_eager(Task.directive),
            contains_eager(Assignment.task).joinedload(Task.parent),
            contains_eager(Assignment.task).selectinload(Task.assignments).joinedload(Assignment.agency),
            joinedload(Assignment.agency),
        )
        .one_or_none()
    )


# --- parsing query-string values: a bad value is ignored, never a 500 --------------------------------


def _int_or_none(value: str | None) -> int | None:
    try:
        return int(value) if value not in (None, "") else None
    except (TypeError, ValueError):
        return None


def _enum_or_none(enum_cls: type, value: str | None):  # type: ignore[no-untyped-def]
    try:
        return enum_cls(value) if value else None
    except ValueError:
        return None


def unreadable_dates(args: Any, names: tuple[str, ...]) -> dict[str, list[str]]:
    """{name: [message]} for each of these arguments typed but not readable as a day."""
    message = _("Ngày không hợp lệ; hãy nhập theo dạng dd/mm/yyyy.")
    return {
        name: [message]
        for name in names
        if (args.get(name) or "").strip() and parse_date_or_none(args.get(name)) is None
    }


def _handler_or_none(value: str | None) -> str | None:
    value = (value or "").strip()
    if value in (MINE, UNHANDLED) or (value.isdigit() and 0 < int(value) < 2**31):
        return value
    return None


def _date_or_none(value: str | None) -> date | None:
    return parse_date_or_none(value) if value else None
