"""Urging agencies: reminders by hand and on a schedule, escalation, notifications, explanations.

Operations flush; the request or CLI command commits.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import BinaryIO

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.dialects import postgresql, sqlite

from coordination import audit
from coordination.assignments.models import Assignment
from coordination.assignments.states import Status
from coordination.auth.models import User
from coordination.db import today as local_today
from coordination.db import utcnow
from coordination.directives.models import Directive, DirectiveStatus, Task
from coordination.errors import Conflict, Forbidden, Invalid
from coordination.evidence.operations import add_evidence
from coordination.extensions import db
from coordination.formatting import format_date
from coordination.notifications import agency_users, notify, notify_explanation_answer
from coordination.permissions import Permission, can
from coordination.reminders.models import ExplanationRequest, Notification, Reminder, ReminderPolicy, ReminderRun
from coordination.reminders.policy import Policy, Rule, Sent, due_rules
from coordination.reminders.texts import reminder_text
from coordination.workdays.calendar import work_calendar
from coordination.workdays.models import DayUnit

#: work the agency still owes; reported work waits for the monitor, not the agency
REMINDABLE = (Status.not_started.value, Status.in_progress.value, Status.returned.value)


def policy_for(directive_id: int | None) -> Policy:
    """The directive's own policy, else the global one stored with no directive, else the defaults."""
    rows = db.session.scalars(
        sa.select(ReminderPolicy).where(
            sa.or_(ReminderPolicy.directive_id == directive_id, ReminderPolicy.directive_id.is_(None))
        )
    ).all()
    row = next((r for r in rows if r.directive_id == directive_id and directive_id is not None), None)
    row = row or next((r for r in rows if r.directive_id is None), None)
    if row is None:
        return Policy()
    return policy_of(row)


def policy_of(row: ReminderPolicy) -> Policy:
    """The policy a stored row says."""
    return Policy(
        row.days_before, row.remind_on_day, row.overdue_every_days, row.escalate_after, DayUnit(row.days_unit)
    )


def _insert_reminder(values: dict) -> int | None:
    """Insert unless the same (assignment, rule, day) exists; a database constraint decides, even across machines."""
    dialect = db.session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = (
        insert(Reminder)
        .values(**values)
        .on_conflict_do_nothing(index_elements=["assignment_id", "rule", "sent_on"])
        .returning(Reminder.id)
    )
    return db.session.execute(statement).scalar()


def _record_reminder(
    assignment: Assignment, rule: Rule, message: str, *, actor: audit.Actor, day: date, recipients: list[User]
) -> Reminder | None:
    reminder_id = _insert_reminder(
        {
            "assignment_id": assignment.id,
            "rule": rule.value,
            "sent_on": day,
            "sent_at": utcnow(),
            "sender_id": audit.acting_user_id(actor),
            "recipients": ", ".join(u.username for u in recipients),
            "message": message,
        }
    )
    if reminder_id is None:
        return None
    reminder = db.session.get(Reminder, reminder_id)
    audit.record(
        actor,
        f"reminder.{rule.value}",
        "reminder",
        reminder_id,
        after={"rule": rule.value, "recipients": reminder.recipients, "message": message},
        directive_id=assignment.task.directive_id,
        assignment_id=assignment.id,
    )
    return reminder


def preview_reminders(assignments: list[Assignment], *, today: date | None = None) -> dict[int, str]:
    """The text each reminder would carry, for the sender to read and edit."""
    day = today or local_today()
    return {
        a.id: reminder_text(a, Rule.overdue if a.deadline and a.deadline < day else Rule.before, day)
        for a in assignments
    }


def send_reminders(
    assignments: list[Assignment], *, actor: User, message: str | None = None, today: date | None = None
) -> tuple[list[Reminder], list[Assignment]]:
    """Remind by hand; returns (sent, skipped). Skipped: closed work, or already reminded by hand today."""
    day = today or local_today()
    sent, skipped = [], []
    for assignment in assignments:
        if not can(actor, Permission.assignment_review, assignment):
            raise Forbidden(_("Bạn không có quyền đôn đốc nhiệm vụ này."))
        if assignment.status.value not in REMINDABLE:
            skipped.append(assignment)
            continue
        text = (message or "").strip() or preview_reminders([assignment], today=day)[assignment.id]
        recipients = agency_users(assignment.agency_id)
        reminder = _record_reminder(assignment, Rule.manual, text, actor=actor, day=day, recipients=recipients)
        if reminder is None:
            skipped.append(assignment)
            continue
        notify(recipients, "reminder", text, assignment)
        sent.append(reminder)
    db.session.flush()
    return sent, skipped


