"""The report as an HTML page: the browser's print view, and the source of the PDF."""

from __future__ import annotations

from pathlib import Path

from flask import render_template, url_for
from flask_babel import force_locale

from coordination.reports.compliance import ComplianceReport

FONTS_DIR = Path(__file__).resolve().parent.parent / "static" / "fonts"


def render_html(
    report: ComplianceReport,
    *,
    for_pdf: bool = False,
    downloads: list[tuple[str, str]] | None = None,
) -> str:
    """Render the report; always in Vietnamese, the language of the document the office signs.

    `for_pdf` points the fonts at the files themselves, so that WeasyPrint embeds them without a web
    server; `downloads` adds a toolbar (print, other formats) that never prints.
    """
    font_base = FONTS_DIR.as_uri() if for_pdf else url_for("static", filename="fonts").rstrip("/")
    with force_locale("vi"):
        return render_template("reports/compliance.html", report=report, font_base=font_base, downloads=downloads)
