"""Due dates of recurring duties: a weekly, monthly or quarterly report "by day D" is one due item per period."""

from __future__ import annotations

import calendar
from datetime import date, timedelta

from coordination.directives.models import Recurrence

PERIODIC = frozenset({Recurrence.weekly, Recurrence.monthly, Recurrence.quarterly})
#: when the directive does not say which day: Friday, the 25th, the 15th of the quarter's last month
DEFAULT_DAY = {Recurrence.weekly: 5, Recurrence.monthly: 25, Recurrence.quarterly: 15}
#: a duty with no end date is scheduled this far ahead
HORIZON = timedelta(days=366)


def _clamped(year: int, month: int, day: int) -> date:
    return date(year, month, min(day, calendar.monthrange(year, month)[1]))


def due_dates(recurrence: Recurrence, day: int | None, start: date, end: date | None) -> list[date]:
    """Every due date after `start` up to and including `end` (or a year ahead when there is no end)."""
    if recurrence not in PERIODIC:
        return []
    day = day or DEFAULT_DAY[recurrence]
    end = end or start + HORIZON
    dates: list[date] = []
    if recurrence == Recurrence.weekly:
        current = start + timedelta(days=(day - start.isoweekday()) % 7 or 7)
        while current <= end:
            dates.append(current)
            current += timedelta(days=7)
        return dates
    step = 1 if recurrence == Recurrence.monthly else 3
    year, month = start.year, start.month
    if recurrence == Recurrence.quarterly:
        month = ((month - 1) // 3) * 3 + 3  # the last month of the current quarter
    while True:
        current = _clamped(year, month, day)
        if current > end:
            return dates
        if current > start:
            dates.append(current)
        month += step
        if month > 12:
            year, month = year + 1, month - 12
