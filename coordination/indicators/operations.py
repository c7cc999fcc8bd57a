"""Targets and their measurements. Operations flush; the caller commits."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from coordination import audit
from coordination.agencies.models import Agency
from coordination.directives.models import Directive
from coordination.extensions import db
from coordination.indicators.models import Indicator, Measurement


def create_indicator(
    directive: Directive, data: dict[str, Any], *, actor: audit.Actor, agency: Agency | None = None
) -> Indicator:
    """Attach a target (chỉ tiêu) to a directive."""
    audit.is_system(actor)  # refuses a missing actor before anything is written
    indicator = Indicator(
        directive=directive,
        name=data["name"],
        unit=data["unit"],
        target_value=Decimal(str(data["target_value"])),
        baseline_value=Decimal(str(data.get("baseline_value") or 0)),
        baseline_on=data.get("baseline_on"),
        deadline=data.get("deadline"),
        daily_rate=Decimal(str(data["daily_rate"])) if data.get("daily_rate") is not None else None,
        agency=agency,
    )
    db.session.add(indicator)
    db.session.flush()
    audit.record(
        actor,
        "indicator.create",
        "indicator",
        indicator.id,
        after=audit.snapshot(indicator, ["name", "unit", "target_value", "deadline"]),
        directive_id=directive.id,
    )
    return indicator


def add_measurement(
    indicator: Indicator,
    measured_on: date,
    value: Decimal | int,
    *,
    actor: audit.Actor,
    of_value: Decimal | int | None = None,
    agency: Agency | None = None,
) -> Measurement:
    """Record the value reached on a day, in total or for one agency."""
    audit.is_system(actor)  # refuses a missing actor before anything is written
    measurement = Measurement(
        indicator=indicator,
        measured_on=measured_on,
        value=Decimal(str(value)),
        of_value=Decimal(str(of_value)) if of_value is not None else None,
        agency=agency,
        recorded_by_id=audit.acting_user_id(actor),
    )
    db.session.add(measurement)
    db.session.flush()
    audit.record(
        actor,
        "measurement.add",
        "measurement",
        measurement.id,
        after=audit.snapshot(measurement, ["measured_on", "value", "of_value", "agency_id"]),
        directive_id=indicator.directive_id,
    )
    return measurement
