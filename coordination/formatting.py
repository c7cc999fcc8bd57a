"""How numbers and dates are written and read, the same in pages, letters, e-mails, PDFs and forms.

Numbers go through Babel in the reader's language ("1.526", "73,3" in Vietnamese); dates are written
dd/mm/yyyy in every language, the form every Vietnamese office writes. A task is named by one function,
task_label_text ("2, ý thứ nhất" for a dash, never "2 -").
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date, datetime
from decimal import ROUND_HALF_EVEN, Decimal
from typing import Any

from babel.dates import format_date as babel_format_date
from babel.numbers import format_decimal
from flask_babel import get_locale

#: dd/mm/yyyy as people type it, also with "." or "-" between the parts
_TYPED_DATE = re.compile(r"(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4})")
DATE_PATTERN = "dd/MM/yyyy"
#: the `pattern` of every date input: what parse_date reads (written for the `v` flag browsers compile it with)
DATE_INPUT_PATTERN = r"[0-9]{1,2}[\/\.\-][0-9]{1,2}[\/\.\-][0-9]{4}|[0-9]{4}-[0-9]{2}-[0-9]{2}"


def format_number(value: int | float | Decimal | None, decimals: int = 0, locale: str = "vi") -> str:
    """327407 -> "327.407"; 73.3 with decimals=1 -> "73,3" (in "en": "327,407", "73.3")."""
    if value is None:
        return ""
    separators = _SEPARATORS.get(locale)
    if separators is None:
        pattern = "#,##0" + ("." + "0" * decimals if decimals else "")
        return format_decimal(value, format=pattern, locale=locale)
    # Babel's format_decimal parses its pattern and looks up the locale on every call: 0.1-0.3 ms, and a
    # dashboard shows thousands of numbers (make bench). The same digits, rounded as Babel rounds (half to
    # even on the decimal value), with the locale's separators; a test compares the two on many values.
    if isinstance(value, int) and not decimals:
        text = f"{value:,}"
    else:
        exact = Decimal(str(value)) if isinstance(value, float) else Decimal(value)
        text = f"{exact.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_EVEN):,.{decimals}f}"
    return text.translate(separators)


#: (group, decimal) separators of the locales the app speaks, as a translation of Python's "," and "."
_SEPARATORS = {"vi": str.maketrans(",.", ".,"), "en": str.maketrans({})}


def format_date(value: date | datetime | None) -> str:
    """dd/mm/yyyy; "" for no date."""
    if value is None:
        return ""
    return babel_format_date(value, DATE_PATTERN, locale="vi")


def parse_date(text: str) -> date:
    """Read dd/mm/yyyy (also with . or -) or yyyy-mm-dd as a date input sends it; ValueError otherwise."""
    text = text.strip()
    match = _TYPED_DATE.fullmatch(text)
    day = date(int(match[3]), int(match[2]), int(match[1])) if match else date.fromisoformat(text)
    if not 1900 <= day.year <= 2200:
        raise ValueError(f"{text}: year out of range")
    return day


def parse_date_or_none(text: str) -> date | None:
    """parse_date(), None for text that is not a day (a filter ignores it and says so)."""
    try:
        return parse_date(text)
    except ValueError:
        return None


# --- issue 11: a sub-item printed "-" is named by its place under its parent ("nhiệm vụ 2, ý thứ nhất")

#: labels printed for an unnumbered sub-item; a reader cannot quote them alone
BULLET_LABELS = frozenset({"-", "+", "•"})
_ORDINALS_VI = ("nhất", "hai", "ba", "tư", "năm", "sáu", "bảy", "tám", "chín", "mười")
_ORDINALS_EN = ("first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth", "tenth")


def current_locale() -> str:
    """ "en" or "vi": the reader's language in a request, Vietnamese outside one (jobs, scripts)."""
    return "en" if str(get_locale()) == "en" else "vi"


def sub_item_label(parent_label: str, ordinal: int, locale: str | None = None) -> str:
    """The readable name of the `ordinal`-th sub-item of `parent_label`: "2, ý thứ nhất" / "2, first point"."""
    if (locale or current_locale()) == "en":
        suffix = "th" if 11 <= ordinal % 100 <= 13 else {1: "st", 2: "nd", 3: "rd"}.get(ordinal % 10, "th")
        word = _ORDINALS_EN[ordinal - 1] if ordinal <= len(_ORDINALS_EN) else f"{ordinal}{suffix}"
        return f"{parent_label}, {word} point"
    word = _ORDINALS_VI[ordinal - 1] if ordinal <= len(_ORDINALS_VI) else str(ordinal)
    return f"{parent_label}, ý thứ {word}"


def task_label_text(task: Any, locale: str | None = None) -> str:
    """The label a reader quotes, in every page, letter, notice and e-mail: "2", "2.a", "2, ý thứ nhất".

    A bullet is counted among its parent's sub-items in document order (position), so the second "-"
    under task 2 is "2, ý thứ hai" wherever it is named.
    """
    parent = task.parent
    if parent is None or task.label not in BULLET_LABELS:
        return task.label
    # read with the task (Task.sibling_ordinal); counted from the parent's sub-items for an unsaved task
    ordinal = getattr(task, "sibling_ordinal", None) or 1 + sum(
        1 for sibling in parent.subtasks if sibling.position < task.position
    )
    return sub_item_label(task_label_text(parent, locale), ordinal, locale)


def task_labels_text(tasks: Iterable[Any], locale: str | None = None) -> str:
    """Several tasks named in document order, each once: "1, 2, 2, ý thứ nhất, 5" reads badly, so "; "."""
    unique = {task.id: task for task in tasks}.values()
    return "; ".join(task_label_text(task, locale) for task in sorted(unique, key=lambda t: t.position))


def date_input_value(value: date | str | None) -> str:
    """What a date input shows: dd/mm/yyyy for a day or text that reads as one (an ISO link), else the text as typed."""
    if value is None or value == "":
        return ""
    if isinstance(value, date):
        return format_date(value)
    day = parse_date_or_none(value)
    return format_date(day) if day is not None else value
