"""The report as an Excel workbook (openpyxl): "Tổng hợp" per agency, "Chi tiết" one row per assignment.

Header rows frozen, filters on, widths set, dates as dates (dd/mm/yyyy), numbers as numbers, shares as
percentages; any text that a spreadsheet would take for a formula is stored as text.
"""

from __future__ import annotations

import io
import itertools
import pickle
import shutil
import tempfile
import zipfile
from collections.abc import Callable, Iterable, Iterator
from copy import copy
from datetime import date, datetime, time
from typing import Any
from weakref import WeakKeyDictionary

from flask_babel import force_locale
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, Cell
from openpyxl.compat import safe_string
from openpyxl.styles import Alignment, Font
from openpyxl.styles.cell_style import StyleArray
from openpyxl.utils import get_column_letter
from openpyxl.utils.datetime import to_excel
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
#: per workbook, the style of each (kind, bold) as its first cell set it: the cells after it copy it
_STYLES: WeakKeyDictionary[Workbook, dict[tuple[str, bool], StyleArray | None]] = WeakKeyDictionary()


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
    styles = _STYLES.setdefault(sheet.parent, {})
    if (kind, bold) in styles:
        # Setting a format, a font or an alignment looks it up in the workbook by its hash, which
        # took a fifth of the overdue xlsx (54,000 rows); the first cell registered it, in the same order.
        cell._style = copy(styles[kind, bold])
        return cell
    if kind == "date":
        cell.number_format = DATE_FORMAT
    elif kind == "percent":
        cell.number_format = PERCENT_FORMAT
    elif kind == "long":
        cell.alignment = _WRAP
    if bold:
        cell.font = _BOLD
    styles[kind, bold] = copy(cell._style)
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

        def added(blocks: Iterable[DirectiveBlock]) -> Iterator[DirectiveBlock]:
            for block in blocks:
                totals.add(block)
                yield block

        # one pass of detail_records over all the blocks: it translates each label once, not once per block
        for record in detail_records(added(iter_blocks(user, scope, day, on_block=on_block))):
            pickle.dump(record, spill, protocol=pickle.HIGHEST_PROTOCOL)
            count += 1
        report = totals.report(user, scope, day, [])
        spill.seek(0)
        # our own file, written just above: nothing else ever reaches pickle.load
        records = (pickle.load(spill) for _ in range(count))  # noqa: S301
        return _render(report, records, count)


def _render(report: ComplianceReport, records: Iterable[list[Any]], count: int, *, by_openpyxl: bool = False) -> bytes:
    """The workbook; `by_openpyxl`: its detail rows written cell by cell by openpyxl (the tests compare)."""
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
    if by_openpyxl or not count:
        for record in records:
            detail.append([_cell(detail, value, kind) for value, kind in zip(record, detail_kinds, strict=True)])
        if not count:
            detail.append([_cell(detail, "Không có nhiệm vụ nào trong phạm vi báo cáo.")])
        output = io.BytesIO()
        book.save(output)
        return output.getvalue()
    with tempfile.TemporaryFile() as rows:
        _write_detail_rows(detail, detail_kinds, iter(records), rows)
        # openpyxl writes the sheet around one marker row; the rows written above take its place
        detail.append([_MARKER])
        output = io.BytesIO()
        book.save(output)
        return _with_rows(output, rows)


# --- the detail rows, written as openpyxl writes them ---------------------------------------------------
# openpyxl spent 25 µs per cell (a cell object, its value checks, an lxml element): 70 s of the 54,000
# overdue rows, 1.1 million cells. The rows below are the same XML, written as text; the tests compare
# every part of the workbook with openpyxl's own (tests/reports/test_compliance_speed.py).

_MARKER = "coordination-detail-rows-here"
_ESCAPES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", "\r": "&#13;"})


def _text(value: str) -> str:
    """An inline string as lxml writes it: escaped, non-ASCII as character references; none when empty."""
    value = value[:32767]  # openpyxl's limit of a cell's text
    if not value:
        return ""
    escaped = value.translate(_ESCAPES).encode("ascii", "xmlcharrefreplace").decode("ascii")
    if value != value.strip():
        return f'<is><t xml:space="preserve">{escaped}</t></is>'
    return f"<is><t>{escaped}</t></is>"


def _write_detail_rows(sheet: WriteOnlyWorksheet, kinds: list[str], records: Iterator[list[Any]], out: Any) -> None:
    book = sheet.parent
    first = next(records)
    # The first row's cells register the styles in the workbook in the order openpyxl would.
    cells = [_cell(sheet, value, kind) for value, kind in zip(first, kinds, strict=True)]
    styles = {}
    for cell, kind in zip(cells, kinds, strict=True):
        if isinstance(cell, Cell) and cell.has_style:
            styles[kind] = f' s="{cell.style_id}"'
    columns = [(get_column_letter(index), styles.get(kind, "")) for index, kind in enumerate(kinds, start=1)]
    epoch = book.epoch
    texts: dict[str, str] = {}
    row_index = HEADER_ROW
    for record in itertools.chain([first], records):
        row_index += 1
        parts = [f'<row r="{row_index}">']
        for (letter, style), value in zip(columns, record, strict=True):
            if value is None:
                if style:
                    parts.append(f'<c r="{letter}{row_index}"{style} t="n"></c>')
            elif isinstance(value, str):
                content = texts.get(value)
                if content is None:
                    content = _text(ILLEGAL_CHARACTERS_RE.sub("", value))
                    if len(value) < 300 and len(texts) < 100_000:
                        # codes, names, labels and a task's text repeat from row to row
                        texts[value] = content
                parts.append(f'<c r="{letter}{row_index}"{style} t="inlineStr">{content}</c>')
            elif isinstance(value, date):
                if not isinstance(value, datetime):
                    value = datetime.combine(value, time(0))
                parts.append(
                    f'<c r="{letter}{row_index}"{style} t="n"><v>{safe_string(to_excel(value, epoch))}</v></c>'
                )
            elif isinstance(value, int) and not isinstance(value, bool):
                parts.append(f'<c r="{letter}{row_index}"{style} t="n"><v>{safe_string(value)}</v></c>')
            else:
                raise TypeError(f"detail cell of type {type(value).__name__}")
        parts.append("</row>")
        out.write("".join(parts).encode("ascii"))


def _with_rows(output: io.BytesIO, rows: Any) -> bytes:
    """The workbook openpyxl saved, its detail sheet's marker row replaced by the rows file."""
    marker = f'<row r="{HEADER_ROW + 1}"><c r="A{HEADER_ROW + 1}" t="inlineStr"><is><t>{_MARKER}</t></is></c></row>'
    result = io.BytesIO()
    with zipfile.ZipFile(output) as saved, zipfile.ZipFile(result, "w", zipfile.ZIP_DEFLATED) as final:
        for info in saved.infolist():
            data = saved.read(info)
            if data.count(marker.encode("ascii")) != 1:
                final.writestr(info, data)
                continue
            before, after = data.split(marker.encode("ascii"))
            with final.open(info, "w", force_zip64=True) as part:
                part.write(before)
                rows.seek(0)
                shutil.copyfileobj(rows, part)
                part.write(after)
    return result.getvalue()
