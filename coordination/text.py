"""Vietnamese text helpers: search normalisation and number/date formatting."""

from __future__ import annotations

import re
import unicodedata
from datetime import date
from decimal import Decimal

_SPACES = re.compile(r"\s+")


def fold(text: str | None) -> str:
    """Lower-case and strip diacritics, so that "tu phap" finds "Tư pháp"."""
    if not text:
        return ""
    text = text.replace("đ", "d").replace("Đ", "D")
    decomposed = unicodedata.normalize("NFD", text)
    stripped = "".join(c for c in decomposed if unicodedata.category(c) != "Mn")
    return _SPACES.sub(" ", stripped.lower()).strip()


def format_number_vi(value: int | float | Decimal | None, decimals: int = 0) -> str:
    """327407 -> "327.407"; 73.3 with decimals=1 -> "73,3"."""
    if value is None:
        return ""
    text = f"{value:,.{decimals}f}"
    return text.replace(",", "\x00").replace(".", ",").replace("\x00", ".")


def format_date_vi(value: date | None) -> str:
    return value.strftime("%d/%m/%Y") if value else ""
