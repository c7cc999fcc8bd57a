"""Building a report: a handful of bulk queries per batch of directives, past days rebuilt from the audit history."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import joinedload, selectinload

from coordination.agencies.models import Agency
from coordination.assignments.models import Assignment, AssignmentRole, ProgressUpdate
from coordination.assignments.states import Status, timeliness, timeliness_sql
from coordination.audit import AuditEvent
from coordination.auth.models import User
from coordination.collation import vi_key
from coordination.db import today as local_today
from coordination.directives.labels import DOC_TYPE_LABELS
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
)
from coordination.reports.compliance.scope import ReportScope, reportable_clause
from coordination.reports.sql import among
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
    # read once, not once per batch (it reads the assignments moved away after the day)
    assignment_clause = _assignment_clause(scope, cutoff)
    for start in range(0, len(ids), BATCH_DIRECTIVES):
        batch = ids[start : start + BATCH_DIRECTIVES]
        for block in _blocks_of(batch, scope, day, cutoff, agencies, agency_ids, assignment_clause):
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
    assignment_clause: sa.ColumnElement[bool],
) -> Iterator[DirectiveBlock]:
    # due soon: DUE_SOON_DAYS working days after the report's day
    last_soon = due_soon_limit(day)
    events: dict[int, list[HistoryEvent]] = {}
    #: assignments changed after the day: their state then is rebuilt, whatever their columns say now
    changed: set[int] = set()
    for row in db.session.execute(
        sa.select(
            AuditEvent.assignment_id,
            AuditEvent.occurred_at,
            AuditEvent.id,
            AuditEvent.action,
            AuditEvent.entity_type,
            AuditEvent.before,
        ).where(
            among(AuditEvent.directive_id, batch),
            AuditEvent.assignment_id.is_not(None),
            sa.or_(AuditEvent.occurred_at >= cutoff, AuditEvent.action == "extension.approve"),
        )
    ):
        events.setdefault(row.assignment_id, []).append(
            HistoryEvent(row.occurred_at, row.id, row.action, row.entity_type, row.before)
        )
        if row.occurred_at >= cutoff:
            changed.add(row.assignment_id)
    existed = sa.or_(
        Assignment.created_at < cutoff,
        # Created with the directive, before it was published: it exists since the directive does.
        Assignment.created_at <= Directive.activated_at,
        sa.select(AuditEvent.id)
        .where(AuditEvent.assignment_id == Assignment.id, AuditEvent.occurred_at < cutoff)
        .exists(),
    )
    # The latest note, the files and the explanation requests of each row as columns of its own query:
    # one statement per batch instead of four (an agency's report over 5,093 directives made 219).
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
            Assignment.directive_id,
            _latest_note(cutoff),
            _evidence_count(cutoff),
            *_explanation_counts(cutoff),
        )
        .join(Directive, Directive.id == Assignment.directive_id)
        .where(
            # Assignment.directive_id is always its task's (a foreign key on both): no join through the tasks
            among(Assignment.directive_id, batch),
            assignment_clause,
            _row_prefilter(scope, day, last_soon, sorted(changed)),
            existed,
        )
        .order_by(Assignment.task_id, Assignment.id)
    ).all()
    if not assignments:
        return

    rows_by_task: dict[int, list[AssignmentRow]] = {}
    with_rows: set[int] = set()
    no_history: list[HistoryEvent] = []
    for a in assignments:
        history = events.get(a.id, no_history)
        if a.id in changed:
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
        else:
            # Nothing happened to it after the day: its state then is the one it has now.
            state = AssignmentState(
                Status(a.status).value, a.progress_percent, a.deadline, a.reported_done_on, a.completed_on, a.agency_id
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
        with_rows.add(a.directive_id)
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
                original_deadline=first_deadline_before_extension(history, cutoff) if history else None,
                reported_done_on=state.reported_done_on,
                completed_on=state.completed_on,
                progress_percent=state.progress_percent,
                days_late=_days_late(state, day),
                result=a.note or "",
                evidence_count=a.evidence_count,
                explanations_sent=a.explanations_sent,
                explanations_unanswered=a.explanations_unanswered,
            )
        )
    if not with_rows:
        return
    for row_list in rows_by_task.values():
        # Leads first, then coordinating agencies, each by name: how a report lists them.
        row_list.sort(key=lambda r: (0 if r.is_lead else 1, vi_key(r.agency_name), r.id))

    shown = [directive_id for directive_id in batch if directive_id in with_rows]
    infos = _directive_infos(shown, agencies)
    tasks_by_directive: dict[int, list[sa.Row]] = {}
    for task in db.session.execute(
        sa.select(Task.id, Task.directive_id, Task.label, Task.position, Task.parent_id, Task.text, Task.deadline)
        .where(among(Task.directive_id, shown))
        .order_by(Task.directive_id, Task.position)
    ):
        tasks_by_directive.setdefault(task.directive_id, []).append(task)
    for directive_id in shown:
        task_rows = _task_rows(tasks_by_directive.get(directive_id, []), rows_by_task)
        if task_rows:
            yield DirectiveBlock(infos[directive_id], task_rows)


def _row_prefilter(scope: ReportScope, day: date, last_soon: date, changed: list[int]) -> sa.ColumnElement[bool]:
    """The filters on status and timeliness, in SQL, on the assignments not changed after the day.

    Their state then is the one they have now, so the rule of `timeliness` gives the same answer in SQL
    (`timeliness_sql`); those changed since are all read and judged after their rebuild. The overdue
    assignments of the office are 54,000 of 428,000: the others are no longer read, noted and counted.
    """
    clauses: list[sa.ColumnElement[bool]] = []
    if scope.statuses:
        clauses.append(Assignment.status.in_(sorted(scope.statuses)))
    if scope.timeliness:
        kind = timeliness_sql(
            Assignment.status, Assignment.deadline, Assignment.reported_done_on, Assignment.completed_on, day, last_soon
        )
        clauses.append(kind.in_(sorted(scope.timeliness)))
    if not clauses:
        return sa.true()
    if changed:
        return sa.or_(sa.and_(*clauses), among(Assignment.id, changed))
    return sa.and_(*clauses)


def _directive_infos(ids: list[int], agencies: dict[int, sa.Row]) -> dict[int, DirectiveInfo]:
    """What `rows._directive_info` makes of each directive, from its columns alone (not the whole row and
    its JSON legal basis) and the agencies already read."""
    if not ids:
        return {}
    labels: dict[str, str] = {}
    infos = {}
    for d in db.session.execute(
        sa.select(
            Directive.id,
            Directive.ref,
            Directive.doc_type,
            Directive.issued_on,
            Directive.subject,
            Directive.place,
            Directive.issuer_id,
            Directive.monitor_agency_id,
            Directive.report_to_agency_id,
            Directive.signer_name,
            Directive.signer_title,
            Directive.signer_authority,
            Directive.symbol,
        ).where(among(Directive.id, ids))
    ):
        issuer = agencies[d.issuer_id]
        if d.doc_type not in labels:
            labels[d.doc_type] = str(DOC_TYPE_LABELS[d.doc_type])
        infos[d.id] = DirectiveInfo(
            id=d.id,
            ref=d.ref,
            doc_type=d.doc_type.value,
            doc_type_label=labels[d.doc_type],
            issued_on=d.issued_on,
            subject=d.subject,
            place=d.place,
            issuer_id=issuer.id,
            issuer_name=issuer.name_vi,
            issuer_short=issuer.short_name or issuer.name_vi,
            monitor_agency_id=d.monitor_agency_id,
            report_to_name=agencies[d.report_to_agency_id].name_vi if d.report_to_agency_id else None,
            signer_name=d.signer_name,
            signer_title=d.signer_title,
            signer_authority=d.signer_authority,
            symbol=d.symbol,
        )
    return infos


def _latest_note(cutoff: datetime) -> sa.ScalarSelect:
    """The assignment's latest progress note before `cutoff` (NULL when none)."""
    return (
        sa.select(ProgressUpdate.note)
        .where(
            ProgressUpdate.assignment_id == Assignment.id,
            ProgressUpdate.created_at < cutoff,
            ProgressUpdate.note != "",
            # The monitor's acceptance note repeats the status; a return note says what is missing.
            sa.or_(ProgressUpdate.status_to.is_(None), ProgressUpdate.status_to != Status.done.value),
        )
        .order_by(ProgressUpdate.created_at.desc(), ProgressUpdate.id.desc())
        .limit(1)
        .scalar_subquery()
        .label("note")
    )


def _evidence_count(cutoff: datetime) -> sa.Label:
    """The files of the assignment at `cutoff`: uploaded before it and not yet removed."""
    return (
        sa.select(sa.func.count())
        .where(
            Evidence.assignment_id == Assignment.id,
            Evidence.uploaded_at < cutoff,
            sa.or_(Evidence.removed_at.is_(None), Evidence.removed_at >= cutoff),
        )
        .scalar_subquery()
        .label("evidence_count")
    )


def _explanation_counts(cutoff: datetime) -> tuple[sa.Label, sa.Label]:
    """Explanation requests sent before `cutoff`, and those of them not answered by then."""
    sent = sa.select(sa.func.count()).where(
        ExplanationRequest.assignment_id == Assignment.id, ExplanationRequest.requested_at < cutoff
    )
    unanswered = sent.where(sa.or_(ExplanationRequest.answered_at.is_(None), ExplanationRequest.answered_at >= cutoff))
    return sent.scalar_subquery().label("explanations_sent"), unanswered.scalar_subquery().label(
        "explanations_unanswered"
    )


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
