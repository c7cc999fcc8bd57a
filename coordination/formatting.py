"""How numbers and dates are written and read, the same in pages, letters, e-mails, PDFs and forms.

Numbers go through Babel in the reader's language ("1.526", "73,3" in Vietnamese); dates are written
dd/mm/yyyy in every language, the form every Vietnamese office writes.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from decimal import Decimal

from babel.dates import format_date as babel_format_date
from babel.numbers import format_decimal

#: dd/mm/yyyy as people type it, also with "." or "-" between the parts
_TYPED_DATE = re.compile(r"(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4})")
DATE_PATTERN = "dd/MM/yyyy"
#: the `pattern` of every date input: what parse_date reads (written for the `v` flag browsers compile it with)
DATE_INPUT_PATTERN = r"[0-9]{1,2}[\/\.\-][0-9]{1,2}[\/\.\-][0-9]{4}|[0-9]{4}-[0-9]{2}-[0-9]{2}"


def format_number(value: int | float | Decimal | None, decimals: int = 0, locale: str = "vi") -> str:
    """327407 -> "327.407"; 73.3 with decimals=1 -> "73,3" (in "en": "327,407", "73.3")."""
    if value is None:
        return ""
    pattern = "#,##0" + ("." + "0" * decimals if decimals else "")
    return format_decimal(value, format=pattern, locale=locale)


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


def date_input_value(value: date | str | None) -> str:
    """What a date input shows: dd/mm/yyyy for a day or text that reads as one (an ISO link), else the text as typed."""
    if value is None or value == "":
        return ""
    if isinstance(value, date):
        return format_date(value)
    day = parse_date_or_none(value)
    return format_date(day) if day is not None else value
