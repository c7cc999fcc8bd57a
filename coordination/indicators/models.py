"""Targets (chỉ tiêu) and their measurements."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from coordination.agencies.models import Agency
from coordination.db import UTCDateTime, utcnow
from coordination.directives.models import Directive
from coordination.extensions import db


class Indicator(db.Model):
    __tablename__ = "indicator"

    id: Mapped[int] = mapped_column(primary_key=True)
    directive_id: Mapped[int] = mapped_column(sa.ForeignKey("directive.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(sa.String(255))
    unit: Mapped[str] = mapped_column(sa.String(40))
    target_value: Mapped[Decimal] = mapped_column(sa.Numeric(18, 2))
    baseline_value: Mapped[Decimal] = mapped_column(sa.Numeric(18, 2), default=0)
    baseline_on: Mapped[date | None]
    deadline: Mapped[date | None]
    #: for a per-day target ("700 hồ sơ/ngày")
    daily_rate: Mapped[Decimal | None] = mapped_column(sa.Numeric(18, 2))
    #: the agency responsible for entering measurements
    agency_id: Mapped[int | None] = mapped_column(sa.ForeignKey("agency.id"))

    directive: Mapped[Directive] = relationship()
    agency: Mapped[Agency | None] = relationship()
    measurements: Mapped[list[Measurement]] = relationship(
        back_populates="indicator", cascade="all, delete-orphan", order_by="Measurement.measured_on"
    )


class Measurement(db.Model):
    __tablename__ = "measurement"
    __table_args__ = (sa.Index("ix_measurement_indicator_on", "indicator_id", "measured_on"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    indicator_id: Mapped[int] = mapped_column(sa.ForeignKey("indicator.id", ondelete="CASCADE"))
    measured_on: Mapped[date]
    value: Mapped[Decimal] = mapped_column(sa.Numeric(18, 2))
    #: the whole it is counted against, when the text gives one ("37.075/50.527")
    of_value: Mapped[Decimal | None] = mapped_column(sa.Numeric(18, 2))
    #: None for the total
    agency_id: Mapped[int | None] = mapped_column(sa.ForeignKey("agency.id"))
    recorded_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    indicator: Mapped[Indicator] = relationship(back_populates="measurements")
    agency: Mapped[Agency | None] = relationship()