@dataclass
class RunSummary:
    sent: int = 0
    escalated: int = 0
    emails: int = 0
    skipped: int = 0
    lines: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, int]:
        return {"sent": self.sent, "escalated": self.escalated, "emails": self.emails, "skipped": self.skipped}


#: due reminders written per round of bulk statements: bounds memory and the size of each statement
RUN_CHUNK = 1000


def _candidate_filter(day: date, horizon: int) -> sa.ColumnElement[bool]:
    return sa.and_(
        Directive.status == DirectiveStatus.active,
        Assignment.status.in_(REMINDABLE),
        Assignment.deadline.is_not(None),
        Assignment.deadline <= date.fromordinal(day.toordinal() + horizon),
    )


def _candidates(day: date, horizon: int) -> list[sa.Row]:
    """The work that may be due a reminder, as plain columns: tens of thousands at province scale."""
    return list(
        db.session.execute(
            sa.select(
                Assignment.id,
                Assignment.deadline,
                Assignment.escalated_at,
                Assignment.agency_id,
                Task.directive_id,
                Directive.monitor_agency_id,
            )
            .join(Task, Task.id == Assignment.task_id)
            .join(Directive, Directive.id == Task.directive_id)
            .where(_candidate_filter(day, horizon))
            .order_by(Assignment.deadline, Assignment.id)
        )
    )


def _history(day: date, horizon: int) -> dict[int, list[Sent]]:
    """The scheduled reminders already sent to the candidates, in one query (a join, not an IN of every id)."""
    history: dict[int, list[Sent]] = {}
    for row in db.session.execute(
        sa.select(Reminder.assignment_id, Reminder.rule, Reminder.sent_on)
        .join(Assignment, Assignment.id == Reminder.assignment_id)
        .join(Task, Task.id == Assignment.task_id)
        .join(Directive, Directive.id == Task.directive_id)
        .where(_candidate_filter(day, horizon), Reminder.rule != Rule.manual.value)
        .order_by(Reminder.id)
    ):
        history.setdefault(row.assignment_id, []).append(Sent(Rule(row.rule), row.sent_on))
    return history


def _policies() -> tuple[dict[int, Policy], Policy]:
    """Every directive's own policy, and the global one (else the defaults): what policy_for says, in one query."""
    own: dict[int, Policy] = {}
    default = Policy()
    for row in db.session.scalars(sa.select(ReminderPolicy)):
        if row.directive_id is None:
            default = policy_of(row)
        else:
            own[row.directive_id] = policy_of(row)
    return own, default


@dataclass(frozen=True)
class _Recipient:
    id: int
    username: str
    is_head: bool


def _users_by_agency(agency_ids: set[int]) -> dict[int, list[_Recipient]]:
    """The active users of the agencies, by agency, in id order (as agency_users lists them)."""
    users: dict[int, list[_Recipient]] = {}
    ids = sorted(agency_ids)
    for start in range(0, len(ids), 10000):
        for row in db.session.execute(
            sa.select(User.id, User.username, User.is_head, User.agency_id)
            .where(User.agency_id.in_(ids[start : start + 10000]), User.active.is_(True))
            .order_by(User.id)
        ):
            users.setdefault(row.agency_id, []).append(_Recipient(row.id, row.username, bool(row.is_head)))
    return users


def _load_assignments(ids: list[int]) -> dict[int, Assignment]:
    """The due work of one chunk with what its letter names (task, sub-items, directive, agencies)."""
    directive = sa.orm.selectinload(Assignment.task).selectinload(Task.directive)
    return {
        a.id: a
        for a in db.session.scalars(
            sa.select(Assignment)
            .where(Assignment.id.in_(ids))
            .options(
                sa.orm.selectinload(Assignment.agency),
                sa.orm.selectinload(Assignment.task).selectinload(Task.subtasks),
                sa.orm.selectinload(Assignment.task).selectinload(Task.parent),
                directive.selectinload(Directive.issuer),
                directive.selectinload(Directive.monitor_agency),
                directive.selectinload(Directive.report_to_agency),
            )
        )
    }


