"""Finding assignments: the list a user may see, filtered, each with its timeliness computed in SQL.

Plain functions returning SQL, shared by the API and the web UI; scoped by `visible_assignments`.
The timeliness filter and the timeliness shown are the same SQL expression, so they always agree.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from datetime import date
from functools import lru_cache
from typing import Any

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm import contains_eager, defer, joinedload

from coordination.agencies.lookup import agency_id_by_code
from coordination.agencies.models import Agency
from coordination.api.pagination import paged
from coordination.assignments.models import Assignment, AssignmentHandler, ExtensionRequest, ProgressUpdate
from coordination.assignments.states import CLOSED_VALUES, Status, Timeliness, timeliness_prefilter_sql
from coordination.audit import AuditEvent
from coordination.auth.models import User
from coordination.db import prepared, today
from coordination.directives.models import Directive, Task
from coordination.errors import Invalid
from coordination.evidence.models import Evidence
from coordination.extensions import db
from coordination.permissions import Permission, can, visible_assignments, visible_directives, visible_own_work
from coordination.workdays.calendar import due_soon_limit

#: the filters `assignment_query` understands
FILTERS = ("agency", "directive", "status", "open", "timeliness", "due_before", "due_after", "handler")


def timeliness_column(day: date | None = None) -> sa.ColumnElement:
    """An assignment's timeliness as of `day` (today in Asia/Ho_Chi_Minh), in SQL."""
    day = day or today()
    return _timeliness_case(day, due_soon_limit(day))


def timeliness_is(wanted: Timeliness | str, day: date | None = None) -> sa.ColumnElement[bool]:
    """Assignments of one timeliness as of `day`: the CASE, plus the prefilter an index can serve."""
    day = day or today()
    return _timeliness_clause(Timeliness(wanted), day, due_soon_limit(day))


# SQL expressions are immutable, so one built per (day, due-soon limit) serves every request and thread of
# that day: building the CASE (37 comparisons) took ~2 ms of every list request (make bench). The limit is
# in the key, so a change of the working-day calendar gives a new expression.
@lru_cache(maxsize=64)
def _timeliness_case(day: date, last_due_soon: date) -> sa.ColumnElement:
    return Assignment.timeliness_on(day, last_due_soon)


@lru_cache(maxsize=256)
def _timeliness_clause(wanted: Timeliness, day: date, last_due_soon: date) -> sa.ColumnElement[bool]:
    return sa.and_(
        timeliness_prefilter_sql(wanted, Assignment.status, Assignment.deadline, day, last_due_soon),
        _timeliness_case(day, last_due_soon) == wanted.value,
    )


def assignment_query(
    user: User | None, filters: Mapping[str, Any] | None = None, *, day: date | None = None
) -> sa.Select:
    """Rows of (Assignment, timeliness) that `user` may see, with task, directive and agency loaded.

    `filters` (each optional): agency (a code), directive (an id), status (Status), open (bool: True
    for work not done or cancelled), timeliness (Timeliness), due_before / due_after (dates,
    inclusive). An unknown agency code, or a directive the user cannot see, raises Invalid naming
    the filter.
    """
    query = (
        sa.select(Assignment, timeliness_column(day).label("timeliness"))
        .join(Assignment.task)
        .join(Task.directive)
        .options(
            # the directive's search index, original text and legal basis are most of its row (2.4 kB) and
            # no list shows them
            contains_eager(Assignment.task)
            .contains_eager(Task.directive)
            .options(defer(Directive.search_text), defer(Directive.source_text), defer(Directive.legal_basis)),
            joinedload(Assignment.agency),
        )
    )
    return _scoped(query, user, filters or {}, day).order_by(Assignment.id)


#: what `GET /api/v1/assignments` shows of each row (AssignmentSchema), as plain columns
LIST_COLUMNS = (
    Assignment.id,
    Directive.id.label("directive_id"),
    Directive.ref.label("directive_ref"),
    Task.id.label("task_id"),
    Task.label.label("task_label"),
    Agency.id.label("agency_id"),
    Agency.code.label("agency_code"),
    Agency.name_vi.label("agency_name_vi"),
    Agency.name_en.label("agency_name_en"),
    Agency.short_name.label("agency_short_name"),
    Assignment.role,
    Assignment.status,
    Assignment.deadline,
    Assignment.reported_done_on,
    Assignment.completed_on,
    Assignment.progress_percent,
    Assignment.version,
)


