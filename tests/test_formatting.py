"""Numbers and dates are written and read one way, wherever they appear."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from coordination.formatting import format_date, format_number, parse_date, parse_date_or_none


@pytest.mark.parametrize(
    ("value", "decimals", "locale", "expected"),
    [
        (1526, 0, "vi", "1.526"),
        (327407, 0, "vi", "327.407"),
        (Decimal("73.3"), 1, "vi", "73,3"),
        (73.3, 1, "vi", "73,3"),
        (0, 0, "vi", "0"),
        (50527, 0, "vi", "50.527"),
        (Decimal("100"), 1, "vi", "100,0"),
        (1526, 0, "en", "1,526"),
        (73.3, 1, "en", "73.3"),
        (None, 0, "vi", ""),
    ],
)
def test_format_number(value, decimals: int, locale: str, expected: str) -> None:  # type: ignore[no-untyped-def]
    assert format_number(value, decimals, locale=locale) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (date(2022, 8, 14), "14/08/2022"),
        (date(2021, 4, 28), "28/04/2021"),
        (date(2022, 9, 30), "30/09/2022"),
        (None, ""),
    ],
)
def test_format_date(value: date | None, expected: str) -> None:
    assert format_date(value) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("14/08/2022", date(2022, 8, 14)),
        ("1/7/2021", date(2021, 7, 1)),
        ("30.09.2022", date(2022, 9, 30)),
        ("30-09-2022", date(2022, 9, 30)),
        (" 2022-08-14 ", date(2022, 8, 14)),
    ],
)
def test_parse_date(text: str, expected: date) -> None:
    assert parse_date(text) == expected


@pytest.mark.parametrize("text", ["31/02/2022", "14/08/22", "hôm nay", "01/01/1800", ""])
def test_parse_date_refuses(text: str) -> None:
    with pytest.raises(ValueError):
        parse_date(text)
    assert parse_date_or_none(text) is None


def test_pages_and_reminders_write_the_same_number_and_date(app) -> None:  # type: ignore[no-untyped-def]
    from coordination.templating import format_date as page_date
    from coordination.templating import format_number as page_number

    with app.test_request_context():
        assert (page_number(1526), page_number(73.3, 1), page_date(date(2022, 8, 14))) == (
            "1.526",
            "73,3",
            "14/08/2022",
        )


def test_the_fast_number_format_writes_what_babel_writes() -> None:
    """format_number skips Babel for "vi" and "en" (it was most of a dashboard page's time): same text."""
    import random
    from decimal import Decimal

    from babel.numbers import format_decimal

    from coordination.formatting import format_number

    rng = random.Random(14)
    values: list = [0, 1, -1, 999, 1000, -1234567, 10**12, 0.05, 0.15, 0.25, 2.5, 73.25, 73.35, 99.95, -0.05]
    values += [rng.randint(-(10**9), 10**9) for _ in range(300)]
    values += [round(rng.uniform(-1e6, 1e6), rng.randint(0, 4)) for _ in range(300)]
    values += [Decimal("1234.565"), Decimal("-0.5"), Decimal("12")]
    for locale in ("vi", "en"):
        for value in values:
            for decimals in (0, 1, 2):
                pattern = "#,##0" + ("." + "0" * decimals if decimals else "")
                assert format_number(value, decimals, locale) == format_decimal(value, format=pattern, locale=locale), (
                    value,
                    decimals,
                    locale,
                )


def test_a_dash_is_named_by_its_place_under_its_task() -> None:
    """Issue 11: "2 -" in lists and letters; now "2, ý thứ nhất", the same everywhere."""
    from coordination.directives.models import Task
    from coordination.formatting import sub_item_label, task_label_text, task_labels_text

    two = Task(id=1, label="2", position=2, text="Công an tỉnh")
    first = Task(id=2, label="-", position=3, text="Xây dựng kế hoạch", parent=two)
    second = Task(id=3, label="-", position=4, text="Phối hợp", parent=two)
    lettered = Task(id=4, label="a)", position=5, text="Chữ cái", parent=two)
    assert [task_label_text(t) for t in (two, first, second, lettered)] == ["2", "2, ý thứ nhất", "2, ý thứ hai", "a)"]
    assert task_label_text(second, "en") == "2, second point"
    assert [sub_item_label("5", n) for n in (3, 4, 10, 12)] == [
        "5, ý thứ ba",
        "5, ý thứ tư",
        "5, ý thứ mười",
        "5, ý thứ 12",
    ]
    assert [sub_item_label("5", n, "en") for n in (11, 21, 22)] == ["5, 11th point", "5, 21st point", "5, 22nd point"]
    # listed once each, in the document's order whatever order they come in
    assert task_labels_text([second, two, first, second]) == "2; 2, ý thứ nhất; 2, ý thứ hai"
