"""Reminders (đôn đốc) sent about assignments, and in-app notifications."""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from coordination.assignments.models import Assignment
from coordination.auth.models import User
from coordination.db import UTCDateTime, utcnow
from coordination.extensions import db


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


class Notification(db.Model):
    __tablename__ = "notification"
    __table_args__ = (sa.Index("ix_notification_user_read", "user_id", "read_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user_account.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    kind: Mapped[str] = mapped_column(sa.String(40))
    message: Mapped[str] = mapped_column(sa.Text)
    assignment_id: Mapped[int | None] = mapped_column(sa.ForeignKey("assignment.id", ondelete="CASCADE"))
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    emailed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    user: Mapped[User] = relationship()
