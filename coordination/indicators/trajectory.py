"""A target's trajectory: plan, actual, recent rate, projected date and a red / amber / green rating.

- plan: a straight line from the baseline (value, day) to the target on the deadline; for a per-day
  target ("700 hồ sơ/ngày") the plan is the rate itself;
- rate: the average daily increase over the last 7 days of measurements (from the baseline when there
  is only one measurement);
- projection: the day the target is reached at that rate;
- rating: green when on or above plan (or the target is reached), amber when behind plan but the
  projection meets the deadline, red when it misses it (or nothing moves). For a per-day target:
  green when the last 7 days average at least the rate, amber from 90 % of it, red below;
- outcome: once the deadline has passed a target is met or missed, never "at risk" (issue 11): met when
  reached by the deadline (a per-day target: green on its last week), the rating then green or red and
  no projection.
"""

from __future__ import annotations

import enum
import math
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from coordination.formatting import current_locale, format_date, format_number
from coordination.indicators.models import Indicator, Measurement


class Rating(enum.StrEnum):
    green = "green"
    amber = "amber"
    red = "red"


RATING_ORDER = {Rating.red: 0, Rating.amber: 1, Rating.green: 2}


class Outcome(enum.StrEnum):
    """A target whose deadline has passed."""

    met = "met"
    missed = "missed"


@dataclass
class Trajectory:
    target: float
    baseline: float
    actual: float | None
    actual_on: date | None
    planned: float | None
    percent: float | None
    rate_7d: float | None
    projected_on: date | None
    reached_on: date | None
    rating: Rating
    points: list[tuple[date, float]] = field(default_factory=list)
    #: None while the deadline is ahead (or there is none)
    outcome: Outcome | None = None

    def as_dict(self) -> dict:
        return {
            "target": self.target,
            "baseline": self.baseline,
            "actual": self.actual,
            "actual_on": self.actual_on,
            "planned": self.planned,
            "percent": self.percent,
            "rate_7d": self.rate_7d,
            "projected_on": self.projected_on,
            "reached_on": self.reached_on,
            "rating": self.rating.value,
            "outcome": self.outcome.value if self.outcome else None,
            "points": [{"on": d, "value": v} for d, v in self.points],
        }


def totals(measurements: list[Measurement]) -> list[tuple[date, float]]:
    """The total on each measured day: the total rows when there are any, else the sum of each agency's latest."""
    overall = [(m.measured_on, float(m.value)) for m in measurements if m.agency_id is None]
    if overall:
        by_day = dict(sorted(overall))
        return sorted(by_day.items())
    latest: dict[int, float] = {}
    result: dict[date, float] = {}
    for m in sorted(measurements, key=lambda m: (m.measured_on, m.id or 0)):
        latest[m.agency_id] = float(m.value)  # type: ignore[index]
        result[m.measured_on] = sum(latest.values())
    return sorted(result.items())


def planned_value(indicator: Indicator, day: date) -> float | None:
    start = indicator.baseline_on
    baseline = float(indicator.baseline_value or 0)
    target = float(indicator.target_value)
    if start is None or indicator.deadline is None:
        return None
    if day <= start:
        return baseline
    if day >= indicator.deadline:
        return target
    span = (indicator.deadline - start).days
    return baseline + (target - baseline) * (day - start).days / span


def compute(indicator: Indicator, today: date, measurements: list[Measurement] | None = None) -> Trajectory:
    """The trajectory on `today`; a target past its deadline is closed: met or missed."""
    return _close(indicator, today, _compute(indicator, today, measurements))


def _close(indicator: Indicator, today: date, trajectory: Trajectory) -> Trajectory:
    if indicator.deadline is None or today <= indicator.deadline:
        return trajectory
    if indicator.daily_rate is not None:
        met = trajectory.rating == Rating.green
    else:
        met = trajectory.reached_on is not None and trajectory.reached_on <= indicator.deadline
    trajectory.outcome = Outcome.met if met else Outcome.missed
    trajectory.rating = Rating.green if met else Rating.red
    if not met:
        trajectory.projected_on = None  # "dự kiến đạt 04/10/2022" after the day has passed says nothing
    return trajectory


