"""In headless Debian Chromium: the work list's "Trang sau", "‹ Trang trước" and "Trang đầu" links (issue 14)."""

from __future__ import annotations

import pytest

from tests.browser.conftest import log_in, screenshot

pytestmark = pytest.mark.browser


def _rows(page) -> list[str]:  # type: ignore[no-untyped-def]
    return page.eval_on_selector_all("tr.work-row", "rows => rows.map(r => r.dataset.id)")


def test_the_admin_pages_forward_back_and_to_the_first_page(phone) -> None:  # type: ignore[no-untyped-def]
    # the demo's 96 assignments: the admin sees every one, 50 a page
    log_in(phone, "admin")
    phone.goto("/app/assignment/")
    first = _rows(phone)
    assert len(first) == 50
    assert phone.locator(".work-count").inner_text() == "1–50 trong 96 việc"
    assert phone.locator("a.page-previous").count() == 0 and phone.locator("a.page-first").count() == 0

    phone.click("a.page-next")
    phone.wait_for_load_state("networkidle")
    second = _rows(phone)
    assert len(second) == 46 and not set(first) & set(second)
    assert phone.locator(".work-count").inner_text() == "51–96 trong 96 việc"
    assert phone.locator("a.page-next").count() == 0
    screenshot(phone, "work-list-page-2")

    phone.click("a.page-previous")
    phone.wait_for_load_state("networkidle")
    assert _rows(phone) == first
    assert phone.locator(".work-count").inner_text() == "1–50 trong 96 việc"

    phone.click("a.page-next")
    phone.wait_for_load_state("networkidle")
    assert _rows(phone) == second
    phone.click("a.page-first")
    phone.wait_for_load_state("networkidle")
    assert _rows(phone) == first
    assert "cursor=" not in phone.url


def test_the_pages_keep_the_filter_chosen(phone) -> None:  # type: ignore[no-untyped-def]
    log_in(phone, "admin")
    phone.goto("/app/assignment/")
    phone.select_option("#f-status", "open")
    phone.click("form.app-filters button[type=submit]")
    phone.wait_for_load_state("networkidle")
    filtered = _rows(phone)
    statuses = phone.eval_on_selector_all("tr.work-row", "rows => rows.map(r => r.dataset.status)")
    assert "done" not in statuses and "cancelled" not in statuses
    # the demo's 82 assignments neither done nor cancelled
    assert phone.locator(".work-count").inner_text() == "1–50 trong 82 việc"
    phone.click("a.page-next")
    phone.wait_for_load_state("networkidle")
    assert "status=open" in phone.url
    assert phone.locator(".work-count").inner_text() == "51–82 trong 82 việc"
    later = phone.eval_on_selector_all("tr.work-row", "rows => rows.map(r => r.dataset.status)")
    assert "done" not in later and "cancelled" not in later and not set(_rows(phone)) & set(filtered)
    assert phone.locator("#f-status").input_value() == "open"