def assignment_list_query(
    user: User | None, filters: Mapping[str, Any] | None = None, *, day: date | None = None
) -> sa.Select:
    """The rows of `assignment_query`, as the columns of LIST_COLUMNS plus `timeliness` (no ORM objects).

    The API list sends only these; loading four ORM objects per row cost more than the query (make bench).
    """
    filters = filters or {}
    return _narrowed(_list_columns(day), user, filters, day, _checked_agency(user, filters)).order_by(Assignment.id)


def _list_columns(day: date | None) -> sa.Select:
    return (
        sa.select(*LIST_COLUMNS, timeliness_column(day).label("timeliness"))
        .select_from(Assignment)
        .join(Task, Task.id == Assignment.task_id)
        .join(Directive, Directive.id == Assignment.directive_id)
        .join(Agency, Agency.id == Assignment.agency_id)
    )


class _Kept:
    """Statements built once per key (what they depend on) and kept for the next request; emptied when full.

    Building a statement and its SQLAlchemy cache key took ~1 ms of each list request's ~5 ms in Python, and
    ~0.7 ms of one assignment's (make bench, py-spy); a kept statement object reuses its memoized cache key.
    """

    def __init__(self, limit: int = 2048) -> None:
        self._statements: dict[tuple, Any] = {}
        self._limit = limit

    def get(self, key: tuple, build: Callable[[], Any]) -> Any:
        statement = self._statements.get(key)
        if statement is None:
            if len(self._statements) >= self._limit:
                self._statements.clear()
            statement = self._statements[key] = build()
        return statement


def _viewer(user: User | None) -> tuple | None:
    """What the visibility clauses read of a user: a kept statement's key includes it."""
    return None if user is None else (user.id, user.role, user.agency_id, bool(user.active))


_LIST_PAGES = _Kept()


def assignment_list_page(
    user: User | None, filters: Mapping[str, Any] | None = None, *, day: date | None = None
) -> sa.Select:
    """`assignment_list_query` shaped as any of its pages (`api.pagination.paged`), kept for the next request.

    It depends on what the visibility clauses read of the user (`_viewer`), the filters, the day and the day's
    due-soon limit; the filters that read the database (an agency code, a directive's visibility) are checked
    on every request, before the statement is looked up.
    """
    filters = filters or {}
    day = day or today()
    agency_id = _checked_agency(user, filters)
    shown = tuple(sorted((name, value) for name, value in filters.items() if name != "agency" and value is not None))
    return _LIST_PAGES.get(
        (_viewer(user), agency_id, shown, day, due_soon_limit(day)),
        lambda: paged(_narrowed(_list_columns(day), user, filters, day, agency_id), Assignment.id),
    )


def _checked_agency(user: User | None, filters: Mapping[str, Any]) -> int | None:
    """The id of the `agency` filter's code; a `directive` filter the user may not see refused (Invalid)."""
    if filters.get("directive") is not None:
        directive_id = filters["directive"]
        seen = db.session.scalar(sa.select(Directive.id).where(Directive.id == directive_id, visible_directives(user)))
        if seen is None:
            # The same answer for a directive that does not exist and one the user may not see.
            raise Invalid(
                _("Không tìm thấy văn bản số %(id)s.", id=directive_id),
                errors={"directive": [_("Không có văn bản này, hoặc bạn không được xem.")]},
            )
    code = filters.get("agency")
    if not code:
        return None
    # An officer's own agency, loaded with the API token's user (never loaded here for this): no lookup of the code.
    if user is not None and "agency" not in sa.inspect(user).unloaded and user.agency and user.agency.code == code:
        return user.agency.id
    return agency_id_by_code(code)


def _scoped(query: sa.Select, user: User | None, filters: Mapping[str, Any], day: date | None) -> sa.Select:
    """`query` (over assignment, task and directive) narrowed to what `user` may see and to `filters`."""
    return _narrowed(query, user, filters, day, _checked_agency(user, filters))


