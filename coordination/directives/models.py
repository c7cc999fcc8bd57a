"""Directives (công văn, chỉ thị, kế hoạch), their addressees and their numbered tasks."""

from __future__ import annotations

import enum
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from coordination.agencies.models import Agency, AgencyGroup
from coordination.db import UTCDateTime, str_enum, utcnow
from coordination.extensions import db


class DocType(enum.StrEnum):
    cong_van = "cong_van"
    chi_thi = "chi_thi"
    ke_hoach = "ke_hoach"
    quyet_dinh = "quyet_dinh"
    thong_bao = "thong_bao"
    bao_cao = "bao_cao"
    other = "other"


class DirectiveStatus(enum.StrEnum):
    draft = "draft"
    active = "active"
    closed = "closed"


class Recurrence(enum.StrEnum):
    none = "none"
    continuous = "continuous"
    weekly = "weekly"
    monthly = "monthly"
    quarterly = "quarterly"


class Directive(db.Model):
    __tablename__ = "directive"
    __table_args__ = (
        sa.UniqueConstraint("issuer_id", "ref"),
        sa.Index("ix_directive_issued_on", "issued_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(sa.String(20))
    symbol: Mapped[str] = mapped_column(sa.String(60))
    #: "2157/UBND-KSTT": number/symbol, unique per issuer
    ref: Mapped[str] = mapped_column(sa.String(90))
    doc_type: Mapped[DocType] = mapped_column(str_enum(DocType, "doc_type"), default=DocType.cong_van)
    issuer_id: Mapped[int] = mapped_column(sa.ForeignKey("agency.id"), index=True)
    place: Mapped[str | None] = mapped_column(sa.String(120))
    issued_on: Mapped[date]
    #: trích yếu, the "V/v ..." line
    subject: Mapped[str] = mapped_column(sa.Text)
    #: one basis per line ("Quyết định số 06/QĐ-TTg ...")
    legal_basis: Mapped[list[str]] = mapped_column(sa.JSON, default=list)
    signer_name: Mapped[str | None] = mapped_column(sa.String(120))
    signer_title: Mapped[str | None] = mapped_column(sa.String(120))
    #: "TM. Ủy ban nhân dân, KT. Chủ tịch"
    signer_authority: Mapped[str | None] = mapped_column(sa.String(200))
    #: the agency that "theo dõi, đôn đốc" (monitors and urges)
    monitor_agency_id: Mapped[int | None] = mapped_column(sa.ForeignKey("agency.id"), index=True)
    report_to_agency_id: Mapped[int | None] = mapped_column(sa.ForeignKey("agency.id"))
    #: the campaign-wide deadline; tasks without one of their own take it
    deadline: Mapped[date | None]
    source_text: Mapped[str | None] = mapped_column(sa.Text)
    status: Mapped[DirectiveStatus] = mapped_column(
        str_enum(DirectiveStatus, "directive_status"), default=DirectiveStatus.draft, index=True
    )
    #: ref, subject and task texts without diacritics, lower-case: what the search box matches
    search_text: Mapped[str] = mapped_column(sa.Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)
    activated_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    issuer: Mapped[Agency] = relationship(foreign_keys=[issuer_id])
    monitor_agency: Mapped[Agency | None] = relationship(foreign_keys=[monitor_agency_id])
    report_to_agency: Mapped[Agency | None] = relationship(foreign_keys=[report_to_agency_id])
    addressees: Mapped[list[DirectiveAddressee]] = relationship(
        back_populates="directive", cascade="all, delete-orphan", order_by="DirectiveAddressee.position"
    )
    tasks: Mapped[list[Task]] = relationship(
        back_populates="directive", cascade="all, delete-orphan", order_by="Task.position"
    )

    def __str__(self) -> str:
        return self.ref

    @staticmethod
    def make_ref(number: str, symbol: str) -> str:
        return f"{number.strip()}/{symbol.strip()}"


class DirectiveAddressee(db.Model):
    """One line of "Kính gửi", as named, resolved to an agency or a group."""

    __tablename__ = "directive_addressee"
    __table_args__ = (sa.CheckConstraint("NOT (agency_id IS NOT NULL AND group_id IS NOT NULL)", name="one_target"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    directive_id: Mapped[int] = mapped_column(sa.ForeignKey("directive.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(default=0)
    name: Mapped[str] = mapped_column(sa.String(255))
    agency_id: Mapped[int | None] = mapped_column(sa.ForeignKey("agency.id"), index=True)
    group_id: Mapped[int | None] = mapped_column(sa.ForeignKey("agency_group.id"), index=True)

    directive: Mapped[Directive] = relationship(back_populates="addressees")
    agency: Mapped[Agency | None] = relationship()
    group: Mapped[AgencyGroup | None] = relationship()


class Task(db.Model):
    """A numbered item of a directive; labels are kept as printed, order by position."""

    __tablename__ = "task"
    __table_args__ = (
        sa.UniqueConstraint("directive_id", "position"),
        # the target of assignment's (task_id, directive_id) foreign key
        sa.UniqueConstraint("id", "directive_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    directive_id: Mapped[int] = mapped_column(sa.ForeignKey("directive.id", ondelete="CASCADE"), index=True)
    #: as printed: "1", "12", "2.a", "-"
    label: Mapped[str] = mapped_column(sa.String(20))
    #: place in the document, across sub-items too (labels may skip or run out of order)
    position: Mapped[int]
    parent_id: Mapped[int | None] = mapped_column(sa.ForeignKey("task.id", ondelete="CASCADE"), index=True)
    text: Mapped[str] = mapped_column(sa.Text)
    deadline: Mapped[date | None]
    #: the deadline as the directive wrote it, "trong N ngày làm việc kể từ ngày nhận được văn bản": N (the
    #: deadline above is then N working days after the issue date); None for a deadline written as a date
    deadline_working_days: Mapped[int | None]
    recurrence: Mapped[Recurrence] = mapped_column(str_enum(Recurrence, "recurrence"), default=Recurrence.none)
    #: for recurring reports: due on this day of the period (day of week 1-7, of month, of quarter)
    recurrence_day: Mapped[int | None]

    directive: Mapped[Directive] = relationship(back_populates="tasks")
    parent: Mapped[Task | None] = relationship(remote_side=[id], back_populates="subtasks")
    subtasks: Mapped[list[Task]] = relationship(back_populates="parent", order_by="Task.position")
    assignments: Mapped[list["Assignment"]] = relationship(  # noqa: UP037, F821 - defined in assignments
        back_populates="task", cascade="all, delete-orphan", order_by="Assignment.id"
    )

    def __str__(self) -> str:
        return f"{self.directive.ref} — {self.label}"

    @property
    def display_label(self) -> str:
        """The label a reader quotes: "2 -" for a dash under task 2."""
        if self.parent is not None and self.label in {"-", "+", "•"}:
            return f"{self.parent.display_label} {self.label}"
        return self.label
