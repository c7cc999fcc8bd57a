"""The report as an Excel workbook (openpyxl): "Tổng hợp" per agency, "Chi tiết" one row per assignment.

Header rows frozen, filters on, widths set, dates as dates (dd/mm/yyyy), numbers as numbers, shares as
percentages; any text that a spreadsheet would take for a formula is stored as text.
"""

from __future__ import annotations

import io
import pickle
import tempfile
from collections.abc import Callable, Iterable
from datetime import date, datetime, time
from typing import Any

from flask_babel import force_locale
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

from coordination.auth.models import User
from coordination.reports.compliance import (
    SUMMARY_KEYS,
    SUMMARY_LABELS,
    ComplianceReport,
    Counts,
    DirectiveBlock,
    ReportScope,
    ReportTotals,
    iter_blocks,
)
from coordination.reports.tabular import DETAIL_COLUMNS, detail_records

DATE_FORMAT = "dd/mm/yyyy"
PERCENT_FORMAT = "0.0%"
WIDTHS = {"text": 14, "name": 34, "long": 60, "date": 13, "int": 12, "percent": 10}
#: the header is on this row: the title and the "as of" line stand above it
HEADER_ROW = 4

_BOLD = Font(bold=True)
_TITLE = Font(bold=True, size=13)
_WRAP = Alignment(wrap_text=True, vertical="top")
_HEAD = Alignment(wrap_text=True, vertical="center", horizontal="center")


def _cell(sheet: WriteOnlyWorksheet, value: Any, kind: str = "text", *, bold: bool = False) -> Any:
    if isinstance(value, date) and not isinstance(value, datetime):
        value = datetime.combine(value, time(0))
    if isinstance(value, str) and ILLEGAL_CHARACTERS_RE.search(value):
        # XML 1.0 cannot hold these control characters: openpyxl would refuse the whole report.
        value = ILLEGAL_CHARACTERS_RE.sub("", value)
    if kind in ("text", "name", "int") and not bold and not (isinstance(value, str) and value.startswith("=")):
        # A plain value costs far less than a styled cell (make bench: an agency's report writes 240,000);
        # openpyxl only ever reads a string as a formula when it starts with "=".
        return value
    cell = WriteOnlyCell(sheet, value=value)
    if isinstance(value, str):
        # Never a formula: "=HYPERLINK(...)" in a progress note stays the text it is.
        cell.data_type = "s"
    if kind == "date":
        cell.number_format = DATE_FORMAT
    elif kind == "percent":
        cell.number_format = PERCENT_FORMAT
    elif kind == "long":
        cell.alignment = _WRAP
    if bold:
        cell.font = _BOLD
    return cell


def _head(sheet: WriteOnlyWorksheet, names: list[str]) -> list[WriteOnlyCell]:
    cells = []
    for name in names:
        cell = WriteOnlyCell(sheet, value=name)
        cell.data_type = "s"
        cell.font = _BOLD
        cell.alignment = _HEAD
        cells.append(cell)
    return cells