def _narrowed(
    query: sa.Select, user: User | None, filters: Mapping[str, Any], day: date | None, agency_id: int | None
) -> sa.Select:
    """`_scoped` once the filters that read the database are checked: SQL only, from its arguments alone."""
    if agency_id is not None and user is not None and agency_id == user.agency_id:
        # An agency's own work: visibility without the per-directive EXISTS (same rows, a test proves it);
        # planning the EXISTS alone cost ~2.7 ms of an officer's list request (make bench).
        query = query.where(visible_own_work(user))
    else:
        query = query.where(visible_assignments(user))
    if agency_id is not None:
        query = query.where(Assignment.agency_id == agency_id)
    if filters.get("directive") is not None:
        query = query.where(Assignment.directive_id == filters["directive"])
    if filters.get("status") is not None:
        query = query.where(Assignment.status == Status(filters["status"]))
    if filters.get("open") is not None:
        closed = Assignment.status.in_(CLOSED_VALUES)
        query = query.where(sa.not_(closed) if filters["open"] else closed)
    if filters.get("timeliness") is not None:
        query = query.where(timeliness_is(filters["timeliness"], day))
    if filters.get("due_before") is not None:
        query = query.where(Assignment.deadline <= filters["due_before"])
    if filters.get("due_after") is not None:
        query = query.where(Assignment.deadline >= filters["due_after"])
    if filters.get("handler") == "me":
        query = query.where(handled_by(user.id if user is not None else None))
    return query


def handled_by(user_id: int | None) -> sa.ColumnElement[bool]:
    """A WHERE clause on Assignment: the work `user_id` handles now (ix_assignment_handler_user_current)."""
    return Assignment.id.in_(
        sa.select(AssignmentHandler.assignment_id).where(
            AssignmentHandler.user_id == user_id, AssignmentHandler.ended_at.is_(None)
        )
    )


@dataclass(frozen=True, slots=True)
class Listed:
    """An assignment as a list shows it: with the timeliness its query computed."""

    assignment: Assignment
    timeliness: Timeliness | None
    #: which of "evidence", "extension_requests", "handlers" exist; None when not looked for
    parts: frozenset[str] | None = None

    @classmethod
    def of(cls, row: Any) -> Listed:
        assignment, timeliness = row
        return cls(assignment, Timeliness(timeliness) if timeliness is not None else None)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.assignment, name)


def get_assignment(user: User | None, assignment_id: int, *, record_parts: bool = False) -> Listed | None:
    """One assignment that `user` may see, with its timeliness; None if missing or not visible.

    `record_parts`: also tell which parts of its record exist (`Listed.parts`), so that `with_record` reads
    only those: most assignments have no file, extension request or handler, and each query costs ~2 ms.
    """
    day = today()
    statement = _ONE_ASSIGNMENT.get(
        (_viewer(user), record_parts, day, due_soon_limit(day)), lambda: _one(user, day, record_parts)
    )
    row = db.session.execute(statement, {"assignment_id": assignment_id}).one_or_none()
    if row is None:
        return None
    listed = Listed.of(row[:2])
    if not record_parts:
        return listed
    return replace(listed, parts=frozenset(k for k, v in row._mapping.items() if k in _RECORD_PARTS and v))


#: the assignment one assignment's statements are about: a parameter, so that one statement serves every assignment
_ASSIGNMENT_ID = sa.bindparam("assignment_id", type_=sa.Integer)
_ONE_ASSIGNMENT = _Kept()


def _one(user: User | None, day: date, record_parts: bool) -> sa.Select:
    query = assignment_query(user, day=day).where(Assignment.id == _ASSIGNMENT_ID)
    if record_parts:
        query = query.add_columns(*(sa.exists().where(*where).label(name) for name, where in _RECORD_PARTS.items()))
    return prepared(query)


#: the parts of an assignment's record that `get_assignment(record_parts=True)` looks for
_RECORD_PARTS = {
    "evidence": (Evidence.assignment_id == Assignment.id,),
    "extension_requests": (ExtensionRequest.assignment_id == Assignment.id,),
    "handlers": (AssignmentHandler.assignment_id == Assignment.id, AssignmentHandler.ended_at.is_(None)),
}


@dataclass(frozen=True, slots=True)
class Recorded:
    """An assignment with its record (notes, files, extension requests, handlers), each None when not to be shown."""

    listed: Listed
    updates: list[Any] | None
    evidence: list[Any] | None
    extension_requests: list[Any] | None
    handlers: list[Any] | None = None
    #: older notes than `updates` exist (only the newest RECORD_UPDATES are read; the history has them all)
    more_updates: bool | None = False

    def __getattr__(self, name: str) -> Any:
        return getattr(self.listed, name)


