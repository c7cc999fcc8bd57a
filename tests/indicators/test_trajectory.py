"""Trajectory, projection and rating on hand-computed cases."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
import sqlalchemy as sa

from coordination.extensions import db
from coordination.indicators.models import Indicator, Measurement
from coordination.indicators.trajectory import Rating, chart_svg, compute

J = date(2026, 1, 1)


def jan(day: int) -> date:
    return date(2026, 1, day)


def indicator(**extra) -> Indicator:  # type: ignore[no-untyped-def]
    values = dict(
        name="Hồ sơ",
        unit="hồ sơ",
        target_value=Decimal(100),
        baseline_value=Decimal(0),
        baseline_on=jan(1),
        deadline=jan(11),
        daily_rate=None,
    )
    values.update(extra)
    return Indicator(**values)


def points(*pairs: tuple[int, int]) -> list[Measurement]:
    return [Measurement(measured_on=jan(d), value=Decimal(v), agency_id=None) for d, v in pairs]


@pytest.mark.parametrize(
    ("measured", "today", "rating", "planned", "rate", "projected", "percent"),
    [
        # on plan: 40 of 100 on day 4 of 10 -> 10/day from the baseline, reaches 100 on 11/1
        (((5, 40),), jan(5), Rating.green, 40.0, 10.0, jan(11), 40.0),
        # behind, and at 7,5/day it reaches 100 on 15/1, after the deadline
        (((5, 30),), jan(5), Rating.red, 40.0, 7.5, jan(15), 30.0),
        # behind plan (60) but 11,25/day over the last week meets the deadline exactly
        (((3, 10), (7, 55)), jan(7), Rating.amber, 60.0, 11.2, jan(11), 55.0),
        # behind and too slow
        (((3, 10), (7, 50)), jan(7), Rating.red, 60.0, 10.0, jan(12), 50.0),
    ],
)
def test_hand_computed(measured, today, rating, planned, rate, projected, percent) -> None:  # type: ignore[no-untyped-def]
    result = compute(indicator(), today, points(*measured))
    assert (result.rating, result.planned, result.rate_7d, result.projected_on, result.percent) == (
        rating,
        planned,
        rate,
        projected,
        percent,
    )


def test_target_already_reached() -> None:
    result = compute(indicator(), jan(9), points((4, 60), (8, 100)))
    assert result.reached_on == jan(8)
    assert result.projected_on == jan(8)
    assert result.rating == Rating.green
    assert result.percent == 100.0


def test_no_measurements_after_the_start_is_red() -> None:
    result = compute(indicator(), jan(5), [])
    assert (result.actual, result.rate_7d, result.projected_on) == (None, None, None)
    assert result.planned == 40.0
    assert result.rating == Rating.red


def test_no_measurements_before_the_start_is_green() -> None:
    result = compute(indicator(baseline_on=jan(10), deadline=jan(20)), jan(5), [])
    assert result.rating == Rating.green


@pytest.mark.parametrize(
    ("values", "rating", "average"),
    [((650, 720, 700), Rating.amber, 690.0), ((800, 700), Rating.green, 750.0), ((500,), Rating.red, 500.0)],
)
def test_daily_rate_target(values, rating, average) -> None:  # type: ignore[no-untyped-def]
    daily = indicator(target_value=Decimal(700), daily_rate=Decimal(700), baseline_on=None, deadline=None)
    result = compute(daily, jan(10), points(*[(1 + i, v) for i, v in enumerate(values)]))
    assert (result.rating, result.rate_7d) == (rating, average)


def test_per_agency_measurements_add_up() -> None:
    measured = [
        Measurement(measured_on=jan(3), value=Decimal(10), agency_id=1),
        Measurement(measured_on=jan(4), value=Decimal(15), agency_id=2),
        Measurement(measured_on=jan(5), value=Decimal(20), agency_id=1),
    ]
    result = compute(indicator(), jan(5), measured)
    assert result.points == [(jan(3), 10.0), (jan(4), 25.0), (jan(5), 35.0)]


def test_tam_diep_demo_figure(app) -> None:
    demo = db.session.scalar(sa.select(Indicator).where(Indicator.target_value == 50527))
    on_22_april = [m for m in demo.measurements if m.measured_on == date(2021, 4, 22)]
    result = compute(demo, date(2021, 4, 22), on_22_april)
    assert (result.actual, result.percent) == (37075.0, 73.3)


def test_chart_is_svg_with_plan_and_points() -> None:
    ind = indicator()
    svg = chart_svg(ind, compute(ind, jan(7), points((3, 10), (7, 55))))
    assert svg.startswith("<svg") and "stroke-dasharray" in svg and svg.count("<circle") == 2


def test_chart_has_labelled_axes_with_values(app) -> None:
    """Issue 11: the chart named no axis and no value; now the unit and round values up, the days along."""
    import re

    demo = db.session.scalar(sa.select(Indicator).where(Indicator.target_value == 327407))
    svg = chart_svg(demo, compute(demo, date(2022, 9, 20)))
    assert re.findall(r'<text class="y-tick"[^>]*>([^<]+)</text>', svg) == [
        "0",
        "100.000",
        "200.000",
        "300.000",
        "400.000",
    ]
    assert re.findall(r'<text class="x-tick"[^>]*>([^<]+)</text>', svg) == ["14/08/2022", "06/09/2022", "30/09/2022"]
    assert re.search(r'<text class="y-title"[^>]*>hồ sơ</text>', svg)
    assert re.search(r'<text class="x-title"[^>]*>Ngày</text>', svg)
    assert ">Kế hoạch</text>" in svg and ">Thực hiện</text>" in svg
    # the plan runs from the baseline (0 on the axis) to the target on the deadline
    plan = re.search(r'<line class="plan" x1="([\d.]+)" y1="([\d.]+)" x2="([\d.]+)" y2="([\d.]+)"', svg)
    zero = re.search(r'<text class="y-tick" x="[\d.]+" y="([\d.]+)"', svg)
    assert abs(float(plan[2]) - (float(zero[1]) - 4)) < 0.2


def test_chart_axis_steps_are_round() -> None:
    from coordination.indicators.trajectory import _y_scale

    assert _y_scale(120000) == (30000, 120000)
    assert _y_scale(327407) == (100000, 400000)
    assert _y_scale(100) == (25, 100)
    assert _y_scale(50527) == (20000, 80000)