def _compute(indicator: Indicator, today: date, measurements: list[Measurement] | None = None) -> Trajectory:
    points = totals(measurements if measurements is not None else list(indicator.measurements))
    target = float(indicator.target_value)
    baseline = float(indicator.baseline_value or 0)
    if indicator.daily_rate is not None:
        return _daily(indicator, points, target, baseline)
    actual_on, actual = points[-1] if points else (None, None)
    reached_on = next((d for d, v in points if v >= target), None)
    rate = _rate(points, indicator.baseline_on, baseline)
    current = actual if actual is not None else baseline
    as_of = actual_on or today
    if reached_on is not None:
        projected = reached_on
    elif rate and rate > 0:
        projected = as_of + timedelta(days=math.ceil((target - current) / rate))
    else:
        projected = None
    planned = planned_value(indicator, as_of)
    if reached_on is not None or (planned is not None and current >= planned):
        rating = Rating.green
    elif projected is not None and (indicator.deadline is None or projected <= indicator.deadline):
        rating = Rating.amber
    else:
        rating = Rating.red
    return Trajectory(
        target=target,
        baseline=baseline,
        actual=actual,
        actual_on=actual_on,
        planned=planned,
        percent=_floor_percent(current, target),
        rate_7d=round(rate, 1) if rate is not None else None,
        projected_on=projected,
        reached_on=reached_on,
        rating=rating,
        points=points,
    )


def _floor_percent(value: float, whole: float) -> float | None:
    """One decimal, rounded down as the directives write it (37.075/50.527 = 73,3 %): never overstate progress."""
    if not whole:
        return None
    return math.floor(1000 * value / whole + 1e-9) / 10


def _rate(points: list[tuple[date, float]], baseline_on: date | None, baseline: float) -> float | None:
    if not points:
        return None
    last_day, last_value = points[-1]
    window = [(d, v) for d, v in points if d >= last_day - timedelta(days=7) and d < last_day]
    if window:
        first_day, first_value = window[0]
    elif len(points) > 1:
        first_day, first_value = points[-2]
    elif baseline_on is not None and baseline_on < last_day:
        first_day, first_value = baseline_on, baseline
    else:
        return None
    return (last_value - first_value) / max(1, (last_day - first_day).days)


def _daily(indicator: Indicator, points: list[tuple[date, float]], target: float, baseline: float) -> Trajectory:
    rate = float(indicator.daily_rate or Decimal(0))
    last = points[-1] if points else None
    recent = [v for d, v in points if last and d > last[0] - timedelta(days=7)]
    average = sum(recent) / len(recent) if recent else None
    if average is None:
        rating = Rating.red
    elif average >= rate:
        rating = Rating.green
    elif average >= 0.9 * rate:
        rating = Rating.amber
    else:
        rating = Rating.red
    return Trajectory(
        target=target,
        baseline=baseline,
        actual=last[1] if last else None,
        actual_on=last[0] if last else None,
        planned=rate,
        percent=_floor_percent(average, rate) if average is not None else None,
        rate_7d=round(average, 1) if average is not None else None,
        projected_on=None,
        reached_on=None,
        rating=rating,
        points=points,
    )


#: a tick step is one of these times a power of ten, so the axis reads 0, 30.000, 60.000, ...
_NICE_STEPS = (1, 2, 2.5, 3, 4, 5, 6, 8, 10)
_Y_TICKS = 4


def _y_scale(top: float) -> tuple[float, float]:
    """(step, axis top) for `_Y_TICKS` steps covering `top` with round numbers."""
    raw = max(top, 1) / _Y_TICKS
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in _NICE_STEPS if m * magnitude >= raw - 1e-9)
    return step, step * _Y_TICKS