def with_record(user: User | None, listed: Listed) -> Recorded:
    """The assignment's private record if `user` may see it (the owning agency, monitor, office), else Nones."""
    assignment = listed.assignment
    if not can(user, Permission.assignment_view_private, assignment):
        return Recorded(listed, None, None, None, None, None)
    key = {"assignment_id": assignment.id}
    updates = db.session.scalars(_UPDATES, key).all()
    more_updates = len(updates) > RECORD_UPDATES
    evidence = db.session.scalars(_EVIDENCE, key).all() if _may_have(listed, "evidence") else []
    requests = db.session.scalars(_EXTENSION_REQUESTS, key).all() if _may_have(listed, "extension_requests") else []
    handlers = current_handlers(assignment) if _may_have(listed, "handlers") else []
    return Recorded(listed, list(updates[:RECORD_UPDATES]), list(evidence), list(requests), handlers, more_updates)


def latest_return(assignment: Assignment) -> ProgressUpdate | None:
    """The newest note that returned the work (its reason), wherever it is in the notes; None if none did."""
    return db.session.scalars(
        _NOTES_NEWEST_FIRST.where(
            ProgressUpdate.assignment_id == assignment.id, ProgressUpdate.status_to == Status.returned
        ).limit(1)
    ).first()


#: how many progress notes an assignment's page and GET /api/v1/assignments/{id} carry, newest first: a task
#: reported on daily gathers hundreds, and every read and every save's read paid for all of them (make bench);
#: its history (paged, GET .../history) keeps every note
RECORD_UPDATES = 20

#: the notes as the record lists them, with their authors (`latest_return` finds one in the same order)
_NOTES_NEWEST_FIRST = (
    sa.select(ProgressUpdate)
    .options(joinedload(ProgressUpdate.author))
    .order_by(ProgressUpdate.created_at.desc(), ProgressUpdate.id.desc())
)

# An assignment's record, by its key: built once, prepared once per connection (db.prepared).
_UPDATES = prepared(
    _NOTES_NEWEST_FIRST.where(ProgressUpdate.assignment_id == _ASSIGNMENT_ID).limit(
        RECORD_UPDATES + 1  # one more: are there older ones?
    )
)
_EVIDENCE = prepared(
    # withdrawn files stay listed, marked: the trail shows them
    sa.select(Evidence)
    .where(Evidence.assignment_id == _ASSIGNMENT_ID)
    .options(joinedload(Evidence.uploaded_by))
    .order_by(Evidence.uploaded_at, Evidence.id)
)
_EXTENSION_REQUESTS = prepared(
    sa.select(ExtensionRequest)
    .where(ExtensionRequest.assignment_id == _ASSIGNMENT_ID)
    .options(joinedload(ExtensionRequest.requested_by), joinedload(ExtensionRequest.decided_by))
    .order_by(ExtensionRequest.requested_at.desc(), ExtensionRequest.id.desc())
)
_HANDLERS = prepared(
    sa.select(AssignmentHandler)
    .where(AssignmentHandler.assignment_id == _ASSIGNMENT_ID, AssignmentHandler.ended_at.is_(None))
    .options(joinedload(AssignmentHandler.user), joinedload(AssignmentHandler.assigned_by))
    .order_by(AssignmentHandler.id)
)


def _may_have(listed: Listed, part: str) -> bool:
    return listed.parts is None or part in listed.parts


def current_handlers(assignment: Assignment) -> list[AssignmentHandler]:
    """Who handles the assignment inside its agency now, with the users who named them (one query)."""
    return list(db.session.scalars(_HANDLERS, {"assignment_id": assignment.id}))


def history_query(assignment: Assignment) -> sa.Select:
    """The audit events of one assignment (its status, progress, deadline, evidence, extensions), actors loaded."""
    return prepared(
        sa.select(AuditEvent)
        .where(AuditEvent.assignment_id == assignment.id)
        .options(joinedload(AuditEvent.actor))
        .order_by(AuditEvent.id.desc())
    )


def through_visible_assignment(model: type, object_id: int, user: User | None) -> Any:
    """The row of `model` (evidence, an extension request...) if `user` may see its assignment, else None."""
    return db.session.scalar(
        sa.select(model)
        .join(model.assignment)
        .join(Assignment.task)
        .join(Task.directive)
        .where(model.id == object_id, visible_assignments(user))
    )
