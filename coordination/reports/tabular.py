"""The detail table as flat records, shared by the xlsx and CSV renderers (one row per assignment)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import date
from typing import Any

from coordination import formatting
from coordination.reports.compliance import DirectiveBlock
from coordination.templating import status_label, timeliness_label

#: (header, kind): kind decides the cell type and width in xlsx
DETAIL_COLUMNS: list[tuple[str, str]] = [
    ("STT", "text"),
    ("Văn bản", "text"),
    ("Nhiệm vụ", "text"),
    ("Nội dung nhiệm vụ", "long"),
    ("Thuộc nhiệm vụ", "text"),
    ("Mã cơ quan", "text"),
    ("Cơ quan, đơn vị", "name"),
    ("Vai trò", "text"),
    ("Thời hạn", "date"),
    ("Thời hạn trước gia hạn", "date"),
    ("Trạng thái", "text"),
    ("Tiến độ", "text"),
    ("Tỷ lệ hoàn thành (%)", "int"),
    ("Ngày báo cáo hoàn thành", "date"),
    ("Ngày xác nhận hoàn thành", "date"),
    ("Số ngày quá hạn", "int"),
    ("Kết quả thực hiện", "long"),
    ("Số minh chứng", "int"),
    ("Yêu cầu giải trình đã gửi", "int"),
    ("Yêu cầu giải trình chưa trả lời", "int"),
]

ROLE_NAMES = {"lead": "Chủ trì", "coordinate": "Phối hợp"}


def detail_records(blocks: Iterable[DirectiveBlock]) -> Iterator[list[Any]]:
    """One list of values per assignment, in document order, in the order of DETAIL_COLUMNS."""
    # Each label translated once: gettext per row took 7 s of 54,000 rows (profiled).
    statuses: dict[str, str] = {}
    kinds: dict[str | None, str] = {}
    for block in blocks:
        for task in block.tasks:
            for row in task.assignments:
                status = statuses.get(row.status)
                if status is None:
                    status = statuses[row.status] = status_label(row.status)
                kind = kinds.get(row.timeliness)
                if kind is None:
                    kind = kinds[row.timeliness] = timeliness_label(row.timeliness) if row.timeliness else ""
                yield [
                    task.stt,
                    block.directive.ref,
                    task.display_label,
                    task.text,
                    task.parent_label or "",
                    row.agency_code,
                    row.agency_name,
                    ROLE_NAMES[row.role],
                    row.deadline,
                    row.original_deadline,
                    status,
                    kind,
                    row.progress_percent,
                    row.reported_done_on,
                    row.completed_on,
                    row.days_late,
                    row.result,
                    row.evidence_count,
                    row.explanations_sent,
                    row.explanations_unanswered,
                ]


#: a spreadsheet reads a cell starting with one of these as a formula (OWASP "CSV injection")
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\0")


_LEADING_CONTROLS = "".join(chr(c) for c in range(32) if chr(c) not in FORMULA_STARTS)


def risky(text: str) -> bool:
    # Control characters in front ("\x01=1+1") are dropped or ignored by spreadsheets: look past them.
    return text.lstrip(_LEADING_CONTROLS).startswith(FORMULA_STARTS)


def format_date(value: date | None) -> str:
    return formatting.format_date(value)
