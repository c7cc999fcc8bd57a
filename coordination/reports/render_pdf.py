"""The report as PDF: WeasyPrint renders the same HTML as the print view, fonts embedded."""

from __future__ import annotations

from pathlib import Path

from flask import current_app
from weasyprint import HTML
from weasyprint.urls import URLFetcher

from coordination.reports.compliance import ComplianceReport
from coordination.reports.render_html import FONTS_DIR, render_html


class FontsOnly(URLFetcher):
    """Fetch the shipped fonts and nothing else: no network, no other file, whatever the report text holds."""

    def fetch(self, url, headers=None):  # type: ignore[no-untyped-def]
        if not url.startswith("file:"):
            raise ValueError(f"refused: {url}")
        path = Path(url.removeprefix("file://")).resolve()
        if path.parent != FONTS_DIR or path.suffix != ".ttf":
            raise ValueError(f"refused: {url}")
        return super().fetch(url, headers)


#: above this many detail rows ReportLab draws the PDF: WeasyPrint needs ~35 ms and ~0.2 MB a row (10 s at 300
#: rows, 2 minutes and 1.8 GB at 10,000), ReportLab ~2 ms a row (22 s and 360 MB at 10,000). See README, Reports.
#: 100 keeps a directive's PDF within 5 s (issue 14: the province's largest directive has 250 rows, which
#: WeasyPrint took 9 s to draw on a quiet machine and 44 s on a busy one; `make bench`, bench/single.py).
WEASYPRINT_MAX_ROWS = 100


def render_pdf(report: ComplianceReport, *, max_rows: int | None = None) -> bytes:
    """The print view through WeasyPrint; a large report through ReportLab (see render_pdf_large)."""
    limit = (
        max_rows if max_rows is not None else current_app.config.get("REPORT_PDF_HTML_MAX_ROWS", WEASYPRINT_MAX_ROWS)
    )
    if sum(len(task.assignments) for task in report.tasks) > limit:
        from coordination.reports.render_pdf_large import render_pdf_large

        return render_pdf_large(report)
    html = render_html(report, for_pdf=True)
    return HTML(string=html, base_url=FONTS_DIR.as_uri() + "/", url_fetcher=FontsOnly()).write_pdf()
