"""The report as PDF for large scopes, by ReportLab: the same document, drawn without a browser engine.

WeasyPrint lays out the whole HTML table in memory: 10,000 rows took about two minutes and 1.8 GB.
ReportLab draws them in about 20 s and 360 MB, one measured table per page. Same parts in the
same order (Nghị định 30 header, title, summary, agencies, detail, targets, Nơi nhận and signature),
same shipped font, "Trang 2/N" in the top margin; a task is a row of its own above its agencies' rows.
"""

from __future__ import annotations

import io
from typing import Any
from xml.sax.saxutils import escape

from flask_babel import force_locale
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_RIGHT
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas
from reportlab.platypus import (
    KeepTogether,
    LongTable,
    PageBreak,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from coordination.reports.compliance import SUMMARY_KEYS, ComplianceReport, Counts
from coordination.reports.render_html import FONTS_DIR
from coordination.templating import format_date, format_number, status_label, timeliness_label

FONT, BOLD, ITALIC, BOLD_ITALIC = "ReportSerif", "ReportSerif-Bold", "ReportSerif-Italic", "ReportSerif-BoldItalic"
PAGE = landscape(A4)
MARGINS = {"leftMargin": 25 * mm, "rightMargin": 15 * mm, "topMargin": 20 * mm, "bottomMargin": 18 * mm}
#: the body's height inside the margins, less the frame's own padding (6 pt above and below)
FRAME_HEIGHT = PAGE[1] - MARGINS["topMargin"] - MARGINS["bottomMargin"] - 12
#: a longer note or task text is cut here: one table row may not be taller than a page
MAX_CELL_CHARS = 1500


def _register_fonts() -> None:
    if FONT in pdfmetrics.getRegisteredFontNames():
        return
    for name, file in (
        (FONT, "LiberationSerif-Regular.ttf"),
        (BOLD, "LiberationSerif-Bold.ttf"),
        (ITALIC, "LiberationSerif-Italic.ttf"),
        (BOLD_ITALIC, "LiberationSerif-BoldItalic.ttf"),
    ):
        pdfmetrics.registerFont(TTFont(name, str(FONTS_DIR / file)))
    pdfmetrics.registerFontFamily(FONT, normal=FONT, bold=BOLD, italic=ITALIC, boldItalic=BOLD_ITALIC)


def _style(size: float = 13, *, font: str = FONT, align: int = 0, leading: float | None = None) -> ParagraphStyle:
    return ParagraphStyle("s", fontName=font, fontSize=size, leading=leading or size * 1.25, alignment=align)


CENTER = _style(13, align=TA_CENTER)
CENTER_BOLD = _style(13, font=BOLD, align=TA_CENTER)
TITLE = _style(14, font=BOLD, align=TA_CENTER)
BODY = _style(13)
HEADING = _style(13, font=BOLD)
CELL = _style(10.5)
CELL_BOLD = _style(10.5, font=BOLD)
CELL_HEAD = _style(10, font=BOLD, align=TA_CENTER)
_bold_num = _style(10.5, font=BOLD, align=TA_RIGHT)


def _p(text: Any, style: ParagraphStyle = CELL) -> Paragraph:
    return Paragraph(escape(str(text)).replace("\n", "<br/>"), style)


class _NumberedCanvas(canvas.Canvas):
    """Writes "Trang i/N" once N is known; the first page stays unnumbered (Nghị định 30)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("initialFontName", FONT)  # else Helvetica is listed, unembedded, on every page
        super().__init__(*args, **kwargs)
        self._pages: list[dict] = []

    def showPage(self) -> None:
        self._pages.append(dict(self.__dict__))
        self._startPage()

    def save(self) -> None:
        total = len(self._pages)
        for number, state in enumerate(self._pages, start=1):
            self.__dict__.update(state)
            if number > 1:
                self.setFont(FONT, 11)
                self.drawCentredString(PAGE[0] / 2, PAGE[1] - 12 * mm, f"Trang {number}/{total}")
            super().showPage()
        super().save()


def _grid(extra: list[tuple] | None = None) -> TableStyle:
    return TableStyle(
        [
            ("GRID", (0, 0), (-1, -1), 0.6, colors.black),
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("FONTNAME", (0, 0), (-1, -1), FONT),
            ("FONTSIZE", (0, 0), (-1, -1), 10.5),
            ("LEFTPADDING", (0, 0), (-1, -1), PADDING),
            ("RIGHTPADDING", (0, 0), (-1, -1), PADDING),
            ("TOPPADDING", (0, 0), (-1, -1), PADDING),
            ("BOTTOMPADDING", (0, 0), (-1, -1), PADDING),
            *(extra or []),
        ]
    )


def _share(counts: Counts, key: str) -> str:
    value = format_number(getattr(counts, key))
    share = counts.percent(key)
    return f"{value} ({format_number(share, 1)}%)" if share is not None else value


def _head(report: ComplianceReport) -> list[Any]:
    h = report.header
    left = [*([_p(h.superior_name, CENTER)] if h.superior_name else []), _p(h.body_name or "……………………", CENTER_BOLD)]
    left.append(_p("_______", CENTER))
    left.append(Paragraph(escape(h.number_line).replace(" ", "&nbsp;"), CENTER))
    right = [
        _p("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", CENTER_BOLD),
        _p("Độc lập - Tự do - Hạnh phúc", CENTER_BOLD),
        _p("_________________________", CENTER),
        _p(h.place_and_date, _style(13.5, font=ITALIC, align=TA_CENTER)),
    ]
    width = PAGE[0] - MARGINS["leftMargin"] - MARGINS["rightMargin"]
    head = Table([[left, right]], colWidths=[width * 0.4, width * 0.6])
    head.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP")]))
    title = [_p("BÁO CÁO", TITLE), _p(h.title, TITLE)]
    if h.subject:
        title.append(_p(h.subject, TITLE))
    title += [_p(note, CENTER) for note in h.notes]
    title.append(_p(h.subtitle, _style(13, font=ITALIC, align=TA_CENTER)))
    return [head, Spacer(1, 6 * mm), *title, Spacer(1, 5 * mm)]


def _summary(report: ComplianceReport) -> list[Any]:
    s = report.summary
    text = (
        f"Tổng số {format_number(s.tasks)} nhiệm vụ, {format_number(s.assignments)} lượt giao cho các cơ quan, đơn vị. "
        f"Trong đó: hoàn thành đúng hạn {_share(s, 'done_on_time')}; hoàn thành quá hạn {_share(s, 'done_late')}; "
        f"chưa hoàn thành, còn trong hạn {_share(s, 'open_on_time')}; chưa hoàn thành, quá hạn "
        f"{_share(s, 'open_overdue')} (trong đó chưa thực hiện {_share(s, 'not_started')})."
    )
    if s.cancelled:
        text += f" Không tính {format_number(s.cancelled)} lượt giao đã hủy."
    flow: list[Any] = [_p("I. TÌNH HÌNH CHUNG", HEADING), _p(text, BODY), Spacer(1, 3 * mm)]
    if report.per_agency:
        rows: list[list[Any]] = [
            [_p(t, CELL_HEAD) for t in ("STT", "Cơ quan, đơn vị", "Tổng số lượt giao")]
            + [_p(t, CELL_HEAD) for t in ("HT đúng hạn", "HT quá hạn", "Chưa HT, trong hạn", "Chưa HT, quá hạn")]
            + [_p(t, CELL_HEAD) for t in ("Chưa thực hiện", "YC giải trình đã gửi", "YC giải trình chưa trả lời")]
        ]
        for index, line in enumerate(report.agencies, start=1):
            rows.append(
                [str(index), _p(line.name), format_number(line.counts.assignments)]
                + [_share(line.counts, key) for key in SUMMARY_KEYS]
                + [format_number(line.explanations_sent), format_number(line.explanations_unanswered)]
            )
        rows.append(
            ["", _p("Tổng cộng", CELL_BOLD), format_number(s.assignments)]
            + [_share(s, key) for key in SUMMARY_KEYS]
            + [
                format_number(sum(a.explanations_sent for a in report.agencies)),
                format_number(sum(a.explanations_unanswered for a in report.agencies)),
            ]
        )
        widths = [9 * mm, 64 * mm, 18 * mm] + [26 * mm] * 5 + [18 * mm, 18 * mm]
        table = LongTable(rows, colWidths=widths, repeatRows=1)
        table.setStyle(_grid([("ALIGN", (2, 1), (-1, -1), "RIGHT"), ("FONTNAME", (0, -1), (-1, -1), BOLD)]))
        flow += [_p("Theo cơ quan, đơn vị", _style(13, font=BOLD_ITALIC)), table]
    return flow


DETAIL_WIDTHS = [9 * mm, 70 * mm, 40 * mm, 22 * mm, 27 * mm, 22 * mm, 14 * mm, 40 * mm, 13 * mm]


def _detail(report: ComplianceReport) -> list[Any]:
    head = [
        _p(t, CELL_HEAD)
        for t in (
            "STT",
            "Nhiệm vụ; cơ quan chủ trì",
            "Cơ quan phối hợp",
            "Thời hạn",
            "Trạng thái",
            "Tiến độ",
            "Số ngày quá hạn",
            "Kết quả thực hiện",
            "Số minh chứng",
        )
    ]
    rows: list[list[Any]] = [head]
    # No per-row style commands (SPAN, FONTNAME): ReportLab copies and re-reads them all at every page
    # break, which made 10,000 rows take minutes. Bold text is in the paragraphs' own style instead.
    for block in report.blocks:
        if report.several_directives:
            heading = f"{block.directive.heading} — V/v {block.directive.subject}"
            rows.append(["", _p(heading, CELL_BOLD), "", "", "", "", "", "", ""])
        for task in block.tasks:
            label = task.display_label + "." if task.depth == 0 else task.label
            text = Paragraph(f"<b>{escape(label)}</b> {escape(_cut(task.text))}", CELL)
            rows.append([task.stt, text, "", "", "", "", "", "", ""])
            for row in task.assignments:
                style = CELL_BOLD if row.overdue else CELL
                deadline = format_date(row.deadline) if row.deadline else "Không thời hạn"
                if row.original_deadline:
                    deadline += f" (gia hạn, hạn cũ {format_date(row.original_deadline)})"
                status = status_label(row.status)
                if row.progress_percent is not None and row.status in ("in_progress", "returned"):
                    status += f" ({row.progress_percent}%)"
                rows.append(
                    [
                        "",
                        _p(row.agency_name, style) if row.is_lead else "",
                        "" if row.is_lead else _p(row.agency_name, style),
                        _p(deadline, style),
                        _p(status, style),
                        _p("▲ Quá hạn" if row.overdue else timeliness_label(row.timeliness), style),
                        _p(format_number(row.days_late), _bold_num) if row.days_late else "",
                        _p(_cut(row.result)) if row.result else "",
                        format_number(row.evidence_count),
                    ]
                )
    heights = _heights(rows)
    style = _grid([("ALIGN", (6, 1), (6, -1), "RIGHT"), ("ALIGN", (8, 1), (8, -1), "RIGHT")])
    # One table per page, cut where the measured rows fill it: ReportLab never splits a long table
    # (each split re-reads every remaining row: minutes for 10,000 rows), and the header tops every page.
    heading = [PageBreak(), _p("II. CHI TIẾT TÌNH HÌNH THỰC HIỆN NHIỆM VỤ", HEADING), Spacer(1, 2 * mm)]
    room = FRAME_HEIGHT * 0.97 - 13 * 1.25 - 2 * mm - heights[0]
    flow: list[Any] = [*heading]
    start, used = 1, 0.0
    for index in range(1, len(rows) + 1):
        if index == len(rows) or used + heights[index] > room:
            chunk = LongTable(
                [rows[0], *rows[start:index]],
                colWidths=DETAIL_WIDTHS,
                rowHeights=[heights[0], *heights[start:index]],
                repeatRows=1,
            )
            chunk.setStyle(style)
            flow.append(chunk)
            start, used, room = index, 0.0, FRAME_HEIGHT * 0.97 - heights[0]
        if index < len(rows):
            used += heights[index]
    return flow


PADDING = 3


def _cut(text: str) -> str:
    return text if len(text) <= MAX_CELL_CHARS else text[: MAX_CELL_CHARS - 1] + "…"


def _heights(rows: list[list[Any]]) -> list[float]:
    """Each row's height, measured once: with them given, splitting the table page by page stays linear.

    ReportLab otherwise re-measures every remaining row at each page break (two minutes more for 10,000 rows).
    """
    heights = []
    for row in rows:
        tallest = 10.5 * 1.2
        for cell, width in zip(row, DETAIL_WIDTHS, strict=True):
            if isinstance(cell, Paragraph):
                tallest = max(tallest, cell.wrap(width - 2 * PADDING, 10_000)[1])
        heights.append(tallest + 2 * PADDING + 1)
    return heights


def _indicators(report: ComplianceReport) -> list[Any]:
    rows: list[list[Any]] = [
        [_p(t, CELL_HEAD) for t in ("STT", "Chỉ tiêu", "Chỉ tiêu giao", "Thời hạn", "Kết quả", "Tỷ lệ", "Đánh giá")]
    ]
    for index, item in enumerate(report.indicators, start=1):
        actual = f"{format_number(item.actual)} {item.unit}" if item.actual is not None else "Chưa có số liệu"
        rows.append(
            [
                str(index),
                _p(item.name + (f" ({item.directive_ref})" if report.several_directives else "")),
                f"{format_number(item.target)} {item.unit}",
                format_date(item.deadline),
                _p(actual),
                f"{format_number(item.percent, 1)}%" if item.percent is not None else "",
                _p(item.rating_label),
            ]
        )
    table = LongTable(rows, colWidths=[9 * mm, 80 * mm, 34 * mm, 22 * mm, 40 * mm, 18 * mm, 54 * mm], repeatRows=1)
    table.setStyle(_grid())
    number = "III" if not report.empty else "I"
    return [Spacer(1, 4 * mm), _p(f"{number}. KẾT QUẢ THỰC HIỆN CHỈ TIÊU", HEADING), table]


def _signature(report: ComplianceReport) -> list[Any]:
    h = report.header
    left = [_p("Nơi nhận:", _style(12, font=BOLD_ITALIC))] + [_p(line, _style(11)) for line in h.recipients]
    right = [_p(line, CENTER_BOLD) for line in h.signer_authority]
    if h.signer_title:
        right.append(_p(h.signer_title, CENTER_BOLD))
    right.append(Spacer(1, 24 * mm))
    if h.signer_name:
        right.append(_p(h.signer_name, CENTER_BOLD))
    else:
        right += [_p("(Chữ ký, dấu)", _style(12, font=ITALIC, align=TA_CENTER)), _p("Họ và tên", CENTER_BOLD)]
    width = PAGE[0] - MARGINS["leftMargin"] - MARGINS["rightMargin"]
    table = Table([[left, right]], colWidths=[width / 2, width / 2])
    table.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP")]))
    return [Spacer(1, 6 * mm), KeepTogether([table])]


def render_pdf_large(report: ComplianceReport) -> bytes:
    _register_fonts()
    with force_locale("vi"):
        flow = _head(report)
        if report.empty:
            flow.append(_p("Không có nhiệm vụ nào trong phạm vi báo cáo.", _style(13, font=ITALIC, align=TA_CENTER)))
        else:
            flow += [*_summary(report), Spacer(1, 4 * mm), *_detail(report)]
        if report.indicators:
            flow += _indicators(report)
        flow += _signature(report)
        output = io.BytesIO()
        document = SimpleDocTemplate(
            output,
            pagesize=PAGE,
            title=f"BÁO CÁO {report.header.title}",
            author="coordination",
            invariant=1,  # the same report gives the same bytes (no creation date, a fixed document id)
            **MARGINS,
        )
        document.build(flow, canvasmaker=_NumberedCanvas)
    return output.getvalue()