def _insert_reminders(rows: list[dict]) -> dict[tuple[int, str], int]:
    """Insert the chunk's reminders unless sent already; returns the ids of those inserted, by (assignment, rule).

    One multi-row INSERT … ON CONFLICT DO NOTHING: the unique (assignment, rule, day) still decides, so two
    runs at once never send twice.
    """
    dialect = db.session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    table = Reminder.__table__
    statement = (
        insert(table)
        .on_conflict_do_nothing(index_elements=["assignment_id", "rule", "sent_on"])
        .returning(table.c.assignment_id, table.c.rule, table.c.id)
    )
    # executemany with RETURNING: SQLAlchemy sends it as multi-row INSERTs ("insertmanyvalues"), compiled once
    return {(r.assignment_id, r.rule): r.id for r in db.session.execute(statement, rows)}


def run_scheduled(day: date, *, dry_run: bool = False) -> RunSummary:
    """One pass of the scheduler: send what the policy says is due today, escalate what is late too long.

    Set-based (issue 14): the due rules are decided in Python for every candidate, then each chunk of
    due reminders is written by a fixed number of bulk statements, whatever the number of reminders.
    """
    summary = RunSummary()
    calendar = work_calendar()
    # The longest "before" window a policy may set (60 days, working days at most) reaches this far.
    horizon = (calendar.add_working_days(day, POLICY_MAX_DAYS) - day).days
    candidates = _candidates(day, horizon)
    if not candidates:
        return summary
    history = _history(day, horizon)
    own_policies, default_policy = _policies()
    due: list[tuple[sa.Row, Rule, int]] = []
    for candidate in candidates:
        sent_before = history.get(candidate.id, [])
        rules = due_rules(
            candidate.deadline,
            day,
            sent_before,
            own_policies.get(candidate.directive_id, default_policy),
            escalated=candidate.escalated_at is not None,
            calendar=calendar,
        )
        times = sum(1 for s in sent_before if s.rule in (Rule.overdue, Rule.escalation))
        due += [(candidate, rule, times) for rule in rules]
    del candidates, history
    users: dict[int, list[_Recipient]] = {}
    if not dry_run and due:
        agencies = {c.agency_id for c, _rule, _times in due}
        agencies |= {c.monitor_agency_id for c, rule, _times in due if rule == Rule.escalation and c.monitor_agency_id}
        users = _users_by_agency(agencies)
    for start in range(0, len(due), RUN_CHUNK):
        _send_chunk(due[start : start + RUN_CHUNK], day, users, summary, dry_run=dry_run)
    db.session.flush()
    return summary


def _send_chunk(
    chunk: list[tuple[sa.Row, Rule, int]],
    day: date,
    users: dict[int, list[_Recipient]],
    summary: RunSummary,
    *,
    dry_run: bool,
) -> None:
    assignments = _load_assignments(sorted({c.id for c, _rule, _times in chunk}))
    planned = []
    for candidate, rule, times in chunk:
        assignment = assignments[candidate.id]
        task = assignment.task
        text = reminder_text(assignment, rule, day, times_reminded=times)
        label = f"{task.directive.ref} #{task.display_label} {assignment.agency.code} [{rule.value}]"
        if dry_run:
            summary.lines.append(f"would send {label}")
            summary.sent += rule != Rule.escalation
            summary.escalated += rule == Rule.escalation
            continue
        recipients = list(users.get(candidate.agency_id, []))
        if rule == Rule.escalation:
            recipients = [u for u in recipients if u.is_head] or recipients
            if candidate.monitor_agency_id:
                recipients += users.get(candidate.monitor_agency_id, [])
        planned.append((candidate, rule, text, label, recipients, ", ".join(u.username for u in recipients)))
    if dry_run or not planned:
        return
    inserted = _insert_reminders(
        [
            {
                "assignment_id": candidate.id,
                "rule": rule.value,
                "sent_on": day,
                "sent_at": utcnow(),
                "sender_id": None,
                "recipients": names,
                "message": text,
            }
            for candidate, rule, text, _label, _recipients, names in planned
        ]
    )
    events, notes, escalated = [], [], []
    for candidate, rule, text, label, recipients, names in planned:
        reminder_id = inserted.get((candidate.id, rule.value))
        if reminder_id is None:  # another run got there first
            summary.skipped += 1
            summary.lines.append(f"skipped {label}: already sent")
            continue
        events.append(
            {
                "action": f"reminder.{rule.value}",
                "entity_type": "reminder",
                "entity_id": reminder_id,
                "after": {"rule": rule.value, "recipients": names, "message": text},
                "directive_id": candidate.directive_id,
                "assignment_id": candidate.id,
            }
        )
        kind = "escalation" if rule == Rule.escalation else "reminder"
        now = utcnow()
        notes += [
            {"user_id": u.id, "created_at": now, "kind": kind, "message": text, "assignment_id": candidate.id}
            for u in recipients
        ]
        if rule == Rule.escalation:
            escalated.append(candidate.id)
            summary.escalated += 1
        else:
            summary.sent += 1
        summary.lines.append(f"sent {label} to {names or '-'}")
    audit.record_many(audit.SYSTEM_REMINDERS, events)
    if notes:
        # RETURNING makes it multi-row INSERTs rather than one INSERT per row (psycopg's executemany)
        db.session.execute(sa.insert(Notification.__table__).returning(Notification.__table__.c.id), notes).all()
    if escalated:
        # A plain UPDATE: marking escalation must not bump the version a user is editing against.
        db.session.execute(
            sa.update(Assignment.__table__)
            .where(Assignment.__table__.c.id.in_(escalated))
            .values(escalated_at=utcnow())
        )


