"""In headless Debian Chromium: the work list's "Trang sau", "‹ Trang trước" and "Trang đầu" links (issue 14).

The live server is shared by the browser tests, some of which add work: the list's size is read from its first
page (the demo's 96 assignments when this runs alone, more after the import tests), and every page checked
against it.
"""

from __future__ import annotations

import re

import pytest

from tests.browser.conftest import log_in, screenshot

pytestmark = pytest.mark.browser


def _rows(page) -> list[str]:  # type: ignore[no-untyped-def]
    return page.eval_on_selector_all("tr.work-row", "rows => rows.map(r => r.dataset.id)")


def _statuses(page) -> list[str]:  # type: ignore[no-untyped-def]
    return page.eval_on_selector_all("tr.work-row", "rows => rows.map(r => r.dataset.status)")


def _count_line(page) -> tuple[int, int, int]:  # type: ignore[no-untyped-def]
    """(first row, last row, the list's size) of "51–100 trong 162 việc"."""
    found = re.fullmatch(r"([\d.]+)–([\d.]+) trong ([\d.]+) việc", page.locator(".work-count").inner_text())
    assert found is not None
    first, last, total = (int(v.replace(".", "")) for v in found.groups())
    return first, last, total


def _click(page, which: str) -> None:  # type: ignore[no-untyped-def]
    page.click(f"a.page-{which}")
    page.wait_for_load_state("networkidle")


def test_the_admin_pages_forward_back_and_to_the_first_page(phone) -> None:  # type: ignore[no-untyped-def]
    log_in(phone, "admin")
    phone.goto("/app/assignment/")
    _one, _fifty, total = _count_line(phone)
    assert total >= 96  # the demo's assignments, all of which the admin sees, 50 a page
    assert phone.locator("a.page-previous").count() == 0 and phone.locator("a.page-first").count() == 0
    pages = [_rows(phone)]
    while phone.locator("a.page-next").count():
        _click(phone, "next")
        pages.append(_rows(phone))
        start = 50 * (len(pages) - 1)
        assert _count_line(phone) == (start + 1, min(start + 50, total), total)
    screenshot(phone, "work-list-last-page")
    # every row once: 50 a page, the last page the rest
    assert [len(p) for p in pages] == [50] * (len(pages) - 1) + [total - 50 * (len(pages) - 1)]
    seen = [i for p in pages for i in p]
    assert len(set(seen)) == len(seen) == total

    _click(phone, "previous")
    assert _rows(phone) == pages[-2]
    assert _count_line(phone)[:2] == (50 * (len(pages) - 2) + 1, 50 * (len(pages) - 1))
    _click(phone, "next")
    assert _rows(phone) == pages[-1]
    _click(phone, "first")
    assert _rows(phone) == pages[0]
    assert "cursor=" not in phone.url
    assert phone.locator("a.page-first").count() == 0


def test_the_pages_keep_the_filter_chosen(phone) -> None:  # type: ignore[no-untyped-def]
    log_in(phone, "admin")
    phone.goto("/app/assignment/")
    phone.select_option("#f-status", "open")
    phone.click("form.app-filters button[type=submit]")
    phone.wait_for_load_state("networkidle")
    first = _rows(phone)
    assert not {"done", "cancelled"} & set(_statuses(phone))
    _one, _fifty, total = _count_line(phone)
    assert total >= 82  # the demo's assignments neither done nor cancelled
    _click(phone, "next")
    assert "status=open" in phone.url
    assert _count_line(phone) == (51, min(100, total), total)
    assert not {"done", "cancelled"} & set(_statuses(phone))
    assert not set(_rows(phone)) & set(first)
    assert phone.locator("#f-status").input_value() == "open"
