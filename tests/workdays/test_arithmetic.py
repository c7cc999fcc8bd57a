"""Working-day arithmetic around Tết 2026 and 2027, 30/4–1/5 and 2/9: expected dates written by hand.

Tết 2026 is Tuesday 17/2/2026: days off Monday 16/2 to Friday 20/2 (with the weekends, 14/2–22/2, as the
Prime Minister announced). Tết 2027 is Saturday 6/2/2027: the library gives Thursday 4/2 to Wednesday 10/2.
2026: Giỗ Tổ on Sunday 26/4 is taken on Monday 27/4; 30/4 and 1/5 are Thursday and Friday; 2/9 is Wednesday,
with Monday 31/8 off in exchange for Saturday 22/8 worked (làm bù), which the library knows.
"""

from __future__ import annotations

from datetime import date

import pytest

from coordination.workdays.calendar import WorkCalendar, library_year, parse_weekdays
from coordination.workdays.models import DayKind

MON_FRI = frozenset({1, 2, 3, 4, 5})
LIBRARY = WorkCalendar(MON_FRI)

#: what an admin would write for 2027 (an invented announcement): one more day off after Tết, worked on a Saturday
TABLE_2027 = {
    date(2027, 1, 30): (DayKind.working, "Làm bù cho ngày 11/02/2027"),
    date(2027, 2, 11): (DayKind.off, "Nghỉ Tết Nguyên đán (hoán đổi)"),
    # the admin's correction of the library: Ngày Văn hóa Việt Nam 2026 worked after all
    date(2026, 11, 24): (DayKind.working, "Làm việc bình thường"),
}
CORRECTED = WorkCalendar(MON_FRI, TABLE_2027)

# (start, n, expected n-th working day after start) with the library alone
ADD_CASES = [
    # Tết 2026
    (date(2026, 2, 13), 1, date(2026, 2, 23)),  # Friday before Tết -> Monday after
    (date(2026, 2, 12), 5, date(2026, 2, 26)),  # 13/2, 23/2, 24/2, 25/2, 26/2
    (date(2026, 2, 10), 5, date(2026, 2, 24)),  # 11/2, 12/2, 13/2, 23/2, 24/2
    (date(2026, 2, 17), 1, date(2026, 2, 23)),  # received on Tết itself
    (date(2026, 2, 23), -1, date(2026, 2, 13)),  # backwards over Tết
    (date(2026, 2, 13), 0, date(2026, 2, 13)),
    # Tết 2027
    (date(2027, 2, 3), 1, date(2027, 2, 11)),  # Wednesday before 29 Tết -> Thursday after mùng 5
    (date(2027, 2, 1), 5, date(2027, 2, 15)),  # 2/2, 3/2, 11/2, 12/2, 15/2
    (date(2027, 1, 29), 3, date(2027, 2, 3)),  # 1/2, 2/2, 3/2: Tết not reached yet
    (date(2027, 2, 5), 2, date(2027, 2, 12)),
    # Giỗ Tổ (observed Monday 27/4/2026), 30/4 and 1/5/2026
    (date(2026, 4, 24), 1, date(2026, 4, 28)),
    (date(2026, 4, 24), 3, date(2026, 5, 4)),  # 28/4, 29/4, 4/5
    (date(2026, 4, 29), 1, date(2026, 5, 4)),
    # 2/9/2026: 31/8, 1/9, 2/9 off; Saturday 22/8 worked
    (date(2026, 8, 28), 1, date(2026, 9, 3)),
    (date(2026, 8, 21), 1, date(2026, 8, 22)),
    (date(2026, 8, 20), 3, date(2026, 8, 24)),  # 21/8, 22/8 (Saturday, làm bù), 24/8
    # the year's turn: 1/1/2027 is a Friday holiday
    (date(2026, 12, 31), 1, date(2027, 1, 4)),
]


@pytest.mark.parametrize(("start", "n", "expected"), ADD_CASES, ids=lambda v: str(v))
def test_add_working_days_with_the_library(start: date, n: int, expected: date) -> None:
    assert LIBRARY.add_working_days(start, n) == expected


# (start, n, expected) once the table has spoken: its make-up Saturday and its extra day off, its correction
CORRECTED_CASES = [
    (date(2027, 2, 3), 1, date(2027, 2, 12)),  # 11/2 now off too
    (date(2027, 2, 1), 5, date(2027, 2, 16)),  # 2/2, 3/2, 12/2, 15/2, 16/2
    (date(2027, 1, 29), 1, date(2027, 1, 30)),  # the make-up Saturday from the table
    (date(2027, 1, 29), 3, date(2027, 2, 2)),  # 30/1, 1/2, 2/2
    (date(2026, 11, 23), 1, date(2026, 11, 24)),  # the library's holiday, worked by the admin's correction
    # untouched by the table
    (date(2026, 2, 13), 1, date(2026, 2, 23)),
    (date(2026, 8, 21), 1, date(2026, 8, 22)),
]


@pytest.mark.parametrize(("start", "n", "expected"), CORRECTED_CASES, ids=lambda v: str(v))
def test_add_working_days_with_the_table(start: date, n: int, expected: date) -> None:
    assert CORRECTED.add_working_days(start, n) == expected