def request_explanation(
    assignment: Assignment, question: str, due_on: date, *, actor: audit.Actor
) -> ExplanationRequest:
    """Require an agency late with its work to explain in writing why, and by when it will finish."""
    if not audit.is_system(actor) and not can(actor, Permission.assignment_review, assignment):
        raise Forbidden(_("Bạn không có quyền yêu cầu giải trình nhiệm vụ này."))
    if not question.strip():
        raise Invalid(_("Hãy nêu nội dung yêu cầu giải trình."), errors={"question": [_("Bắt buộc.")]})
    if assignment.status.value not in REMINDABLE or assignment.deadline is None or assignment.deadline >= local_today():
        raise Conflict(_("Chỉ yêu cầu giải trình với nhiệm vụ đang quá hạn."))
    if due_on < local_today():
        raise Invalid(_("Hạn giải trình đã qua."), errors={"due_on": [_("Ngày đã qua.")]})
    request = ExplanationRequest(
        assignment=assignment, requested_by=audit.acting_user(actor), due_on=due_on, question=question.strip()
    )
    db.session.add(request)
    db.session.flush()
    message = _("Yêu cầu giải trình (hạn %(date)s): %(question)s", date=format_date(due_on), question=request.question)
    notify(agency_users(assignment.agency_id), "explanation", message, assignment)
    audit.record(
        actor,
        "explanation.request",
        "explanation_request",
        request.id,
        after={"question": request.question, "due_on": due_on},
        directive_id=assignment.task.directive_id,
        assignment_id=assignment.id,
    )
    return request


def answer_explanation(
    request: ExplanationRequest,
    answer: str,
    expected_finish_on: date | None,
    *,
    actor: audit.Actor,
    files: list[tuple[BinaryIO, str]] | None = None,
) -> ExplanationRequest:
    """The agency explains (text and files) and says by when it will finish."""
    assignment = request.assignment
    if not audit.is_system(actor) and not can(actor, Permission.assignment_work, assignment):
        raise Forbidden(_("Bạn không có quyền trả lời yêu cầu giải trình này."))
    if request.answered_at is not None:
        raise Conflict(_("Yêu cầu giải trình này đã được trả lời."))
    if not answer.strip():
        raise Invalid(_("Hãy nhập nội dung giải trình."), errors={"answer": [_("Bắt buộc.")]})
    request.answer = answer.strip()
    request.expected_finish_on = expected_finish_on
    request.answered_at = utcnow()
    request.answered_by = audit.acting_user(actor)
    for stream, name in files or []:
        evidence = add_evidence(assignment, stream, name, actor=actor)
        evidence.explanation_request_id = request.id
    db.session.flush()
    late = (local_today() - request.due_on).days
    notify_explanation_answer(request.id, assignment)  # issue 11: the monitor and the office, once
    audit.record(
        actor,
        "explanation.answer",
        "explanation_request",
        request.id,
        after={
            "answer": request.answer,
            "expected_finish_on": expected_finish_on,
            "days_late": max(0, late),
            "files": len(files or []),
        },
        directive_id=assignment.task.directive_id,
        assignment_id=assignment.id,
    )
    return request


