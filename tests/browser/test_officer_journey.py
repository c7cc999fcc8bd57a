"""In headless Debian Chromium, on a phone: Sở Tư pháp's officer reports progress on task 5 of 2157/UBND-KSTT
with a PDF, and sees the note and the file in the page's history."""

from __future__ import annotations

import re

import pytest

from tests.browser.conftest import log_in, screenshot
from tests.conftest import tiny_pdf

pytestmark = pytest.mark.browser

NOTE = "Đã rà soát 214 hồ sơ khai sinh; gửi kèm danh sách đã cấp lại."


def fits_the_phone(page) -> bool:  # type: ignore[no-untyped-def]
    return page.evaluate("document.documentElement.scrollWidth") <= 390 + 1


def test_officer_reports_progress_with_a_pdf(phone, tmp_path) -> None:  # type: ignore[no-untyped-def]
    pdf = tmp_path / "danh-sach-cap-lai.pdf"
    pdf.write_bytes(tiny_pdf())

    log_in(phone, "justice.tayninh")
    phone.goto("/app/assignment/")
    assert fits_the_phone(phone)
    screenshot(phone, "work-list-phone")

    row = phone.locator("tr.work-row").filter(has_text="2157/UBND-KSTT")
    row.locator("td.work-task a", has_text=re.compile(r"^\s*5\.")).first.click()
    phone.wait_for_load_state("networkidle")
    assert re.search(r"/app/assignment/details/\?id=\d+", phone.url)
    assert "Sở Tư pháp" in phone.locator(".assignment-own").inner_text()
    assert fits_the_phone(phone)
    screenshot(phone, "assignment-before-report-phone")

    form = phone.locator("form.report-form")
    form.locator("textarea[name=note]").fill(NOTE)
    form.locator("input[name=progress_percent]").fill("60")
    form.locator("input[type=file][name=files]").set_input_files(str(pdf))
    form.locator("button[type=submit]").click()
    phone.wait_for_load_state("networkidle")

    assert "Đã gửi báo cáo kèm 1 tệp minh chứng." in phone.locator(".alert-success").inner_text()
    updates = phone.locator("#updates").inner_text()
    assert NOTE in updates
    assert "danh-sach-cap-lai.pdf" in updates
    history = phone.locator("#history").inner_text()
    assert "Nộp minh chứng" in history and "danh-sach-cap-lai.pdf" in history
    assert "Cập nhật tiến độ" in history and NOTE in history
    assert phone.locator("#evidence a.evidence-link", has_text="danh-sach-cap-lai.pdf").count() == 1
    assert fits_the_phone(phone)
    screenshot(phone, "assignment-after-report-phone")
