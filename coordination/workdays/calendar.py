"""Working-day arithmetic: the week's working days, Vietnam's public holidays, the admin's corrections.

Three layers decide whether a day is worked, the last that speaks wins:

1. the week: `WORKING_WEEKDAYS` (Monday to Friday unless configured);
2. the `holidays` library (`holidays.Vietnam`): the Labour Code's holidays with the lunar ones (Tết
   Nguyên đán, Giỗ Tổ Hùng Vương) computed, the days off in lieu, and the swaps the government announced
   that the library already knows (a day off and the Saturday worked for it);
3. the table `calendar_day` (the admin's page, or `flask calendar import FILE`): announced days off and
   make-up working days (làm bù) the library lacks or has wrong.

`WorkCalendar` is pure (tests build one from plain dicts); `work_calendar()` is the app's, built from the
library and the table and cached: the library per year, the table (a few rows a year) whole, reloaded when
an operation changes it in this process, and after `WORKING_CALENDAR_CACHE_SECONDS` for the others.
"""

from __future__ import annotations

import functools
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import holidays
import sqlalchemy as sa
from flask import Flask, current_app
from sqlalchemy import event
from sqlalchemy.orm import Session

from coordination.extensions import db
from coordination.workdays.models import CalendarDay, DayKind

#: ISO weekday numbers (Monday 1 … Sunday 7) and the names WORKING_WEEKDAYS may use
WEEKDAY_NAMES = {"mon": 1, "tue": 2, "wed": 3, "thu": 4, "fri": 5, "sat": 6, "sun": 7}
#: no deadline is written further than this many working days away; beyond it the input is a mistake
MAX_WORKING_DAYS = 2000
#: where the arithmetic gives up when it finds no working day at all (a calendar with every day off)
_SEARCH_LIMIT = 366 * 20


class Source:
    library = "library"
    table = "table"


@dataclass(frozen=True)
class DayEntry:
    """A day that is not simply what its weekday says, or a holiday: its kind, its name, who says so."""

    day: date
    kind: DayKind
    name: str
    source: str


def parse_weekdays(value: str | Iterable[int | str]) -> frozenset[int]:
    """Read WORKING_WEEKDAYS ("mon,tue,wed,thu,fri" or "1,2,3,4,5"; Monday is 1) into ISO weekday numbers."""
    items = value.split(",") if isinstance(value, str) else list(value)
    days: set[int] = set()
    for item in items:
        text = str(item).strip().lower()
        if not text:
            continue
        number = WEEKDAY_NAMES.get(text[:3]) if not text.isdigit() else int(text)
        if number is None or not 1 <= number <= 7:
            raise ValueError(f"WORKING_WEEKDAYS: unknown day {item!r} (use mon…sun or 1…7, Monday is 1)")
        days.add(number)
    if not days:
        raise ValueError("WORKING_WEEKDAYS names no working day")
    return frozenset(days)


@functools.lru_cache(maxsize=64)
def library_year(year: int, language: str = "vi") -> tuple[DayEntry, ...]:
    """The library's days of one year: holidays (off) and the Saturdays worked in exchange (working)."""
    found = holidays.Vietnam(years=year, language=language)
    entries = [DayEntry(d, DayKind.off, str(name), Source.library) for d, name in sorted(found.items())]
    for worked in sorted(d for d in found.weekend_workdays if d.year == year):
        # The library names the day off "… (thay cho ngày 22/08/2026)"; the Saturday worked gets its own name.
        stamp = worked.strftime("%d/%m/%Y")
        given = next((e.day for e in entries if stamp in e.name), None)
        name = f"Làm bù cho ngày {given.strftime('%d/%m/%Y')}" if given else "Làm bù"
        entries.append(DayEntry(worked, DayKind.working, name, Source.library))
    return tuple(sorted(entries, key=lambda e: e.day))


