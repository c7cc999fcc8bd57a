"""The detail table as CSV: UTF-8 with a BOM (Excel then reads Vietnamese right), streamed a batch at a time."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator
from datetime import date
from typing import Any

from flask_babel import force_locale

from coordination.reports.compliance import DirectiveBlock
from coordination.reports.tabular import DETAIL_COLUMNS, detail_records, format_date, risky

BOM = "\ufeff"


def _cell(value: Any) -> str | int:
    if value is None:
        return ""
    if isinstance(value, date):
        return format_date(value)
    if isinstance(value, int):
        return value
    text = str(value)
    # A leading apostrophe makes a spreadsheet show the text instead of running it as a formula.
    return "'" + text if risky(text) else text


def stream_csv(blocks: Iterable[DirectiveBlock]) -> Iterator[str]:
    """Yield the CSV a few hundred rows at a time; `blocks` may be a generator over the database."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    buffer.write(BOM)
    writer.writerow([header for header, _kind in DETAIL_COLUMNS])
    with force_locale("vi"):
        for count, record in enumerate(detail_records(blocks), start=1):
            writer.writerow([_cell(v) for v in record])
            if count % 500 == 0:
                yield buffer.getvalue()
                buffer.seek(0)
                buffer.truncate()
    yield buffer.getvalue()


def render_csv(blocks: Iterable[DirectiveBlock]) -> str:
    return "".join(stream_csv(blocks))
