"""The scheduled run: sends what is due, nothing twice, escalates, records everything."""

from __future__ import annotations

import json
from datetime import date, timedelta

import sqlalchemy as sa

from coordination.assignments.models import Assignment
from coordination.audit import AuditEvent
from coordination.extensions import db
from coordination.reminders.models import Notification, Reminder, ReminderPolicy
from coordination.reminders.operations import run_scheduled, send_reminders
from tests.conftest import assignment_of, get_user


def _setup_one(days_from_today: int, day: date) -> Assignment:
    """TN-STP's task 5 of 2157, due relative to `day`, the only open work that the run sees."""
    db.session.execute(sa.update(Assignment).values(deadline=None))
    assignment = assignment_of("2157/UBND-KSTT", "5", "TN-STP")
    db.session.execute(
        sa.update(Assignment)
        .where(Assignment.id == assignment.id)
        .values(deadline=day + timedelta(days=days_from_today))
    )
    db.session.expire_all()
    return db.session.get(Assignment, assignment.id)


def test_run_twice_on_the_same_day_sends_nothing_new(app) -> None:
    day = date(2026, 11, 25)
    first = run_scheduled(day)
    db.session.commit()
    count = db.session.scalar(sa.select(sa.func.count(Reminder.id)))
    assert first.sent > 0 and count == first.sent
    second = run_scheduled(day)
    db.session.commit()
    assert (second.sent, second.escalated) == (0, 0)
    assert db.session.scalar(sa.select(sa.func.count(Reminder.id))) == count


def test_dry_run_records_nothing(app, client) -> None:
    runner = app.test_cli_runner()
    result = runner.invoke(args=["reminders", "run", "--today", "2026-11-25", "--dry-run", "--json"])
    assert result.exit_code == 0, result.output
    counts = json.loads(result.output.strip().splitlines()[-1])
    assert counts["sent"] > 0 and counts["emails"] == 0
    assert db.session.scalar(sa.select(sa.func.count(Reminder.id))) == 0


def test_before_on_day_overdue_then_escalation(app) -> None:
    start = date(2026, 12, 1)
    assignment = _setup_one(3, start)
    officer, monitor = get_user("justice.tayninh"), get_user("monitor.tayninh")
    assert officer.is_head  # the demo makes justice.tayninh the head of Sở Tư pháp
    rules = []
    for offset in range(0, 13):
        day = start + timedelta(days=offset)
        run_scheduled(day)
        db.session.commit()
        rules += [(offset, r.rule) for r in db.session.scalars(sa.select(Reminder).where(Reminder.sent_on == day))]
    assert rules == [(0, "before"), (3, "on_day"), (4, "overdue"), (7, "overdue"), (10, "escalation")]
    db.session.refresh(assignment)
    assert assignment.escalated_at is not None
    escalation = db.session.scalars(sa.select(Notification).where(Notification.kind == "escalation")).all()
    assert {n.user_id for n in escalation} >= {officer.id, monitor.id}
    reminder = db.session.scalars(sa.select(Reminder).where(Reminder.rule == "overdue")).first()
    assert "2157/UBND-KSTT" in reminder.message and "quá hạn 1 ngày" in reminder.message
    assert "Sở Tư pháp" in reminder.message and "nhiệm vụ 5" in reminder.message
    assert reminder.sender_id is None
    events = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.assignment_id == assignment.id)).all()
    by_job = {(e.action, e.actor_id, e.system_actor) for e in events if e.action.startswith("reminder.")}
    assert by_job == {
        ("reminder.before", None, "system:reminders"),
        ("reminder.on_day", None, "system:reminders"),
        ("reminder.overdue", None, "system:reminders"),
        ("reminder.escalation", None, "system:reminders"),
    }


def test_per_directive_policy_overrides_the_default(app) -> None:
    start = date(2026, 12, 1)
    assignment = _setup_one(5, start)
    db.session.add(ReminderPolicy(directive_id=assignment.task.directive_id, days_before=5))
    db.session.flush()
    run_scheduled(start)
    assert [r.rule for r in db.session.scalars(sa.select(Reminder))] == ["before"]


def test_manual_reminder_with_edited_text(app) -> None:
    assignment = assignment_of("2157/UBND-KSTT", "5", "TN-STP")
    sent, skipped = send_reminders([assignment], actor=get_user("monitor.tayninh"), message="Đề nghị báo cáo ngay.")
    assert len(sent) == 1 and skipped == []
    assert sent[0].message == "Đề nghị báo cáo ngay." and sent[0].sender.username == "monitor.tayninh"
    inbox = db.session.scalars(sa.select(Notification).where(Notification.user_id == get_user("justice.tayninh").id))
    assert "Đề nghị báo cáo ngay." in [n.message for n in inbox]
    again, skipped = send_reminders([assignment], actor=get_user("monitor.tayninh"))
    assert again == [] and skipped == [assignment]