class WorkCalendar:
    """Which days are worked, and the arithmetic on them; pure once given its layers."""

    def __init__(
        self,
        weekdays: frozenset[int],
        table: Mapping[date, tuple[DayKind, str]] | None = None,
        library: Callable[[int], Iterable[DayEntry]] = library_year,
    ) -> None:
        self.weekdays = weekdays
        self.table = dict(table or {})
        self._library = library
        self._years: dict[int, dict[date, DayEntry]] = {}
        #: set by work_calendar(): when this copy was built, and which invalidation it follows
        self.loaded_at = time.monotonic()
        self.generation = _generation

    def entries(self, year: int) -> dict[date, DayEntry]:
        """Every named day of `year`: the library's, then the table's over them."""
        if year not in self._years:
            days = {e.day: e for e in self._library(year)}
            for day, (kind, name) in self.table.items():
                if day.year == year:
                    days[day] = DayEntry(day, DayKind(kind), name, Source.table)
            self._years[year] = days
        return self._years[year]

    def entry(self, day: date) -> DayEntry | None:
        return self.entries(day.year).get(day)

    def is_working_day(self, day: date) -> bool:
        entry = self.entry(day)
        if entry is not None:
            return entry.kind == DayKind.working
        return day.isoweekday() in self.weekdays

    def add_working_days(self, start: date, n: int) -> date:
        """The n-th working day after `start` (before it when n < 0); `start` itself when n is 0.

        "Trong 05 ngày làm việc kể từ ngày nhận": the day of receipt does not count, the fifth working
        day after it is the deadline.
        """
        if abs(n) > MAX_WORKING_DAYS:
            raise ValueError(f"at most {MAX_WORKING_DAYS} working days")
        step = timedelta(days=1 if n > 0 else -1)
        day, left, searched = start, abs(n), 0
        while left:
            day += step
            searched += 1
            if self.is_working_day(day):
                left -= 1
            elif searched > _SEARCH_LIMIT:
                raise ValueError("no working day in the calendar")
        return day

    def working_days_between(self, a: date, b: date) -> int:
        """Working days after `a` up to and including `b`; negative when `b` is before `a`."""
        if b < a:
            return -self.working_days_between(b, a)
        count, day = 0, a
        while day < b:
            day += timedelta(days=1)
            count += self.is_working_day(day)
        return count

    def next_working_day(self, day: date) -> date:
        """`day` if it is worked, else the first working day after it."""
        return day if self.is_working_day(day) else self.add_working_days(day, 1)

    def due_soon_limit(self, today: date, n: int) -> date:
        """The last day that is at most `n` working days after `today` (the days off after the n-th included).

        A deadline on the Sunday after the n-th working day leaves no more working time than one on that day.
        """
        return self.add_working_days(today, n + 1) - timedelta(days=1)

    def day_off_name(self, day: date) -> str | None:
        """Why `day` is not worked: the holiday's name, "" for a weekly day off; None for a working day."""
        if self.is_working_day(day):
            return None
        entry = self.entry(day)
        return entry.name if entry is not None else ""

    def days_off(self, year: int) -> list[DayEntry]:
        """The year's named days, in order: holidays (on weekdays or not), announced days off, make-up days."""
        return sorted(self.entries(year).values(), key=lambda e: e.day)

    def working_days_in(self, year: int) -> int:
        return self.working_days_between(date(year - 1, 12, 31), date(year, 12, 31))


# --------------------------------------------------------------------------------------- the app's calendar

#: bumped whenever the table changes in this process: every cached calendar older than it is rebuilt
_generation = 0


def invalidate() -> None:
    """Forget every cached calendar of this process (the table changed)."""
    global _generation
    _generation += 1


def _table() -> dict[date, tuple[DayKind, str]]:
    rows = db.session.execute(sa.select(CalendarDay.day, CalendarDay.kind, CalendarDay.name)).all()
    return {row.day: (DayKind(row.kind), row.name) for row in rows}


def work_calendar(app: Flask | None = None) -> WorkCalendar:
    """The app's calendar: one query for the table when (re)built, none after."""
    app = app or current_app._get_current_object()  # type: ignore[attr-defined]
    state: dict[str, Any] = app.extensions.setdefault("workdays", {})
    cached: WorkCalendar | None = state.get("calendar")
    ttl = int(app.config.get("WORKING_CALENDAR_CACHE_SECONDS", 300))
    if cached is None or cached.generation != _generation or (ttl > 0 and time.monotonic() - cached.loaded_at > ttl):
        weekdays = parse_weekdays(app.config.get("WORKING_WEEKDAYS", "mon,tue,wed,thu,fri"))
        cached = WorkCalendar(weekdays, _table())
        state["calendar"] = cached
    return cached


def is_working_day(day: date) -> bool:
    """Whether `day` is worked in the app's calendar."""
    return work_calendar().is_working_day(day)


def add_working_days(start: date, n: int) -> date:
    """The n-th working day after `start` in the app's calendar."""
    return work_calendar().add_working_days(start, n)


def working_days_between(a: date, b: date) -> int:
    """Working days after `a` up to and including `b` in the app's calendar."""
    return work_calendar().working_days_between(a, b)


def next_working_day(day: date) -> date:
    return work_calendar().next_working_day(day)


def day_off_name(day: date) -> str | None:
    return work_calendar().day_off_name(day)


def due_soon_limit(day: date) -> date:
    """The last deadline that is "sắp đến hạn" on `day`: DUE_SOON_DAYS working days ahead."""
    return work_calendar().due_soon_limit(day, int(current_app.config["DUE_SOON_DAYS"]))


# A change to the table reaches this process's calendars at once: at the flush that writes it (the
# operation reads the new calendar in its own transaction) and again when that transaction ends, committed
# or rolled back.
@event.listens_for(Session, "after_flush")
def _table_flushed(session: Session, flush_context: Any) -> None:
    changed = (*session.new, *session.dirty, *session.deleted)
    if any(isinstance(obj, CalendarDay) for obj in changed):
        session.info["calendar_changed"] = True
        invalidate()


@event.listens_for(Session, "after_transaction_end")
def _transaction_ended(session: Session, transaction: Any) -> None:
    if transaction.parent is None and session.info.pop("calendar_changed", False):
        invalidate()
