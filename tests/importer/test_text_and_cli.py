"""Reading an uploaded file's text (.txt, .docx, .pdf) and the `flask directives parse` command."""

from __future__ import annotations

import io
import json
from pathlib import Path

import docx
import pytest
from reportlab.lib.pagesizes import A4
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas

from coordination.importer.text import ImportTextError, extract_text
from coordination.reports.render_html import FONTS_DIR

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "directives"
SAMPLE = "Kính gửi: Sở Tư pháp.\n1. Sở Tư pháp chủ trì, phối hợp với Sở Nội vụ rà soát trước ngày 30/9/2022."


def _pdf(lines: list[str]) -> bytes:
    pdfmetrics.registerFont(TTFont("ImportSerif", str(FONTS_DIR / "LiberationSerif-Regular.ttf")))
    out = io.BytesIO()
    page = canvas.Canvas(out, pagesize=A4)
    page.setFont("ImportSerif", 11)
    for index, line in enumerate(lines):
        page.drawString(60, 780 - 16 * index, line)
    page.save()
    return out.getvalue()


def test_utf8_with_and_without_bom() -> None:
    assert extract_text("a.txt", SAMPLE.encode()) == SAMPLE
    assert extract_text("a.txt", b"\xef\xbb\xbf" + SAMPLE.encode()) == SAMPLE


def test_utf16_and_windows_vietnamese() -> None:
    assert extract_text("a.txt", SAMPLE.encode("utf-16")) == SAMPLE
    assert extract_text("a.txt", SAMPLE.encode("utf-16-le")) == SAMPLE
    # cp1258 writes "ở" as "ơ" (0xF5) plus a combining hook (0xD2); the text comes back composed (NFC)
    assert extract_text("a.txt", b"S\xf5\xd2 T\xfd ph\xe1p") == "Sở Tư pháp"


def test_docx_paragraphs_and_table_cells_in_order() -> None:
    document = docx.Document()
    document.add_paragraph("ỦY BAN NHÂN DÂN TỈNH TÂY NINH")
    table = document.add_table(rows=1, cols=2)
    table.cell(0, 0).text = "Số: 15/UBND-VP"
    table.cell(0, 1).text = "Tây Ninh, ngày 14 tháng 8 năm 2022"
    document.add_paragraph("1. Sở Tư pháp chủ trì rà soát.")
    out = io.BytesIO()
    document.save(out)
    text = extract_text("van-ban.docx", out.getvalue())
    assert [line for line in text.split("\n") if line] == [
        "ỦY BAN NHÂN DÂN TỈNH TÂY NINH",
        "Số: 15/UBND-VP",
        "Tây Ninh, ngày 14 tháng 8 năm 2022",
        "1. Sở Tư pháp chủ trì rà soát.",
    ]


def test_pdf_with_a_text_layer() -> None:
    data = _pdf(["Số: 15/UBND-VP", "1. Sở Tư pháp chủ trì, phối hợp với Sở Nội vụ rà soát văn bản."])
    text = extract_text("van-ban.pdf", data)
    assert "15/UBND-VP" in text
    assert "Sở Tư pháp chủ trì, phối hợp với Sở Nội vụ" in text


def test_scanned_pdf_needs_ocr() -> None:
    with pytest.raises(ImportTextError, match="OCR"):
        extract_text("scan.pdf", _pdf([]))


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("x.docx", b"PK\x03\x04 not really a zip"),
        ("x.pdf", b"%PDF-1.4 garbage"),
        ("x.txt", bytes(range(256)) * 20),
        ("x.exe", b"MZ\x90\x00"),
    ],
)
def test_unreadable_files_raise_one_error_class(name: str, data: bytes) -> None:
    with pytest.raises(ImportTextError):
        extract_text(name, data)


def test_cli_prints_the_reading_as_json(app) -> None:
    result = app.test_cli_runner().invoke(args=["directives", "parse", str(FIXTURES / "2157_UBND-KSTT.txt")])
    assert result.exit_code == 0
    reading = json.loads(result.output)
    assert reading["ref"] == "2157/UBND-KSTT"
    assert [t["label"] for t in reading["tasks"]] == ["1", "2", "3", "4", "5", "7", "8", "9", "10", "12", "11"]
    assert "Ủy ban nhân dân tỉnh Tây Ninh" in result.output  # UTF-8, not \\u escapes


def test_cli_on_a_text_that_is_not_a_directive(app, tmp_path: Path) -> None:
    note = tmp_path / "ghi-chu.txt"
    note.write_text("Danh sách mua sắm: gạo, muối, nước mắm.", encoding="utf-8")
    result = app.test_cli_runner().invoke(args=["directives", "parse", str(note)])
    assert result.exit_code == 0
    reading = json.loads(result.output)
    assert reading["tasks"] == []
    assert reading["warnings"] == ["no tasks found: this does not look like a directive"]


def test_cli_on_an_unreadable_file(app, tmp_path: Path) -> None:
    scan = tmp_path / "scan.pdf"
    scan.write_bytes(_pdf([]))
    result = app.test_cli_runner().invoke(args=["directives", "parse", str(scan)])
    assert result.exit_code == 1
    assert "cần nhận dạng chữ (OCR)" in result.output
    assert "Traceback" not in result.output
    missing = app.test_cli_runner().invoke(args=["directives", "parse", str(tmp_path / "none.txt")])
    assert missing.exit_code == 1
    assert "Không đọc được tệp" in missing.output