def test_the_correction_changes_the_library_answer() -> None:
    assert LIBRARY.add_working_days(date(2026, 11, 23), 1) == date(2026, 11, 25)
    assert CORRECTED.add_working_days(date(2026, 11, 23), 1) == date(2026, 11, 24)


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        (date(2026, 2, 13), date(2026, 2, 23), 1),
        (date(2026, 2, 9), date(2026, 2, 27), 9),  # 10–13/2 and 23–27/2
        (date(2026, 2, 27), date(2026, 2, 9), -9),
        (date(2026, 4, 24), date(2026, 5, 4), 3),
        (date(2026, 8, 28), date(2026, 9, 4), 2),  # 3/9, 4/9
        (date(2027, 2, 3), date(2027, 2, 11), 1),
        (date(2027, 1, 31), date(2027, 2, 14), 5),  # 1/2, 2/2, 3/2, 11/2, 12/2
        (date(2026, 3, 2), date(2026, 3, 2), 0),
    ],
)
def test_working_days_between(a: date, b: date, expected: int) -> None:
    assert LIBRARY.working_days_between(a, b) == expected


@pytest.mark.parametrize(
    ("day", "working"),
    [
        (date(2026, 2, 14), False),  # Saturday before Tết
        (date(2026, 2, 16), False),  # 29 Tết (giao thừa)
        (date(2026, 2, 17), False),  # Tết Nguyên đán
        (date(2026, 2, 20), False),  # mùng 4
        (date(2026, 2, 23), True),
        (date(2026, 4, 27), False),  # Giỗ Tổ Hùng Vương, taken on Monday
        (date(2026, 4, 30), False),
        (date(2026, 5, 1), False),
        (date(2026, 8, 22), True),  # Saturday, làm bù
        (date(2026, 8, 31), False),
        (date(2026, 9, 2), False),
        (date(2027, 2, 4), False),  # 29 Tết 2027
        (date(2027, 2, 10), False),  # mùng 5, in lieu of the weekend's Tết days
        (date(2027, 2, 11), True),
        (date(2027, 5, 3), False),  # 1/5/2027 is a Saturday: Monday off
    ],
)
def test_is_working_day(day: date, working: bool) -> None:
    assert LIBRARY.is_working_day(day) is working


def test_due_soon_limit_counts_working_days() -> None:
    # Thursday 12/2/2026, 3 working days: 13/2, 23/2, 24/2; Tết in between does not count
    assert LIBRARY.due_soon_limit(date(2026, 2, 12), 3) == date(2026, 2, 24)
    # Wednesday 25/11/2026: 26/11, 27/11, 30/11, and the weekend before the 30th is inside too
    assert LIBRARY.due_soon_limit(date(2026, 11, 25), 3) == date(2026, 11, 30)
    # Friday 28/8/2026: 3/9, 4/9, 7/9
    assert LIBRARY.due_soon_limit(date(2026, 8, 28), 3) == date(2026, 9, 7)


def test_next_working_day() -> None:
    assert LIBRARY.next_working_day(date(2026, 2, 17)) == date(2026, 2, 23)
    assert LIBRARY.next_working_day(date(2026, 2, 23)) == date(2026, 2, 23)
    assert LIBRARY.next_working_day(date(2027, 2, 6)) == date(2027, 2, 11)


def test_day_off_names() -> None:
    assert LIBRARY.day_off_name(date(2026, 2, 17)) == "Tết Nguyên Đán"
    assert LIBRARY.day_off_name(date(2026, 2, 21)) == ""  # a Saturday: off every week, no name
    assert LIBRARY.day_off_name(date(2026, 2, 23)) is None
    assert CORRECTED.day_off_name(date(2027, 2, 11)) == "Nghỉ Tết Nguyên đán (hoán đổi)"


def test_the_library_names_its_make_up_saturday() -> None:
    worked = [e for e in library_year(2026) if e.kind == DayKind.working]
    assert [(e.day, e.name) for e in worked] == [(date(2026, 8, 22), "Làm bù cho ngày 31/08/2026")]


def test_a_six_day_week() -> None:
    six = WorkCalendar(parse_weekdays("mon,tue,wed,thu,fri,sat"))
    assert six.add_working_days(date(2026, 2, 13), 1) == date(2026, 2, 14)  # the Saturday before Tết is worked
    assert six.add_working_days(date(2026, 2, 13), 2) == date(2026, 2, 21)  # and the one after it
    assert six.add_working_days(date(2026, 4, 24), 1) == date(2026, 4, 25)


@pytest.mark.parametrize(
    ("value", "expected"),
    [("mon,tue,wed,thu,fri", {1, 2, 3, 4, 5}), ("1,2,3,4,5,6", {1, 2, 3, 4, 5, 6}), ("Mon, Sat", {1, 6})],
)
def test_parse_weekdays(value: str, expected: set[int]) -> None:
    assert parse_weekdays(value) == expected


@pytest.mark.parametrize("value", ["", "mon,funday", "0", "8"])
def test_parse_weekdays_refuses_nonsense(value: str) -> None:
    with pytest.raises(ValueError, match="WORKING_WEEKDAYS"):
        parse_weekdays(value)


def test_working_days_in_2026() -> None:
    # 261 weekdays, less the holidays on weekdays (1/1, 16–20/2, 27/4, 30/4, 1/5, 31/8, 1/9, 2/9, 24/11 = 13)
    # plus Saturday 22/8: 261 - 13 + 1
    assert LIBRARY.working_days_in(2026) == 249


def test_the_app_refuses_a_bad_working_week() -> None:
    from coordination import ConfigError, create_app

    with pytest.raises(ConfigError, match="WORKING_WEEKDAYS"):
        create_app(WORKING_WEEKDAYS="mon,funday", SQLALCHEMY_DATABASE_URI="sqlite://")
