"""The report as PDF: WeasyPrint renders the same HTML as the print view, fonts embedded."""

from __future__ import annotations

from pathlib import Path

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


def render_pdf(report: ComplianceReport) -> bytes:
    html = render_html(report, for_pdf=True)
    return HTML(string=html, base_url=FONTS_DIR.as_uri() + "/", url_fetcher=FontsOnly()).write_pdf()
