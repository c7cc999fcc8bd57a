"""Text that users type is only ever text: escaped in pages, e-mails and PDFs; never a formula in xlsx or CSV."""

from __future__ import annotations

import csv
import io
import zipfile
from datetime import date
from email import message_from_bytes, policy

import openpyxl
import pytest
from flask import current_app
from pypdf import PdfReader

from coordination.assignments.operations import report_progress
from coordination.extensions import db
from coordination.reminders.mail import DigestItem, build_digest
from coordination.reports.compliance import ReportScope, build_report
from coordination.reports.render_csv import _cell as csv_cell
from coordination.reports.render_csv import render_csv
from coordination.reports.render_html import render_html
from coordination.reports.render_pdf import render_pdf
from coordination.reports.render_pdf_large import render_pdf_large
from coordination.reports.render_xlsx import render_xlsx
from tests.conftest import SETUP, assignment_of, directive, get_user

MARKUP = '<script>alert("x")</script><img src=x onerror=alert(1)><b>đậm</b> & "ngoặc"'
ESCAPED = "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;&lt;img src=x onerror=alert(1)&gt;&lt;b&gt;đậm&lt;/b&gt;"
REF = "2157/UBND-KSTT"


@pytest.fixture
def hostile(app):  # type: ignore[no-untyped-def]
    """Task 5 of 2157/UBND-KSTT says MARKUP, and Sở Tư pháp's note on it says MARKUP too."""
    work = assignment_of(REF, "5", "TN-STP")
    work.task.text = MARKUP
    report_progress(work, actor=get_user("justice.tayninh"), note=MARKUP)
    db.session.commit()
    return work


def test_pages_escape_it(hostile, client, login) -> None:
    login("justice.tayninh")
    for url in (f"/app/directive/details/?id={hostile.task.directive_id}", f"/app/assignment/details/?id={hostile.id}"):
        html = client.get(url).get_data(as_text=True)
        assert ESCAPED in html, url
        assert "<script>alert" not in html and "<img src=x" not in html and "<b>đậm</b>" not in html


def test_the_report_page_and_both_pdfs_show_it_as_text(hostile) -> None:
    report = build_report(get_user("office.tayninh"), ReportScope(directive=directive(REF)))
    with current_app.test_request_context():
        html = render_html(report)
        pdfs = {"weasyprint": render_pdf(report), "reportlab": render_pdf_large(report)}
    assert ESCAPED in html and "<script>alert" not in html
    for name, data in pdfs.items():
        text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)
        words = " ".join(text.split())
        assert '<script>alert("x")</script>' in words, name  # printed, not swallowed as markup
        assert "<b>đậm</b>" in words, name


def test_the_digest_mail_escapes_it_in_html_and_keeps_it_in_text(app) -> None:
    user = get_user("justice.tayninh")
    user.full_name = "Nguyễn\r\nBcc: attacker@example.invalid"
    item = DigestItem(ref=REF, label="5", text=MARKUP, deadline=date(2026, 12, 1), days_left=3, agency="Sở <i>X</i>")
    with app.test_request_context():
        message = build_digest(user, [item], date(2026, 11, 28))
    parsed = message_from_bytes(message.as_bytes(), policy=policy.default)
    assert parsed["Bcc"] is None and "\n" not in parsed["To"]
    html = parsed.get_body(("html",)).get_content()
    plain = parsed.get_body(("plain",)).get_content()
    assert ESCAPED in html and "Sở &lt;i&gt;X&lt;/i&gt;" in html and "<script>" not in html
    assert MARKUP in plain  # plain text is not HTML: shown as typed
    db.session.rollback()


FORMULAS = ["=1+1", "+84 912", "-5%", "@SUM(A1)", "\tcmd", "\0x", "\r=1", "\x01=1+1", "\x1f@A1"]


@pytest.mark.parametrize("text", FORMULAS)
def test_csv_cells_that_a_spreadsheet_would_run_get_an_apostrophe(text: str) -> None:
    assert csv_cell(text) == "'" + text
    assert csv_cell("Hoàn thành = 100%") == "Hoàn thành = 100%"


def test_xlsx_and_csv_write_formulas_and_control_characters_as_text(app) -> None:
    notes = ['=HYPERLINK("http://x.invalid")', "+1", "-1", "@A1", "\tTAB", "\x01=1+1", "a\x0bb"]
    works = [a for task in directive(REF).tasks for a in task.assignments][: len(notes)]
    assert len(works) == len(notes)
    for work, note in zip(works, notes, strict=True):
        report_progress(work, actor=SETUP, note=note)
    db.session.commit()
    report = build_report(get_user("office.tayninh"), ReportScope(directive=directive(REF)))

    data = render_xlsx(report)  # control characters no longer refuse the whole report
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        sheets = [archive.read(n).decode() for n in archive.namelist() if n.startswith("xl/worksheets/")]
    assert not any("<f>" in sheet or "<f " in sheet for sheet in sheets)
    detail = openpyxl.load_workbook(io.BytesIO(data))["Chi tiết"]
    cells = {c.value: c for row in detail.iter_rows(min_row=5) for c in row if isinstance(c.value, str)}
    expected = ['=HYPERLINK("http://x.invalid")', "+1", "-1", "@A1", "TAB", "=1+1", "ab"]  # notes are stripped
    assert all(cells[text].data_type == "s" for text in expected)  # the controls dropped, the rest kept as text

    rows = list(csv.reader(io.StringIO(render_csv(report.blocks).removeprefix("\ufeff"))))
    written = {row[16] for row in rows[1:]}
    assert {"'" + note for note in (*notes[:4], "\x01=1+1")} <= written and {"TAB", "a\x0bb"} <= written
