"""Reminders (đôn đốc) sent about assignments, and in-app notifications."""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from coordination.assignments.models import Assignment
from coordination.auth.models import User
from coordination.db import UTCDateTime, str_enum, utcnow
from coordination.extensions import db
from coordination.workdays.models import DayUnit


class Reminder(db.Model):
    __tablename__ = "reminder"
    # One scheduled reminder per assignment, rule and day, even with two runs at once.
    __table_args__ = (sa.UniqueConstraint("assignment_id", "rule", "sent_on"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    assignment_id: Mapped[int] = mapped_column(sa.ForeignKey("assignment.id", ondelete="CASCADE"), index=True)
    #: "manual:<id>" for one sent by hand, else the policy rule ("before", "on_day", "overdue", "escalation")
    rule: Mapped[str] = mapped_column(sa.String(40))
    sent_on: Mapped[date]
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    #: None when the scheduled job sent it
    sender_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    recipients: Mapped[str] = mapped_column(sa.Text, default="")
    message: Mapped[str] = mapped_column(sa.Text)

    assignment: Mapped[Assignment] = relationship()
    sender: Mapped[User | None] = relationship()


class ReminderPolicy(db.Model):
    """When the scheduler urges: per directive, or the global default (directive_id NULL)."""

    __tablename__ = "reminder_policy"

    id: Mapped[int] = mapped_column(primary_key=True)
    directive_id: Mapped[int | None] = mapped_column(sa.ForeignKey("directive.id", ondelete="CASCADE"), unique=True)
    #: remind this many days before the deadline
    days_before: Mapped[int] = mapped_column(default=3)
    remind_on_day: Mapped[bool] = mapped_column(default=True)
    #: then every this many days while overdue
    overdue_every_days: Mapped[int] = mapped_column(default=3)
    #: how both numbers of days above are counted: every day, or working days only
    days_unit: Mapped[DayUnit] = mapped_column(
        str_enum(DayUnit, "day_unit"), default=DayUnit.calendar, server_default=DayUnit.calendar.value
    )
    #: escalate after this many overdue reminders
    escalate_after: Mapped[int] = mapped_column(default=2)
    enabled: Mapped[bool] = mapped_column(default=True)


class ExplanationRequest(db.Model):
    """Yêu cầu giải trình: the monitor asks an agency late with its work to explain in writing."""

    __tablename__ = "explanation_request"
    # The "Chờ xử lý" queue: answers not yet read, oldest answer first.
    __table_args__ = (
        sa.Index(
            "ix_explanation_request_unread_answer",
            "answered_at",
            postgresql_where=sa.text("answered_at IS NOT NULL AND answer_read_at IS NULL"),
            sqlite_where=sa.text("answered_at IS NOT NULL AND answer_read_at IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    assignment_id: Mapped[int] = mapped_column(sa.ForeignKey("assignment.id", ondelete="CASCADE"), index=True)
    requested_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    #: the agency must answer by this day
    due_on: Mapped[date]
    question: Mapped[str] = mapped_column(sa.Text)
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    answered_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    answer: Mapped[str | None] = mapped_column(sa.Text)
    #: by when the agency says it will finish
    expected_finish_on: Mapped[date | None]
    #: when the monitor or the office read the answer (the "Chờ xử lý" page lists answers not yet read)
    answer_read_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    answer_read_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))

    assignment: Mapped[Assignment] = relationship()
    requested_by: Mapped[User | None] = relationship(foreign_keys=[requested_by_id])
    answered_by: Mapped[User | None] = relationship(foreign_keys=[answered_by_id])
    answer_read_by: Mapped[User | None] = relationship(foreign_keys=[answer_read_by_id])


class Notification(db.Model):
    __tablename__ = "notification"
    __table_args__ = (
        sa.Index("ix_notification_user_read", "user_id", "read_at"),
        # One notice per user and event: an event raised twice (a retried request, two runs) adds nothing.
        sa.UniqueConstraint("user_id", "dedupe_key"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user_account.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    kind: Mapped[str] = mapped_column(sa.String(40))
    message: Mapped[str] = mapped_column(sa.Text)
    assignment_id: Mapped[int | None] = mapped_column(sa.ForeignKey("assignment.id", ondelete="CASCADE"))
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    emailed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    #: the event this notice tells of ("reported_done:<update id>"); NULL for notices that may repeat
    dedupe_key: Mapped[str | None] = mapped_column(sa.String(80))

    user: Mapped[User] = relationship()


class ReminderRun(db.Model):
    """One finished `reminders run`: what the operator's monitoring reads to see the job is alive."""

    __tablename__ = "reminder_run"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: the day the run acted for (its --today), in local time
    run_for: Mapped[date]
    finished_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    sent: Mapped[int] = mapped_column(default=0)
    escalated: Mapped[int] = mapped_column(default=0)
    emails_sent: Mapped[int] = mapped_column(default=0)
    #: digests that could not be mailed this run (they stay queued for the next)
    emails_failed: Mapped[int] = mapped_column(default=0)