def read_explanation_answer(request: ExplanationRequest, *, actor: audit.Actor) -> ExplanationRequest:
    """The monitor or the office has read an agency's explanation: it leaves their "Chờ xử lý" queue."""
    assignment = request.assignment
    if not audit.is_system(actor) and not can(actor, Permission.assignment_review, assignment):
        raise Forbidden(_("Bạn không có quyền xử lý giải trình này."))
    if request.answered_at is None:
        raise Conflict(_("Yêu cầu giải trình này chưa được trả lời."))
    if request.answer_read_at is not None:
        raise Conflict(_("Nội dung giải trình này đã được đánh dấu là đã đọc."))
    request.answer_read_at = utcnow()
    request.answer_read_by = audit.acting_user(actor)
    db.session.flush()
    audit.record(
        actor,
        "explanation.read",
        "explanation_request",
        request.id,
        after={"answer_read_at": request.answer_read_at},
        directive_id=assignment.task.directive_id,
        assignment_id=assignment.id,
    )
    return request


def mark_read(user: User, notification_ids: list[int] | None = None) -> int:
    """Mark some (or all) of the user's notifications read; returns how many changed."""
    statement = sa.update(Notification).where(Notification.user_id == user.id, Notification.read_at.is_(None))
    if notification_ids is not None:
        statement = statement.where(Notification.id.in_(notification_ids))
    return db.session.execute(statement.values(read_at=utcnow())).rowcount


POLICY_FIELDS = ["days_before", "remind_on_day", "overdue_every_days", "escalate_after", "days_unit"]
#: the most days (of either unit) a policy counts before a deadline or between overdue reminders
POLICY_MAX_DAYS = 60


def save_policy(directive: Directive | None, data: dict, *, actor: audit.Actor) -> ReminderPolicy:
    """Set a directive's reminder policy, or the global default (directive None); audited."""
    if not audit.is_system(actor) and not can(actor, Permission.reminder_policy_edit, directive):
        raise Forbidden(_("Bạn không có quyền sửa chính sách đôn đốc này."))
    limits = {
        "days_before": (0, POLICY_MAX_DAYS),
        "overdue_every_days": (1, POLICY_MAX_DAYS),
        "escalate_after": (1, 20),
    }
    errors = {
        name: [_("Từ %(min)s đến %(max)s.", min=low, max=high)]
        for name, (low, high) in limits.items()
        if not isinstance(data.get(name), int) or not low <= data[name] <= high
    }
    unit = data.get("days_unit") or DayUnit.calendar
    if unit not in {u.value for u in DayUnit}:
        errors["days_unit"] = [_("Giá trị không hợp lệ.")]
    if errors:
        raise Invalid(_("Chính sách đôn đốc không hợp lệ: %(fields)s.", fields=", ".join(errors)), errors=errors)
    directive_id = directive.id if directive is not None else None
    row = db.session.scalar(
        sa.select(ReminderPolicy).where(
            ReminderPolicy.directive_id == directive_id
            if directive_id is not None
            else ReminderPolicy.directive_id.is_(None)
        )
    )
    if row is None:
        row = ReminderPolicy(directive_id=directive_id)
        db.session.add(row)
        before = None
    else:
        before = audit.snapshot(row, POLICY_FIELDS)
    row.days_before = data["days_before"]
    row.remind_on_day = bool(data.get("remind_on_day"))
    row.overdue_every_days = data["overdue_every_days"]
    row.escalate_after = data["escalate_after"]
    row.days_unit = DayUnit(unit)
    db.session.flush()
    audit.record(
        actor,
        "reminder_policy.update",
        "reminder_policy",
        row.id,
        before=before,
        after=audit.snapshot(row, POLICY_FIELDS),
        directive_id=directive_id,
    )
    return row


def record_run(day: date, summary: RunSummary, *, emails_failed: int) -> ReminderRun:
    """Note a finished run, so that monitoring sees the job alive (the last one is on /metrics)."""
    run = ReminderRun(
        run_for=day,
        sent=summary.sent,
        escalated=summary.escalated,
        emails_sent=summary.emails,
        emails_failed=emails_failed,
    )
    db.session.add(run)
    db.session.flush()
    return run
