"""Assignments (one agency's responsibility for one task), progress updates and extension requests."""

from __future__ import annotations

import enum
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.ext.hybrid import hybrid_method
from sqlalchemy.orm import Mapped, mapped_column, query_expression, relationship

from coordination.agencies.models import Agency, AgencyGroup
from coordination.assignments.states import Status, Timeliness, days_late, timeliness, timeliness_sql
from coordination.auth.models import User
from coordination.db import UTCDateTime, str_enum, today, utcnow
from coordination.directives.models import Task
from coordination.extensions import db
from coordination.workdays.calendar import day_off_name, due_soon_limit, working_days_between


class AssignmentRole(enum.StrEnum):
    lead = "lead"
    coordinate = "coordinate"


class Assignment(db.Model):
    __tablename__ = "assignment"
    __table_args__ = (
        sa.UniqueConstraint("task_id", "agency_id", "period_index"),
        sa.CheckConstraint("progress_percent BETWEEN 0 AND 100", name="progress_range"),
        sa.Index("ix_assignment_agency_status", "agency_id", "status"),
        # The "Chờ xử lý" queue: work reported done, oldest report first; a small slice of the table.
        sa.Index(
            "ix_assignment_awaiting_review",
            "reported_done_on",
            postgresql_where=sa.text("status = 'reported_done'"),
            sqlite_where=sa.text("status = 'reported_done'"),
        ),
        # The queue's count of reported work in the monitor's or office's directives: read from the index alone.
        sa.Index(
            "ix_assignment_awaiting_review_directive",
            "directive_id",
            postgresql_where=sa.text("status = 'reported_done'"),
            sqlite_where=sa.text("status = 'reported_done'"),
        ),
        # The task's directive, copied and kept by the database: (task_id, directive_id) must be a task's
        # (id, directive_id). Visibility ("the agency has work in this directive") is then one lookup in
        # ix_assignment_agency_directive instead of a join through every task of the directive (make bench).
        sa.ForeignKeyConstraint(
            ["task_id", "directive_id"],
            ["task.id", "task.directive_id"],
            ondelete="CASCADE",
            onupdate="CASCADE",
        ),
        sa.Index("ix_assignment_agency_directive", "agency_id", "directive_id"),
        # one directive's work: its dashboard, and the tally's trigger when the directive changes
        sa.Index("ix_assignment_directive", "directive_id"),
        # An agency's open work in id order: the officer's list and its keyset pages walk it.
        sa.Index(
            "ix_assignment_agency_open",
            "agency_id",
            "id",
            postgresql_where=sa.text("status NOT IN ('done', 'cancelled')"),
            sqlite_where=sa.text("status NOT IN ('done', 'cancelled')"),
        ),
        # Overdue and due-soon lists scan open work by deadline; closed work is most rows.
        sa.Index(
            "ix_assignment_open_deadline",
            "deadline",
            postgresql_where=sa.text("status NOT IN ('done', 'cancelled')"),
            sqlite_where=sa.text("status NOT IN ('done', 'cancelled')"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    task_id: Mapped[int] = mapped_column(index=True)
    #: always the task's directive (the foreign key above): set by the ORM from `task`
    directive_id: Mapped[int]
    agency_id: Mapped[int] = mapped_column(sa.ForeignKey("agency.id"))
    role: Mapped[AssignmentRole] = mapped_column(str_enum(AssignmentRole, "assignment_role"))
    status: Mapped[Status] = mapped_column(str_enum(Status, "assignment_status"), default=Status.not_started)
    #: starts as the task's deadline; changes only by an approved extension
    deadline: Mapped[date | None]
    #: the day the agency reported the work done (decides done on time / late)
    reported_done_on: Mapped[date | None]
    #: the day the monitor accepted the work
    completed_on: Mapped[date | None]
    progress_percent: Mapped[int | None]
    #: for recurring tasks, which period this due item is (0 for one-off work)
    period_index: Mapped[int] = mapped_column(default=0)
    #: set when the assignment came from a group ("UBND các phường, xã") or "all addressees"
    via_group_id: Mapped[int | None] = mapped_column(sa.ForeignKey("agency_group.id"))
    via_all_addressees: Mapped[bool] = mapped_column(default=False)
    escalated_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)
    #: optimistic lock: a save with a stale version fails instead of overwriting
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}

    task: Mapped[Task] = relationship(back_populates="assignments")
    agency: Mapped[Agency] = relationship()
    via_group: Mapped[AgencyGroup | None] = relationship()
    #: the officers handling it now (view-only: assign_handlers writes AssignmentHandler rows, never this list)
    handlers: Mapped[list[AssignmentHandler]] = relationship(
        primaryjoin="and_(AssignmentHandler.assignment_id == Assignment.id, AssignmentHandler.ended_at.is_(None))",
        order_by="AssignmentHandler.id",
        viewonly=True,
    )
    #: the current handlers' names, "; "-joined, when a list query asks for them (queries.handler_names_sql)
    handler_names: Mapped[str | None] = query_expression()

    @hybrid_method
    def timeliness_on(self, day: date, due_soon: int | date) -> Timeliness | None:
        """As of `day`; `due_soon`: the last due-soon deadline (the app's: due_soon_limit(day)) or calendar days."""
        return timeliness(self.status, self.deadline, self.reported_done_on, self.completed_on, day, due_soon)

    @timeliness_on.inplace.expression
    @classmethod
    def _timeliness_on_expression(cls, day: date, due_soon: int | date) -> sa.ColumnElement:
        return timeliness_sql(cls.status, cls.deadline, cls.reported_done_on, cls.completed_on, day, due_soon)

    @property
    def timeliness(self) -> Timeliness | None:
        day = today()
        return self.timeliness_on(day, due_soon_limit(day))

    @property
    def days_late(self) -> int:
        """Days past the deadline: until today for open work, until reported for finished work."""
        return days_late(self.status, self.deadline, self.reported_done_on, self.completed_on, today())

    @property
    def is_open(self) -> bool:
        return self.status not in (Status.done, Status.cancelled)

    @property
    def etag(self) -> str:
        return f'"{self.id}-{self.version}"'


class ProgressUpdate(db.Model):
    """A report of progress by the agency, or a review note by the monitor."""

    __tablename__ = "progress_update"
    __table_args__ = (sa.Index("ix_progress_update_assignment_created", "assignment_id", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    assignment_id: Mapped[int] = mapped_column(sa.ForeignKey("assignment.id", ondelete="CASCADE"))
    author_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    note: Mapped[str] = mapped_column(sa.Text, default="")
    progress_percent: Mapped[int | None]
    status_from: Mapped[Status | None] = mapped_column(str_enum(Status, "update_status_from"))
    status_to: Mapped[Status | None] = mapped_column(str_enum(Status, "update_status_to"))

    assignment: Mapped[Assignment] = relationship()
    author: Mapped[User | None] = relationship()


class ExtensionStatus(enum.StrEnum):
    pending = "pending"
    approved = "approved"
    rejected = "rejected"


class ExtensionRequest(db.Model):
    """A request for more time (gia hạn), decided by the monitor or the office."""

    __tablename__ = "extension_request"
    # The "Chờ xử lý" queue: pending requests, oldest first.
    __table_args__ = (sa.Index("ix_extension_request_status_requested", "status", "requested_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    assignment_id: Mapped[int] = mapped_column(sa.ForeignKey("assignment.id", ondelete="CASCADE"), index=True)
    requested_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    current_deadline: Mapped[date | None]
    requested_deadline: Mapped[date]
    reason: Mapped[str] = mapped_column(sa.Text)
    status: Mapped[ExtensionStatus] = mapped_column(
        str_enum(ExtensionStatus, "extension_status"), default=ExtensionStatus.pending
    )
    decided_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    decision_note: Mapped[str | None] = mapped_column(sa.Text)

    assignment: Mapped[Assignment] = relationship()
    requested_by: Mapped[User | None] = relationship(foreign_keys=[requested_by_id])
    decided_by: Mapped[User | None] = relationship(foreign_keys=[decided_by_id])

    @property
    def working_days_added(self) -> int | None:
        """The working days the extension adds to the current deadline; None when there was none."""
        if self.current_deadline is None:
            return None
        return working_days_between(self.current_deadline, self.requested_deadline)

    @property
    def requested_day_off(self) -> str | None:
        """Why the date asked for is not worked (a holiday's name, "" for a weekend); None for a working day.

        The request stands as asked (the agency chose it); the page and the API flag it, with the next working day.
        """
        return day_off_name(self.requested_deadline)

    @property
    def requested_deadline_is_working_day(self) -> bool:
        return self.requested_day_off is None


class AssignmentHandler(db.Model):
    """One officer named by the agency's head to handle one of its assignments (phân công xử lý).

    Delegation is inside the agency: the monitor still deals with the agency. Rows are never deleted: a
    reassignment ends the current rows (ended_at, ended_by) and adds new ones, so the trail stays.
    """

    __tablename__ = "assignment_handler"
    __table_args__ = (
        # "Việc của tôi": the work a user handles now; also forbids naming the same handler twice at once.
        sa.Index(
            "ix_assignment_handler_user_current",
            "user_id",
            "assignment_id",
            unique=True,
            postgresql_where=sa.text("ended_at IS NULL"),
            sqlite_where=sa.text("ended_at IS NULL"),
        ),
        # One assignment's handlers and trail.
        sa.Index("ix_assignment_handler_assignment", "assignment_id", "assigned_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    assignment_id: Mapped[int] = mapped_column(sa.ForeignKey("assignment.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user_account.id"))
    #: the head's instruction to the handler
    note: Mapped[str] = mapped_column(sa.Text, default="")
    #: the agency's internal due date: never after the assignment's deadline
    due_on: Mapped[date | None]
    assigned_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    assigned_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    #: set when a reassignment (or a withdrawal) ends this row; NULL while the user handles the work
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    ended_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))

    assignment: Mapped[Assignment] = relationship()
    user: Mapped[User] = relationship(foreign_keys=[user_id])
    assigned_by: Mapped[User | None] = relationship(foreign_keys=[assigned_by_id])
    ended_by: Mapped[User | None] = relationship(foreign_keys=[ended_by_id])

    @property
    def is_current(self) -> bool:
        return self.ended_at is None


class AssignmentTally(db.Model):
    """The dashboards' counts, kept by database triggers (migration 0014_assignment_tally); read by reports.tally.

    One row per (issuer, monitor, assignee agency, kind, deadline) of the work of published directives,
    cancelled work left out. `kind` is the timeliness where it no longer depends on the day, else "open"
    with the deadline kept (`deadline` is 0001-01-01 for the other kinds), so that overdue, due soon and
    on time are decided when read. `monitor_agency_id` is 0 for a directive without a monitor.
    """

    __tablename__ = "assignment_tally"
    __table_args__ = (
        sa.Index("ix_assignment_tally_monitor", "monitor_agency_id"),
        sa.Index("ix_assignment_tally_agency", "agency_id"),
    )

    issuer_id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    monitor_agency_id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    agency_id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    kind: Mapped[str] = mapped_column(sa.String(16), primary_key=True)
    deadline: Mapped[date] = mapped_column(primary_key=True)
    n: Mapped[int]


class TallyRoll(db.Model):
    """The day before which open work's tally rows have been merged (reports.tally.roll); one row at most.

    Open work past its deadline stays overdue whatever day follows, so its rows need no deadline of their own
    once that day has come: the daily roll merges them into one row per (issuer, monitor, agency) dated the
    day before `rolled_before`, and the dashboards sum ~11,000 rows instead of ~54,000 at province scale.
    Counts for a day before `rolled_before` are read from the assignments instead.
    """

    __tablename__ = "tally_roll"
    __table_args__ = (sa.CheckConstraint("id = 1", name="one_row"),)

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False, default=1)
    rolled_before: Mapped[date]