def chart_svg(indicator: Indicator, trajectory: Trajectory, *, width: int = 480, height: int = 220) -> str:
    """A small line chart (plan dashed, actual solid) with labelled axes, rendered here so that it also prints.

    The vertical axis is in the target's unit with round values (vi: 100.000), the horizontal one in days
    (dd/mm/yyyy) from the baseline to the deadline, with the middle day marked.
    """
    from flask_babel import gettext as _
    from markupsafe import escape

    left, right, top_pad, bottom = 72, 16, 26, 46
    start = indicator.baseline_on or (trajectory.points[0][0] if trajectory.points else None)
    end = indicator.deadline or (trajectory.points[-1][0] if trajectory.points else None)
    if start is None or end is None or end <= start:
        return ""
    days = (end - start).days
    step, top = _y_scale(max([trajectory.target, *(v for _, v in trajectory.points)]))
    locale = current_locale()

    def x(day: date) -> float:
        return left + (width - left - right) * min(max((day - start).days, 0), days) / days

    def y(value: float) -> float:
        return height - bottom - (height - top_pad - bottom) * value / top

    plan = (
        f'<line class="plan" x1="{x(start):.1f}" y1="{y(trajectory.baseline):.1f}" x2="{x(end):.1f}" '
        f'y2="{y(trajectory.target):.1f}" stroke="#555" stroke-dasharray="6 4"/>'
        if indicator.daily_rate is None
        else ""
    )
    actual = " ".join(f"{x(d):.1f},{y(v):.1f}" for d, v in trajectory.points)
    dots = "".join(f'<circle cx="{x(d):.1f}" cy="{y(v):.1f}" r="3"/>' for d, v in trajectory.points)
    colour = {"green": "#1b7f3b", "amber": "#b26a00", "red": "#b00020"}[trajectory.rating.value]
    title = escape(indicator.name)
    y_ticks = "".join(
        f'<line x1="{left}" y1="{y(step * i):.1f}" x2="{width - right}" y2="{y(step * i):.1f}" stroke="#e3e3e3"/>'
        f'<text class="y-tick" x="{left - 6}" y="{y(step * i) + 4:.1f}" font-size="11" text-anchor="end">'
        f"{format_number(step * i, locale=locale)}</text>"
        for i in range(_Y_TICKS + 1)
    )
    middle = start + timedelta(days=days // 2)
    x_ticks = "".join(
        f'<line x1="{x(day):.1f}" y1="{height - bottom}" x2="{x(day):.1f}" y2="{height - bottom + 4}" stroke="#999"/>'
        f'<text class="x-tick" x="{x(day):.1f}" y="{height - bottom + 16}" font-size="11" text-anchor="{anchor}">'
        f"{format_date(day)}</text>"
        for day, anchor in ((start, "start"), (middle, "middle"), (end, "end"))
    )
    unit = escape(indicator.unit + (_("/ngày") if indicator.daily_rate is not None else ""))
    legend_y = 14
    legend = (
        f'<line x1="{left}" y1="{legend_y - 4}" x2="{left + 22}" y2="{legend_y - 4}" stroke="#555" '
        f'stroke-dasharray="6 4"/><text x="{left + 26}" y="{legend_y}" font-size="11">{escape(_("Kế hoạch"))}</text>'
        if indicator.daily_rate is None
        else ""
    ) + (
        f'<line x1="{left + 100}" y1="{legend_y - 4}" x2="{left + 122}" y2="{legend_y - 4}" stroke="{colour}" '
        f'stroke-width="2"/><text x="{left + 126}" y="{legend_y}" font-size="11">{escape(_("Thực hiện"))}</text>'
    )
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-label="{title}" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" class="indicator-chart">'
        f"<title>{title}</title>"
        f"{y_ticks}"
        f'<line x1="{left}" y1="{height - bottom}" x2="{width - right}" y2="{height - bottom}" stroke="#999"/>'
        f'<line x1="{left}" y1="{top_pad}" x2="{left}" y2="{height - bottom}" stroke="#999"/>'
        f"{x_ticks}"
        f'<text class="y-title" x="12" y="{(top_pad + height - bottom) / 2:.1f}" font-size="11" text-anchor="middle" '
        f'transform="rotate(-90 12 {(top_pad + height - bottom) / 2:.1f})">{unit}</text>'
        f'<text class="x-title" x="{(left + width - right) / 2:.1f}" y="{height - 6}" font-size="11" '
        f'text-anchor="middle">{escape(_("Ngày"))}</text>'
        f"{legend}"
        f"{plan}"
        f'<polyline fill="none" stroke="{colour}" stroke-width="2" points="{actual}"/>'
        f'<g fill="{colour}">{dots}</g>'
        "</svg>"
    )
