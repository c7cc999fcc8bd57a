"""Compliance reports: which work is done on time, done late, open in time or overdue, as of any day.

Query functions here return rows (dataclasses); the renderers (HTML, PDF, xlsx, CSV, JSON) only
format them. A report is built from a handful of bulk queries per batch of directives, never one
query per row, and a past day's report is rebuilt from the audit history (see `asof`).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import joinedload, selectinload

from coordination.agencies.models import Agency, AgencyKind
from coordination.assignments.models import Assignment, AssignmentRole, ProgressUpdate
from coordination.assignments.states import Status, Timeliness, timeliness
from coordination.audit import AuditEvent
from coordination.auth.models import User
from coordination.db import today as local_today
from coordination.directives.labels import DOC_TYPE_LABELS
from coordination.directives.models import Directive, DirectiveStatus, Task
from coordination.errors import Conflict, Forbidden, NotFound
from coordination.evidence.models import Evidence
from coordination.extensions import db
from coordination.indicators.models import Indicator
from coordination.indicators.trajectory import Rating, chart_svg, compute
from coordination.permissions import (
    Permission,
    can,
    dashboard_scope,
    reports_in_own_name,
    reports_to_issuers,
    visible_directives,
)
from coordination.reminders.models import ExplanationRequest
from coordination.reports.asof import (
    AssignmentState,
    HistoryEvent,
    end_of_day,
    first_deadline_before_extension,
    rebuild,
)
from coordination.text import fold

#: directives per batch of bulk queries: bounds memory per batch and the size of IN lists
BATCH_DIRECTIVES = 200

#: the four counts the Government Office publishes per agency, then "not started" (a part of the open ones)
SUMMARY_KEYS = ("done_on_time", "done_late", "open_on_time", "open_overdue", "not_started")
SUMMARY_LABELS = {
    "done_on_time": _l("Hoàn thành đúng hạn"),
    "done_late": _l("Hoàn thành quá hạn"),
    "open_on_time": _l("Chưa hoàn thành, còn trong hạn"),
    "open_overdue": _l("Chưa hoàn thành, quá hạn"),
    "not_started": _l("Trong đó: chưa thực hiện"),
}
_BUCKET = {
    Timeliness.done_on_time: "done_on_time",
    Timeliness.done_late: "done_late",
    Timeliness.overdue: "open_overdue",
    Timeliness.on_time: "open_on_time",
    Timeliness.due_soon: "open_on_time",
    Timeliness.no_deadline: "open_on_time",
}
RATING_LABELS = {
    Rating.green: _l("Đạt tiến độ"),
    Rating.amber: _l("Chậm so với kế hoạch, dự kiến kịp hạn"),
    Rating.red: _l("Không kịp thời hạn"),
}
EMPTY_MESSAGE = _l("Không có nhiệm vụ nào trong phạm vi báo cáo.")


# --- who may report on what -------------------------------------------------------------------------


def may_report(user: User | None) -> bool:
    """Admin, the office (its issuer's directives) and a monitor (those it monitors); None is the CLI."""
    return user is None or can(user, Permission.report_view)


def require_reporter(user: User | None) -> None:
    if not may_report(user):
        raise Forbidden(_("Chỉ Văn phòng UBND, cơ quan theo dõi và quản trị viên được lập báo cáo."))


def reportable_clause(user: User | None) -> sa.ColumnElement[bool]:
    """The directives `user` reports on: published, and issued by its office or monitored by its agency."""
    if user is None:
        return Directive.status != DirectiveStatus.draft
    require_reporter(user)
    return dashboard_scope(user)


def directive_for_report(user: User | None, directive_id: int) -> Directive:
    """The directive; NotFound when missing or hidden from the user, Forbidden when seen but not theirs to report."""
    directive = db.session.get(Directive, directive_id)
    if directive is None or (user is not None and not _visible(user, directive_id)):
        raise NotFound(
            _("Không tìm thấy văn bản số %(id)s.", id=directive_id),
            errors={"directive": [_("Không có văn bản này, hoặc bạn không được xem.")]},
        )
    if directive.status == DirectiveStatus.draft:
        raise Conflict(
            _("Văn bản %(ref)s còn là bản nháp: chưa có gì để báo cáo.", ref=directive.ref),
            errors={"directive": [_("Văn bản chưa ban hành.")]},
        )
    allowed = db.session.scalar(sa.select(sa.exists().where(Directive.id == directive_id, reportable_clause(user))))
    if not allowed:
        raise Forbidden(
            _("Bạn không lập báo cáo được cho văn bản %(ref)s.", ref=directive.ref),
            errors={"directive": [_("Văn bản không thuộc phạm vi theo dõi của bạn.")]},
        )
    return directive


def directive_by_ref(ref: str) -> list[Directive]:
    """Directives numbered `ref` ("2157/UBND-KSTT"); the number is unique per issuer only."""
    return list(db.session.scalars(sa.select(Directive).where(Directive.ref == ref.strip()).order_by(Directive.id)))


def _visible(user: User, directive_id: int) -> bool:
    return bool(db.session.scalar(sa.select(sa.exists().where(Directive.id == directive_id, visible_directives(user)))))


def agency_for_report(code: str) -> Agency:
    agency = db.session.scalar(sa.select(Agency).where(Agency.code == code.strip()))
    if agency is None:
        raise NotFound(
            _("Không có cơ quan mã %(code)s.", code=code), errors={"agency": [_("Mã cơ quan không tồn tại.")]}
        )
    return agency


def resolve_scope(
    user: User | None,
    *,
    directive: Directive | None = None,
    agency_code: str | None = None,
    issued_from: date | None = None,
    issued_to: date | None = None,
    statuses: list[str] | None = None,
    timeliness: list[str] | None = None,
    role: str = "all",
) -> ReportScope:
    """A report's scope from what a request or a command names; NotFound for an unknown agency."""
    require_reporter(user)
    return ReportScope(
        directive=directive,
        agency=agency_for_report(agency_code) if agency_code else None,
        issued_from=issued_from,
        issued_to=issued_to,
        statuses=frozenset(str(getattr(s, "value", s)) for s in statuses or []),
        timeliness=frozenset(str(getattr(t, "value", t)) for t in timeliness or []),
        role=role,
    )


# --- what a report holds -----------------------------------------------------------------------------


@dataclass(frozen=True)
class ReportScope:
    """What to report on: a directive, an agency, directives issued in a period (or all), and filters."""

    directive: Directive | None = None
    agency: Agency | None = None
    issued_from: date | None = None
    issued_to: date | None = None
    statuses: frozenset[str] = frozenset()
    timeliness: frozenset[str] = frozenset()
    #: "lead": only the lead agencies' assignments; "all": coordinating ones too
    role: str = "all"

    @property
    def kind(self) -> str:
        if self.directive is not None:
            return "directive"
        if self.agency is not None:
            return "agency"
        if self.issued_from is not None or self.issued_to is not None:
            return "period"
        return "all"


def _percent(part: int, whole: int) -> float | None:
    """One decimal, half up, as the Government Office prints shares (73,3%)."""
    if not whole:
        return None
    return float((Decimal(100 * part) / Decimal(whole)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))


@dataclass
class Counts:
    """Assignments by outcome; cancelled work counts in none of them."""

    assignments: int = 0
    done_on_time: int = 0
    done_late: int = 0
    open_on_time: int = 0
    open_overdue: int = 0
    not_started: int = 0
    cancelled: int = 0
    tasks: int = 0

    def add(self, row: AssignmentRow) -> None:
        if row.timeliness is None:
            self.cancelled += 1
            return
        self.assignments += 1
        setattr(self, _BUCKET[Timeliness(row.timeliness)], getattr(self, _BUCKET[Timeliness(row.timeliness)]) + 1)
        if row.status == Status.not_started:
            self.not_started += 1

    def percent(self, key: str) -> float | None:
        return _percent(getattr(self, key), self.assignments)

    def as_dict(self) -> dict:
        return {
            "tasks": self.tasks,
            "assignments": self.assignments,
            **{key: getattr(self, key) for key in SUMMARY_KEYS},
            "cancelled": self.cancelled,
            "percent": {key: self.percent(key) for key in SUMMARY_KEYS},
        }


@dataclass
class AssignmentRow:
    id: int
    agency_id: int
    agency_code: str
    agency_name: str
    role: str
    status: str
    timeliness: str | None
    deadline: date | None
    #: the deadline before the first approved extension, when there was one
    original_deadline: date | None
    reported_done_on: date | None
    completed_on: date | None
    progress_percent: int | None
    days_late: int
    #: the latest progress note (a monitor's bare acceptance note left out: the status says it)
    result: str
    evidence_count: int
    explanations_sent: int = 0
    explanations_unanswered: int = 0

    @property
    def overdue(self) -> bool:
        return self.timeliness == Timeliness.overdue

    @property
    def is_lead(self) -> bool:
        return self.role == AssignmentRole.lead


@dataclass
class TaskRow:
    id: int
    directive_id: int
    label: str
    #: "2 -" for a dash under task 2: what a reader quotes
    display_label: str
    position: int
    parent_id: int | None
    parent_label: str | None
    text: str
    deadline: date | None
    depth: int
    #: running number in the report: 1, 2, 2.1 ...
    stt: str = ""
    assignments: list[AssignmentRow] = field(default_factory=list)
    #: shown only to place its sub-items: none of its own work is in the scope
    context_only: bool = False

    @property
    def leads(self) -> list[str]:
        return list(dict.fromkeys(a.agency_name for a in self.assignments if a.is_lead))

    @property
    def coordinators(self) -> list[str]:
        return list(dict.fromkeys(a.agency_name for a in self.assignments if not a.is_lead))

    @property
    def overdue(self) -> bool:
        return any(a.overdue for a in self.assignments)


@dataclass
class DirectiveInfo:
    id: int
    ref: str
    doc_type: str
    doc_type_label: str
    issued_on: date
    subject: str
    place: str | None
    issuer_id: int
    issuer_name: str
    issuer_short: str
    monitor_agency_id: int | None
    report_to_name: str | None
    signer_name: str | None
    signer_title: str | None
    signer_authority: str | None
    symbol: str

    @property
    def heading(self) -> str:
        """ "Công văn số 2157/UBND-KSTT ngày 14/8/2022 của UBND tỉnh Tây Ninh" """
        return _(
            "%(type)s số %(ref)s ngày %(day)s của %(issuer)s",
            type=self.doc_type_label,
            ref=self.ref,
            day=short_date(self.issued_on),
            issuer=self.issuer_short,
        )


@dataclass
class DirectiveBlock:
    directive: DirectiveInfo
    tasks: list[TaskRow]


@dataclass
class AgencySummary:
    agency_id: int
    code: str
    name: str
    counts: Counts = field(default_factory=Counts)
    explanations_sent: int = 0
    explanations_unanswered: int = 0


@dataclass
class IndicatorRow:
    id: int
    directive_ref: str
    name: str
    unit: str
    target: float
    actual: float | None
    actual_on: date | None
    planned: float | None
    percent: float | None
    rating: str
    rating_label: str
    deadline: date | None
    per_day: bool
    chart: str


@dataclass
class ReportHeader:
    """The parts of an administrative document (Nghị định 30/2020/NĐ-CP) around the tables."""

    superior_name: str | None
    body_name: str | None
    number_line: str
    place: str | None
    dated: date
    title: str
    subtitle: str
    subject: str | None
    notes: list[str]
    recipients: list[str]
    signer_authority: list[str]
    signer_title: str | None
    signer_name: str | None

    @property
    def place_and_date(self) -> str:
        return _("%(place)s, ngày %(d)s tháng %(m)s năm %(y)s", place=self.place or "……", **_dmy(self.dated))


@dataclass
class ComplianceReport:
    scope: ReportScope
    as_of: date
    header: ReportHeader
    summary: Counts
    agencies: list[AgencySummary]
    blocks: list[DirectiveBlock]
    indicators: list[IndicatorRow]

    @property
    def empty(self) -> bool:
        return not any(task.assignments for block in self.blocks for task in block.tasks)

    @property
    def tasks(self) -> list[TaskRow]:
        return [task for block in self.blocks for task in block.tasks]

    @property
    def several_directives(self) -> bool:
        return len(self.blocks) > 1 or self.scope.kind != "directive"

    @property
    def per_agency(self) -> bool:
        return len(self.agencies) > 1


def short_date(day: date) -> str:
    """14/8/2022: how a directive is cited in running text."""
    return f"{day.day}/{day.month}/{day.year}"


def _dmy(day: date) -> dict[str, str]:
    # Nghị định 30: a day below 10 and the months 1 and 2 take a leading zero.
    return {
        "d": f"{day.day:02d}",
        "m": f"{day.month:02d}" if day.month < 3 else str(day.month),
        "y": str(day.year),
    }


# --- building ----------------------------------------------------------------------------------------


def _existed_clause(cutoff: datetime, day: date) -> sa.ColumnElement[bool]:
    """Directives in force at `cutoff`: activated before it, or with history back-filled from the day issued."""
    backfilled = (
        sa.select(AuditEvent.id)
        .where(
            AuditEvent.directive_id == Directive.id,
            AuditEvent.assignment_id.is_not(None),
            AuditEvent.occurred_at < Directive.activated_at,
        )
        .exists()
    )
    return sa.or_(
        Directive.activated_at.is_(None),
        Directive.activated_at < cutoff,
        sa.and_(Directive.issued_on <= day, backfilled),
    )


def directive_select(user: User | None, scope: ReportScope, day: date) -> sa.Select:
    """The ids of the directives in the report, in order of issue."""
    cutoff = end_of_day(day)
    query = sa.select(Directive.id).where(
        reportable_clause(user), Directive.status != DirectiveStatus.draft, _existed_clause(cutoff, day)
    )
    if scope.directive is not None:
        query = query.where(Directive.id == scope.directive.id)
    if scope.issued_from is not None:
        query = query.where(Directive.issued_on >= scope.issued_from)
    if scope.issued_to is not None:
        query = query.where(Directive.issued_on <= scope.issued_to)
    if scope.agency is not None:
        work = (
            sa.select(Assignment.id)
            .join(Task, Task.id == Assignment.task_id)
            .where(Task.directive_id == Directive.id, _agency_prefilter(scope.agency.id, cutoff))
            .exists()
        )
        query = query.where(work)
    return query.order_by(Directive.issued_on, Directive.id)


def _agency_prefilter(agency_id: int, cutoff: datetime) -> sa.ColumnElement[bool]:
    """The agency's assignments now, and those moved away from some agency after the day (checked after rebuild)."""
    # Read the (usually empty) list first: an OR with a subquery keeps PostgreSQL off the agency index,
    # and make bench measured every batch scanning the whole assignment table because of it.
    moved_later = list(
        db.session.scalars(
            sa.select(AuditEvent.assignment_id).where(
                AuditEvent.action == "assignment.reassign", AuditEvent.occurred_at >= cutoff
            )
        )
    )
    if not moved_later:
        return Assignment.agency_id == agency_id
    return sa.or_(Assignment.agency_id == agency_id, Assignment.id.in_(moved_later))


def _assignment_clause(scope: ReportScope, cutoff: datetime) -> sa.ColumnElement[bool]:
    clauses: list[sa.ColumnElement[bool]] = []
    if scope.role == "lead":
        clauses.append(Assignment.role == AssignmentRole.lead)
    if scope.agency is not None:
        clauses.append(_agency_prefilter(scope.agency.id, cutoff))
    return sa.and_(sa.true(), *clauses)


def iter_blocks(user: User | None, scope: ReportScope, day: date) -> Iterator[DirectiveBlock]:
    """The report's directives with their tasks and rows as of `day`, a batch of directives at a time."""
    cutoff = end_of_day(day)
    ids = list(db.session.scalars(directive_select(user, scope, day)))
    agencies = {
        a.id: a for a in db.session.execute(sa.select(Agency.id, Agency.code, Agency.name_vi, Agency.short_name))
    }
    agency_ids = {a.code: a.id for a in agencies.values()}
    for start in range(0, len(ids), BATCH_DIRECTIVES):
        batch = ids[start : start + BATCH_DIRECTIVES]
        yield from _blocks_of(batch, scope, day, cutoff, agencies, agency_ids)


def _blocks_of(
    batch: list[int],
    scope: ReportScope,
    day: date,
    cutoff: datetime,
    agencies: dict[int, sa.Row],
    agency_ids: dict[str, int],
) -> Iterator[DirectiveBlock]:
    due_soon_days = int(current_app.config["DUE_SOON_DAYS"])
    directives = db.session.scalars(
        sa.select(Directive)
        .where(Directive.id.in_(batch))
        .options(
            joinedload(Directive.issuer), joinedload(Directive.report_to_agency), joinedload(Directive.monitor_agency)
        )
    ).all()
    by_id = {d.id: d for d in directives}
    tasks = db.session.execute(
        sa.select(Task.id, Task.directive_id, Task.label, Task.position, Task.parent_id, Task.text, Task.deadline)
        .where(Task.directive_id.in_(batch))
        .order_by(Task.directive_id, Task.position)
    ).all()
    in_batch = sa.and_(Task.directive_id.in_(batch), _assignment_clause(scope, cutoff))
    existed = sa.or_(
        Assignment.created_at < cutoff,
        # Created with the directive, before it was published: it exists since the directive does.
        Assignment.created_at <= Directive.activated_at,
        sa.select(AuditEvent.id)
        .where(AuditEvent.assignment_id == Assignment.id, AuditEvent.occurred_at < cutoff)
        .exists(),
    )
    assignments = db.session.execute(
        sa.select(
            Assignment.id,
            Assignment.task_id,
            Assignment.agency_id,
            Assignment.role,
            Assignment.status,
            Assignment.progress_percent,
            Assignment.deadline,
            Assignment.reported_done_on,
            Assignment.completed_on,
        )
        .join(Task, Task.id == Assignment.task_id)
        .join(Directive, Directive.id == Task.directive_id)
        .where(in_batch, existed)
        .order_by(Assignment.task_id, Assignment.id)
    ).all()
    events: dict[int, list[HistoryEvent]] = {}
    for row in db.session.execute(
        sa.select(
            AuditEvent.assignment_id,
            AuditEvent.occurred_at,
            AuditEvent.id,
            AuditEvent.action,
            AuditEvent.entity_type,
            AuditEvent.before,
        ).where(
            AuditEvent.directive_id.in_(batch),
            AuditEvent.assignment_id.is_not(None),
            sa.or_(AuditEvent.occurred_at >= cutoff, AuditEvent.action == "extension.approve"),
        )
    ):
        events.setdefault(row.assignment_id, []).append(
            HistoryEvent(row.occurred_at, row.id, row.action, row.entity_type, row.before)
        )
    notes = _latest_notes(in_batch, cutoff)
    evidence = _evidence_counts(in_batch, cutoff)
    explanations = _explanation_counts(in_batch, cutoff)

    rows_by_task: dict[int, list[AssignmentRow]] = {}
    for a in assignments:
        history = events.get(a.id, [])
        state = rebuild(
            AssignmentState(
                status=Status(a.status).value,
                progress_percent=a.progress_percent,
                deadline=a.deadline,
                reported_done_on=a.reported_done_on,
                completed_on=a.completed_on,
                agency_id=a.agency_id,
            ),
            history,
            cutoff,
            agency_ids,
        )
        if scope.agency is not None and state.agency_id != scope.agency.id:
            continue
        kind = timeliness(
            Status(state.status), state.deadline, state.reported_done_on, state.completed_on, day, due_soon_days
        )
        if scope.statuses and state.status not in scope.statuses:
            continue
        if scope.timeliness and (kind is None or kind.value not in scope.timeliness):
            continue
        agency = agencies[state.agency_id]
        sent, unanswered = explanations.get(a.id, (0, 0))
        rows_by_task.setdefault(a.task_id, []).append(
            AssignmentRow(
                id=a.id,
                agency_id=agency.id,
                agency_code=agency.code,
                agency_name=agency.name_vi,
                role=AssignmentRole(a.role).value,
                status=state.status,
                timeliness=kind.value if kind is not None else None,
                deadline=state.deadline,
                original_deadline=first_deadline_before_extension(history, cutoff),
                reported_done_on=state.reported_done_on,
                completed_on=state.completed_on,
                progress_percent=state.progress_percent,
                days_late=_days_late(state, day),
                result=notes.get(a.id, ""),
                evidence_count=evidence.get(a.id, 0),
                explanations_sent=sent,
                explanations_unanswered=unanswered,
            )
        )
    for row_list in rows_by_task.values():
        # Leads first, then coordinating agencies, each by name: how a report lists them.
        row_list.sort(key=lambda r: (0 if r.is_lead else 1, fold(r.agency_name), r.id))

    tasks_by_directive: dict[int, list[sa.Row]] = {}
    for task in tasks:
        tasks_by_directive.setdefault(task.directive_id, []).append(task)
    for directive_id in batch:
        directive = by_id[directive_id]
        task_rows = _task_rows(tasks_by_directive.get(directive_id, []), rows_by_task)
        if task_rows:
            yield DirectiveBlock(_directive_info(directive), task_rows)


def _latest_notes(in_batch: sa.ColumnElement[bool], cutoff: datetime) -> dict[int, str]:
    rank = (
        sa.func.row_number()
        .over(
            partition_by=ProgressUpdate.assignment_id,
            order_by=(ProgressUpdate.created_at.desc(), ProgressUpdate.id.desc()),
        )
        .label("rank")
    )
    ranked = (
        sa.select(ProgressUpdate.assignment_id, ProgressUpdate.note, rank)
        .join(Assignment, Assignment.id == ProgressUpdate.assignment_id)
        .join(Task, Task.id == Assignment.task_id)
        .where(
            in_batch,
            ProgressUpdate.created_at < cutoff,
            ProgressUpdate.note != "",
            # The monitor's acceptance note repeats the status; a return note says what is missing.
            sa.or_(ProgressUpdate.status_to.is_(None), ProgressUpdate.status_to != Status.done.value),
        )
        .subquery()
    )
    return dict(db.session.execute(sa.select(ranked.c.assignment_id, ranked.c.note).where(ranked.c.rank == 1)).all())


def _evidence_counts(in_batch: sa.ColumnElement[bool], cutoff: datetime) -> dict[int, int]:
    query = (
        sa.select(Evidence.assignment_id, sa.func.count())
        .join(Assignment, Assignment.id == Evidence.assignment_id)
        .join(Task, Task.id == Assignment.task_id)
        .where(
            in_batch,
            Evidence.uploaded_at < cutoff,
            sa.or_(Evidence.removed_at.is_(None), Evidence.removed_at >= cutoff),
        )
        .group_by(Evidence.assignment_id)
    )
    return dict(db.session.execute(query).all())


def _explanation_counts(in_batch: sa.ColumnElement[bool], cutoff: datetime) -> dict[int, tuple[int, int]]:
    unanswered = sa.case(
        (sa.or_(ExplanationRequest.answered_at.is_(None), ExplanationRequest.answered_at >= cutoff), 1), else_=0
    )
    query = (
        sa.select(ExplanationRequest.assignment_id, sa.func.count(), sa.func.sum(unanswered))
        .join(Assignment, Assignment.id == ExplanationRequest.assignment_id)
        .join(Task, Task.id == Assignment.task_id)
        .where(in_batch, ExplanationRequest.requested_at < cutoff)
        .group_by(ExplanationRequest.assignment_id)
    )
    return {assignment_id: (sent, int(open_ or 0)) for assignment_id, sent, open_ in db.session.execute(query)}


def _days_late(state: AssignmentState, day: date) -> int:
    """Days past the deadline: until `day` for open work, until reported for finished work."""
    if state.deadline is None or state.status == Status.cancelled:
        return 0
    end = state.reported_done_on or state.completed_on
    if state.status not in (Status.done, Status.reported_done) or end is None:
        end = day
    return max(0, (end - state.deadline).days)


def _task_rows(tasks: list[sa.Row], rows_by_task: dict[int, list[AssignmentRow]]) -> list[TaskRow]:
    """Tasks with work in the scope, with the parents that place them, in document order, numbered."""
    by_id = {t.id: t for t in tasks}
    shown: set[int] = set()
    for task in tasks:
        if rows_by_task.get(task.id):
            current: sa.Row | None = task
            while current is not None and current.id not in shown:
                shown.add(current.id)
                current = by_id.get(current.parent_id) if current.parent_id else None
    labels: dict[int, str] = {}
    depth: dict[int, int] = {}
    numbers: dict[int | None, int] = {}
    stt: dict[int, str] = {}
    result: list[TaskRow] = []
    for task in tasks:
        parent = by_id.get(task.parent_id) if task.parent_id else None
        labels[task.id] = (
            f"{labels[parent.id]} {task.label}" if parent and task.label in {"-", "+", "•"} else task.label
        )
        depth[task.id] = depth[parent.id] + 1 if parent else 0
        if task.id not in shown:
            continue
        numbers[task.parent_id] = numbers.get(task.parent_id, 0) + 1
        stt[task.id] = f"{stt[parent.id]}.{numbers[task.parent_id]}" if parent else str(numbers[task.parent_id])
        own = rows_by_task.get(task.id, [])
        result.append(
            TaskRow(
                id=task.id,
                directive_id=task.directive_id,
                label=task.label,
                display_label=labels[task.id],
                position=task.position,
                parent_id=task.parent_id,
                parent_label=labels[parent.id] if parent else None,
                text=task.text,
                deadline=task.deadline,
                depth=depth[task.id],
                stt=stt[task.id],
                assignments=own,
                context_only=not own,
            )
        )
    return result


def _directive_info(directive: Directive) -> DirectiveInfo:
    issuer = directive.issuer
    return DirectiveInfo(
        id=directive.id,
        ref=directive.ref,
        doc_type=directive.doc_type.value,
        doc_type_label=str(DOC_TYPE_LABELS[directive.doc_type]),
        issued_on=directive.issued_on,
        subject=directive.subject,
        place=directive.place,
        issuer_id=issuer.id,
        issuer_name=issuer.name_vi,
        issuer_short=issuer.short_name or issuer.name_vi,
        monitor_agency_id=directive.monitor_agency_id,
        report_to_name=directive.report_to_agency.name_vi if directive.report_to_agency else None,
        signer_name=directive.signer_name,
        signer_title=directive.signer_title,
        signer_authority=directive.signer_authority,
        symbol=directive.symbol,
    )


def load_indicators(user: User | None, scope: ReportScope, day: date) -> list[IndicatorRow]:
    """The targets of the directives in the report, their trajectory as of `day`, and the chart."""
    query = (
        sa.select(Indicator)
        .where(Indicator.directive_id.in_(directive_select(user, scope, day).order_by(None).scalar_subquery()))
        .options(selectinload(Indicator.measurements), joinedload(Indicator.directive))
        .order_by(Indicator.directive_id, Indicator.id)
    )
    if scope.agency is not None:
        query = query.where(Indicator.agency_id == scope.agency.id)
    rows = []
    for indicator in db.session.scalars(query):
        known = [m for m in indicator.measurements if m.measured_on <= day]
        trajectory = compute(indicator, day, measurements=known)
        rows.append(
            IndicatorRow(
                id=indicator.id,
                directive_ref=indicator.directive.ref,
                name=indicator.name,
                unit=indicator.unit,
                target=trajectory.target,
                actual=trajectory.actual,
                actual_on=trajectory.actual_on,
                planned=trajectory.planned,
                percent=trajectory.percent,
                rating=trajectory.rating.value,
                rating_label=str(RATING_LABELS[trajectory.rating]),
                deadline=indicator.deadline,
                per_day=indicator.daily_rate is not None,
                chart=chart_svg(indicator, trajectory),
            )
        )
    return rows


def build_report(user: User | None, scope: ReportScope, *, as_of: date | None = None) -> ComplianceReport:
    """The whole report for `user` (None: the CLI, every published directive), as of the end of `as_of`."""
    day = as_of or local_today()
    summary = Counts()
    per_agency: dict[int, AgencySummary] = {}
    agency_tasks: dict[int, set[int]] = {}
    blocks = []
    for block in iter_blocks(user, scope, day):
        blocks.append(block)
        for task in block.tasks:
            if any(row.timeliness is not None for row in task.assignments):
                summary.tasks += 1
            for row in task.assignments:
                summary.add(row)
                line = per_agency.setdefault(
                    row.agency_id, AgencySummary(row.agency_id, row.agency_code, row.agency_name)
                )
                line.counts.add(row)
                if row.timeliness is not None:
                    agency_tasks.setdefault(row.agency_id, set()).add(task.id)
                line.explanations_sent += row.explanations_sent
                line.explanations_unanswered += row.explanations_unanswered
    for agency_id, line in per_agency.items():
        line.counts.tasks = len(agency_tasks.get(agency_id, ()))
    agencies = sorted(per_agency.values(), key=lambda a: (fold(a.name), a.code))
    return ComplianceReport(
        scope=scope,
        as_of=day,
        header=make_header(user, scope, day, [b.directive for b in blocks]),
        summary=summary,
        agencies=agencies,
        blocks=blocks,
        indicators=load_indicators(user, scope, day),
    )


# --- the document around the tables ------------------------------------------------------------------


def _body(user: User | None, scope: ReportScope, directives: list[DirectiveInfo]) -> Agency | None:
    """The agency that issues the report: the reporter's own, else the directives' one issuer."""
    if reports_in_own_name(user) and user is not None:
        return user.agency
    if scope.directive is not None:
        return scope.directive.issuer
    issuers = {d.issuer_id for d in directives}
    if len(issuers) == 1:
        return db.session.get(Agency, issuers.pop())
    return None


def _superior(body: Agency) -> Agency | None:
    # A department's documents carry its People's Committee above its own name.
    parent = body.parent
    if body.kind in (AgencyKind.department, AgencyKind.board) and parent and parent.kind == AgencyKind.people_committee:
        return parent
    return None


def make_header(user: User | None, scope: ReportScope, day: date, directives: list[DirectiveInfo]) -> ReportHeader:
    if not directives and scope.directive is not None:
        directives = [_directive_info(scope.directive)]
    body = _body(user, scope, directives)
    own = [d for d in directives if body is not None and d.issuer_id == body.id]
    abbreviation = own[0].symbol.split("-")[0] if own else "……"
    place = next((d.place for d in directives if d.place), None)
    if place is None and scope.directive is not None:
        place = scope.directive.place
    notes = []
    period = _period(scope)
    if scope.kind == "directive":
        directive = directives[0]
        title = _("Tình hình thực hiện %(heading)s", heading=directive.heading)
        subject = _("V/v %(subject)s", subject=directive.subject)
        if scope.agency is not None:
            notes.append(_("Cơ quan, đơn vị: %(name)s", name=scope.agency.name_vi))
    elif scope.agency is not None:
        title = _("Tình hình thực hiện nhiệm vụ được giao của %(name)s", name=scope.agency.name_vi)
        subject = _("(Các văn bản chỉ đạo%(period)s)", period=period) if period else None
    else:
        issuer = " " + _("của %(name)s", name=body.short_name or body.name_vi) if body is not None else ""
        title = _("Tình hình thực hiện các văn bản chỉ đạo%(issuer)s%(period)s", issuer=issuer, period=period)
        subject = None
    filters = _filter_note(scope)
    if filters:
        notes.append(filters)
    subtitle = _("(Số liệu tính đến hết ngày %(day)s)", day=day.strftime("%d/%m/%Y"))
    recipients = []
    report_to = {
        d.report_to_name for d in directives if d.report_to_name and (body is None or d.report_to_name != body.name_vi)
    }
    recipients.extend(f"- {name};" for name in sorted(report_to))
    if body is not None and reports_to_issuers(user):
        to_report = _("để báo cáo")  # outside the f-string, where Babel's extraction can see it
        recipients.extend(
            f"- {name} ({to_report});" for name in sorted({d.issuer_name for d in directives if d.issuer_id != body.id})
        )
    recipients.append(_("- Các cơ quan, đơn vị được giao nhiệm vụ;"))
    recipients.append(_("- Lưu: VT."))
    signer = own[0] if len(directives) == 1 and own else None
    if signer is not None and (signer.signer_title or signer.signer_authority):
        authority = [part.strip().upper() for part in (signer.signer_authority or "").split(",") if part.strip()]
        signer_title, signer_name = (signer.signer_title or "").upper() or None, signer.signer_name
    else:
        authority, signer_title, signer_name = [_("QUYỀN HẠN, CHỨC VỤ CỦA NGƯỜI KÝ")], None, None
    superior = _superior(body) if body is not None else None
    return ReportHeader(
        superior_name=(superior.short_name or superior.name_vi).upper() if superior else None,
        body_name=body.name_vi.upper() if body is not None else None,
        number_line=_("Số:        /BC-%(abbreviation)s", abbreviation=abbreviation),
        place=place,
        dated=day,
        title=title,
        subtitle=subtitle,
        subject=subject,
        notes=notes,
        recipients=recipients,
        signer_authority=authority,
        signer_title=signer_title,
        signer_name=signer_name,
    )


def _period(scope: ReportScope) -> str:
    if scope.issued_from and scope.issued_to:
        return " " + _(
            "ban hành từ ngày %(start)s đến ngày %(end)s",
            start=short_date(scope.issued_from),
            end=short_date(scope.issued_to),
        )
    if scope.issued_from:
        return " " + _("ban hành từ ngày %(start)s", start=short_date(scope.issued_from))
    if scope.issued_to:
        return " " + _("ban hành đến ngày %(end)s", end=short_date(scope.issued_to))
    return ""


def _filter_note(scope: ReportScope) -> str:
    from coordination.templating import status_label, timeliness_label

    parts = []
    if scope.statuses:
        parts.append(_("trạng thái: %(v)s", v=", ".join(status_label(s) for s in sorted(scope.statuses))))
    if scope.timeliness:
        parts.append(_("tiến độ: %(v)s", v=", ".join(timeliness_label(t) for t in sorted(scope.timeliness))))
    if scope.role == "lead":
        parts.append(_("chỉ cơ quan chủ trì"))
    return _("Lọc theo %(parts)s", parts="; ".join(parts)) if parts else ""
