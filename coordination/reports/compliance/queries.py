"""Building a report: a handful of bulk queries per batch of directives, past days rebuilt from the audit history."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import joinedload, selectinload

from coordination.agencies.models import Agency
from coordination.assignments.models import Assignment, AssignmentRole, ProgressUpdate
from coordination.assignments.states import Status, timeliness
from coordination.audit import AuditEvent
from coordination.auth.models import User
from coordination.collation import vi_key
from coordination.db import today as local_today
from coordination.directives.models import Directive, DirectiveStatus, Task
from coordination.evidence.models import Evidence
from coordination.extensions import db
from coordination.formatting import BULLET_LABELS, sub_item_label
from coordination.indicators.models import Indicator
from coordination.indicators.trajectory import chart_svg, compute
from coordination.reminders.models import ExplanationRequest
from coordination.reports.asof import (
    AssignmentState,
    HistoryEvent,
    end_of_day,
    first_deadline_before_extension,
    rebuild,
)
from coordination.reports.compliance.header import make_header
from coordination.reports.compliance.rows import (
    BATCH_DIRECTIVES,
    OUTCOME_LABELS,
    RATING_LABELS,
    AgencySummary,
    AssignmentRow,
    ComplianceReport,
    Counts,
    DirectiveBlock,
    DirectiveInfo,
    IndicatorRow,
    TaskRow,
    _directive_info,
)
from coordination.reports.compliance.scope import ReportScope, reportable_clause
from coordination.workdays.calendar import due_soon_limit

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


def iter_blocks(
    user: User | None,
    scope: ReportScope,
    day: date,
    *,
    on_block: Callable[[DirectiveBlock], None] | None = None,
) -> Iterator[DirectiveBlock]:
    """The report's directives with their tasks and rows as of `day`, a batch of directives at a time.

    `on_block` is told of each block as it is built (the export worker's progress).
    """
    cutoff = end_of_day(day)
    ids = list(db.session.scalars(directive_select(user, scope, day)))
    agencies = {
        a.id: a for a in db.session.execute(sa.select(Agency.id, Agency.code, Agency.name_vi, Agency.short_name))
    }
    agency_ids = {a.code: a.id for a in agencies.values()}
    for start in range(0, len(ids), BATCH_DIRECTIVES):
        batch = ids[start : start + BATCH_DIRECTIVES]
        for block in _blocks_of(batch, scope, day, cutoff, agencies, agency_ids):
            if on_block is not None:
                on_block(block)
            yield block


def _blocks_of(
    batch: list[int],
    scope: ReportScope,
    day: date,
    cutoff: datetime,
    agencies: dict[int, sa.Row],
    agency_ids: dict[str, int],
) -> Iterator[DirectiveBlock]:
    # due soon: DUE_SOON_DAYS working days after the report's day
    last_soon = due_soon_limit(day)
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
            Status(state.status), state.deadline, state.reported_done_on, state.completed_on, day, last_soon
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
        row_list.sort(key=lambda r: (0 if r.is_lead else 1, vi_key(r.agency_name), r.id))

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
    #: sub-items seen so far under each parent, every one counted (formatting.task_label_text's ordinal)
    children: dict[int | None, int] = {}
    stt: dict[int, str] = {}
    result: list[TaskRow] = []
    for task in tasks:
        parent = by_id.get(task.parent_id) if task.parent_id else None
        children[task.parent_id] = children.get(task.parent_id, 0) + 1
        labels[task.id] = (
            sub_item_label(labels[parent.id], children[task.parent_id])
            if parent and task.label in BULLET_LABELS
            else task.label
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
                rating_label=str(
                    OUTCOME_LABELS[trajectory.outcome] if trajectory.outcome else RATING_LABELS[trajectory.rating]
                ),
                deadline=indicator.deadline,
                per_day=indicator.daily_rate is not None,
                chart=chart_svg(indicator, trajectory),
            )
        )
    return rows


class ReportTotals:
    """What a report adds up over its blocks (the summary, the agency table, the directives of the header),
    one block at a time, so that a renderer may write the blocks as they come and keep none of them."""

    def __init__(self) -> None:
        self.summary = Counts()
        self.per_agency: dict[int, AgencySummary] = {}
        self.agency_tasks: dict[int, set[int]] = {}
        self.directives: list[DirectiveInfo] = []

    def add(self, block: DirectiveBlock) -> None:
        self.directives.append(block.directive)
        for task in block.tasks:
            if any(row.timeliness is not None for row in task.assignments):
                self.summary.tasks += 1
            for row in task.assignments:
                self.summary.add(row)
                line = self.per_agency.setdefault(
                    row.agency_id, AgencySummary(row.agency_id, row.agency_code, row.agency_name)
                )
                line.counts.add(row)
                if row.timeliness is not None:
                    self.agency_tasks.setdefault(row.agency_id, set()).add(task.id)
                line.explanations_sent += row.explanations_sent
                line.explanations_unanswered += row.explanations_unanswered

    def report(
        self, user: User | None, scope: ReportScope, day: date, blocks: list[DirectiveBlock]
    ) -> ComplianceReport:
        """The report around `blocks` (all of them, or none when a renderer has written them already)."""
        for agency_id, line in self.per_agency.items():
            line.counts.tasks = len(self.agency_tasks.get(agency_id, ()))
        agencies = sorted(self.per_agency.values(), key=lambda a: (vi_key(a.name), a.code))
        return ComplianceReport(
            scope=scope,
            as_of=day,
            header=make_header(user, scope, day, self.directives),
            summary=self.summary,
            agencies=agencies,
            blocks=blocks,
            indicators=load_indicators(user, scope, day),
        )


def build_report(
    user: User | None,
    scope: ReportScope,
    *,
    as_of: date | None = None,
    on_block: Callable[[DirectiveBlock], None] | None = None,
) -> ComplianceReport:
    """The whole report for `user` (None: the CLI, every published directive), as of the end of `as_of`."""
    day = as_of or local_today()
    totals = ReportTotals()
    blocks = []
    for block in iter_blocks(user, scope, day, on_block=on_block):
        blocks.append(block)
        totals.add(block)
    return totals.report(user, scope, day, blocks)