def _prepare(sheet: WriteOnlyWorksheet, kinds: list[str], last_row: int, title: str, subtitle: str) -> None:
    """Widths, frozen header and filter: set before the first row, as a write-only sheet requires."""
    for index, kind in enumerate(kinds, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = WIDTHS[kind]
    sheet.freeze_panes = f"A{HEADER_ROW + 1}"
    sheet.auto_filter.ref = f"A{HEADER_ROW}:{get_column_letter(len(kinds))}{max(last_row, HEADER_ROW + 1)}"
    title_cell = WriteOnlyCell(sheet, value=title)
    title_cell.data_type = "s"
    title_cell.font = _TITLE
    sheet.append([title_cell])
    sheet.append([_cell(sheet, subtitle)])
    sheet.append([])


def _summary_columns() -> tuple[list[str], list[str]]:
    names = ["STT", "Mã cơ quan", "Cơ quan, đơn vị", "Tổng số lượt giao"]
    kinds = ["int", "text", "name", "int"]
    for key in SUMMARY_KEYS:
        label = str(SUMMARY_LABELS[key]).removeprefix("Trong đó: ")
        names += [str(SUMMARY_LABELS[key]), f"Tỷ lệ {label[0].lower()}{label[1:]}"]
        kinds += ["int", "percent"]
    names += ["Yêu cầu giải trình đã gửi", "Yêu cầu giải trình chưa trả lời"]
    kinds += ["int", "int"]
    return names, kinds


def _counts(sheet: WriteOnlyWorksheet, counts: Counts, *, bold: bool = False) -> list[WriteOnlyCell]:
    cells = [_cell(sheet, counts.assignments, "int", bold=bold)]
    for key in SUMMARY_KEYS:
        share = counts.percent(key)
        cells.append(_cell(sheet, getattr(counts, key), "int", bold=bold))
        cells.append(_cell(sheet, share / 100 if share is not None else None, "percent", bold=bold))
    return cells


def render_xlsx(report: ComplianceReport) -> bytes:
    with force_locale("vi"):
        records = list(detail_records(report.blocks))
        return _render(report, records, len(records))


def render_xlsx_streamed(
    user: User | None,
    scope: ReportScope,
    day: date,
    *,
    on_block: Callable[[DirectiveBlock], None] | None = None,
) -> bytes:
    """The same workbook as `render_xlsx(build_report(...))`, holding no more than one batch of blocks.

    The summary sheet comes first and the detail sheet's header needs the row count, both known only at
    the end: each batch's detail rows go to a temporary file as they are built, the totals add up, and the
    rows are read back into the write-only sheet (an agency's report over years held 650 MB otherwise).
    """
    totals = ReportTotals()
    with force_locale("vi"), tempfile.TemporaryFile() as spill:
        count = 0
        for block in iter_blocks(user, scope, day, on_block=on_block):
            totals.add(block)
            for record in detail_records([block]):
                pickle.dump(record, spill, protocol=pickle.HIGHEST_PROTOCOL)
                count += 1
        report = totals.report(user, scope, day, [])
        spill.seek(0)
        # our own file, written just above: nothing else ever reaches pickle.load
        records = (pickle.load(spill) for _ in range(count))  # noqa: S301
        return _render(report, records, count)


def _render(report: ComplianceReport, records: Iterable[list[Any]], count: int) -> bytes:
    book = Workbook(write_only=True)
    header = report.header
    title = f"BÁO CÁO {header.title}"
    subtitle = " ".join(p for p in (header.subject, header.subtitle, *header.notes) if p)
    book.properties.title = title
    book.properties.creator = "coordination"

    summary = book.create_sheet("Tổng hợp")
    names, kinds = _summary_columns()
    _prepare(summary, kinds, HEADER_ROW + len(report.agencies), title, subtitle)
    summary.append(_head(summary, names))
    for index, line in enumerate(report.agencies, start=1):
        summary.append(
            [
                _cell(summary, index, "int"),
                _cell(summary, line.code),
                _cell(summary, line.name, "name"),
                *_counts(summary, line.counts),
                _cell(summary, line.explanations_sent, "int"),
                _cell(summary, line.explanations_unanswered, "int"),
            ]
        )
    summary.append([])
    total_sent = sum(a.explanations_sent for a in report.agencies)
    total_open = sum(a.explanations_unanswered for a in report.agencies)
    summary.append(
        [
            _cell(summary, None),
            _cell(summary, None),
            _cell(summary, "Tổng cộng", bold=True),
            *_counts(summary, report.summary, bold=True),
            _cell(summary, total_sent, "int", bold=True),
            _cell(summary, total_open, "int", bold=True),
        ]
    )
    summary.append([_cell(summary, "Tổng số nhiệm vụ"), _cell(summary, report.summary.tasks, "int")])
    if count == 0:  # no assignment in any task: the report is empty
        summary.append([_cell(summary, "Không có nhiệm vụ nào trong phạm vi báo cáo.")])

    detail = book.create_sheet("Chi tiết")
    detail_kinds = [kind for _name, kind in DETAIL_COLUMNS]
    _prepare(detail, detail_kinds, HEADER_ROW + count, title, subtitle)
    detail.append(_head(detail, [name for name, _kind in DETAIL_COLUMNS]))
    for record in records:
        detail.append([_cell(detail, value, kind) for value, kind in zip(record, detail_kinds, strict=True)])
    if not count:
        detail.append([_cell(detail, "Không có nhiệm vụ nào trong phạm vi báo cáo.")])

    output = io.BytesIO()
    book.save(output)
    return output.getvalue()
