"""Finding targets a user may see, each with its trajectory; at-risk (red) first wherever they are listed."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import contains_eager, joinedload, selectinload

from coordination.agencies.models import Agency
from coordination.assignments.models import Assignment
from coordination.auth.models import User
from coordination.collation import vi_order
from coordination.db import today as local_today
from coordination.directives.models import Directive, Task
from coordination.extensions import db
from coordination.indicators.models import Indicator, Measurement
from coordination.indicators.trajectory import RATING_ORDER, Trajectory, chart_svg, compute
from coordination.permissions import visible_directives


@dataclass(frozen=True)
class IndicatorRow:
    indicator: Indicator
    trajectory: Trajectory

    @property
    def chart(self) -> str:
        return chart_svg(self.indicator, self.trajectory)


def _query(user: User | None) -> sa.Select:
    return (
        sa.select(Indicator)
        .join(Directive, Directive.id == Indicator.directive_id)
        .where(visible_directives(user))
        .options(
            contains_eager(Indicator.directive),
            joinedload(Indicator.agency),
            selectinload(Indicator.measurements).joinedload(Measurement.agency),
        )
    )


def indicator_rows(
    user: User | None, *, directive_id: int | None = None, day: date | None = None
) -> list[IndicatorRow]:
    """The targets of the directives `user` may see, red first, then amber, then green; three queries."""
    query = _query(user)
    if directive_id is not None:
        query = query.where(Indicator.directive_id == directive_id)
    day = day or local_today()
    rows = [IndicatorRow(i, compute(i, day)) for i in db.session.scalars(query).unique()]
    return sorted(
        rows,
        key=lambda r: (RATING_ORDER[r.trajectory.rating], -r.indicator.directive.issued_on.toordinal(), r.indicator.id),
    )


def get_indicator(user: User | None, indicator_id: int) -> Indicator | None:
    """One target on a directive `user` may see, with its measurements; None if missing or not visible."""
    return db.session.scalars(_query(user).where(Indicator.id == indicator_id)).unique().one_or_none()


def measurement_percent(measurement: Measurement, indicator: Indicator) -> float | None:
    """The share a measurement reports, of its own whole ("37.075/50.527") or of the target; rounded down."""
    whole = float(measurement.of_value or indicator.target_value or 0)
    if not whole:
        return None
    return math.floor(1000 * float(measurement.value) / whole + 1e-9) / 10


def measurement_agencies(indicator: Indicator) -> list[Agency]:
    """Who a measurement may be counted for: the indicator's agency and the agencies working on its directive."""
    working = (
        sa.select(Assignment.agency_id)
        .join(Task, Task.id == Assignment.task_id)
        .where(Task.directive_id == indicator.directive_id)
    )
    clause = Agency.id.in_(working)
    if indicator.agency_id is not None:
        clause = sa.or_(clause, Agency.id == indicator.agency_id)
    return list(db.session.scalars(sa.select(Agency).where(clause).order_by(vi_order(Agency.name_vi))))
