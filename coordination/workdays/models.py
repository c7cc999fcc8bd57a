"""The admin's corrections to the holiday library: announced days off and make-up working days."""

from __future__ import annotations

import enum
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from coordination.db import UTCDateTime, str_enum, utcnow
from coordination.extensions import db


class DayKind(enum.StrEnum):
    #: nobody works: an announced day off (nghỉ), or a holiday the library lacks
    off = "off"
    #: a working day on a day the week or the library would leave off (làm bù: a make-up Saturday)
    working = "working"


class DayUnit(enum.StrEnum):
    """How a number of days is counted: every day, or working days only (ngày làm việc)."""

    calendar = "calendar"
    working = "working"


class CalendarDay(db.Model):
    """One day whose kind the government announced, or the admin corrected; it overrides the library."""

    __tablename__ = "calendar_day"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: unique: a day is either off or working, and the table says it once
    day: Mapped[date] = mapped_column(unique=True)
    kind: Mapped[DayKind] = mapped_column(str_enum(DayKind, "calendar_day_kind"))
    #: what the announcement calls it ("Nghỉ Tết Nguyên đán", "Làm bù cho ngày 31/8/2026")
    name: Mapped[str] = mapped_column(sa.String(200), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    def __str__(self) -> str:
        return f"{self.day.strftime('%d/%m/%Y')} {self.name}"
