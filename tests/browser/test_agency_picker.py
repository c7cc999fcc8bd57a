"""In headless Debian Chromium on a 390-pixel phone: the office picks agencies by typing their names
without diacritics, with the keyboard only; the work list's directive filter searches the server."""

from __future__ import annotations

from datetime import date
from urllib.parse import parse_qs, urlsplit

import pytest

from tests.browser.conftest import log_in, screenshot

pytestmark = pytest.mark.browser


def fits_the_phone(page) -> bool:  # type: ignore[no-untyped-def]
    return page.evaluate("document.documentElement.scrollWidth") <= 390 + 1


def choose(page, field: str, typed: str, expected: str) -> None:  # type: ignore[no-untyped-def]
    """Type into the picker of `field` and press Enter on the first match, which must be `expected`."""
    box = page.locator(f"#{field}-ts-control")
    box.press_sequentially(typed)
    # The list is filtered a moment after the last key (Tom Select's refreshThrottle).
    page.locator(f"#{field}-ts-dropdown .option.active", has_text=expected).wait_for(timeout=5000)
    assert page.locator(f"#{field}-ts-dropdown .option.active").inner_text() == expected
    box.press("Enter")


def chosen(page, name: str) -> list[str]:  # type: ignore[no-untyped-def]
    return page.eval_on_selector(f"select[name='{name}']", "s => Array.from(s.selectedOptions, o => o.value)")


def test_office_chooses_three_agencies_by_typing_without_diacritics(phone) -> None:  # type: ignore[no-untyped-def]
    log_in(phone, "office.tayninh")
    phone.goto("/app/directive/register/")
    phone.wait_for_load_state("networkidle")

    # From the subject, Tab moves on to the groups, then into the agency picker: no mouse needed.
    phone.fill("input[name=number]", "319")
    phone.fill("input[name=symbol]", "UBND-KSTT")
    phone.fill("input[name=issued_on]", date.today().strftime("%d/%m/%Y"))
    phone.fill("textarea[name=subject]", "thử chọn cơ quan bằng bàn phím")
    phone.focus("#addressee_agencies-ts-control")
    choose(phone, "addressee_agencies", "tu phap", "Sở Tư pháp tỉnh Tây Ninh")
    choose(phone, "addressee_agencies", "giao duc", "Sở Giáo dục và Đào tạo tỉnh Tây Ninh")
    choose(phone, "addressee_agencies", "dai phat thanh", "Đài Phát thanh và Truyền hình Tây Ninh")
    phone.keyboard.press("Escape")

    # The three stay visible as chips, on the phone's width, and are what the form sends.
    chips = phone.locator(".ts-wrapper:has(#addressee_agencies-ts-control) .item")
    assert [chips.nth(i).inner_text().replace("×", "").strip() for i in range(chips.count())] == [
        "Sở Tư pháp tỉnh Tây Ninh",
        "Sở Giáo dục và Đào tạo tỉnh Tây Ninh",
        "Đài Phát thanh và Truyền hình Tây Ninh",
    ]
    assert all(chips.nth(i).is_visible() for i in range(3))
    assert chosen(phone, "addressee_agencies") == ["TN-STP", "TN-SGDDT", "TN-DPTTH"]
    box = phone.locator(".ts-wrapper:has(#addressee_agencies-ts-control)").bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 390
    assert fits_the_phone(phone)

    # Backspace in the empty box takes the last chip off again; the groups of the list are the levels.
    phone.focus("#addressee_agencies-ts-control")
    phone.keyboard.press("Backspace")
    assert chosen(phone, "addressee_agencies") == ["TN-STP", "TN-SGDDT"]
    dropdown = phone.locator("#addressee_agencies-ts-dropdown")
    if not dropdown.is_visible():
        phone.keyboard.press("ArrowDown")
    dropdown.wait_for()
    headers = phone.locator("#addressee_agencies-ts-dropdown .optgroup-header")
    assert [headers.nth(i).inner_text() for i in range(headers.count())] == ["Cấp tỉnh", "Cấp huyện"]
    choose(phone, "addressee_agencies", "PT-TH tay ninh", "Đài Phát thanh và Truyền hình Tây Ninh")
    phone.keyboard.press("Escape")

    # A task row's lead agency and the monitor, the same way; then the draft is saved with them.
    phone.fill("input[name='tasks-0-label']", "1")
    phone.fill("textarea[name='tasks-0-text']", "Rà soát hồ sơ.")
    phone.focus("#tasks-0-lead-ts-control")
    choose(phone, "tasks-0-lead", "cong an", "Công an tỉnh Tây Ninh")
    phone.keyboard.press("Escape")
    phone.focus("#monitor_agency-ts-control")
    choose(phone, "monitor_agency", "cong an", "Công an tỉnh Tây Ninh")
    screenshot(phone, "agency-picker-phone")
    phone.click("form[data-directive-form] .form-actions button[type=submit]")
    phone.wait_for_load_state("networkidle")
    assert "Đã lưu bản nháp 319/UBND-KSTT." in phone.locator(".alert-success").inner_text()
    body = phone.inner_text("body")
    assert "Sở Tư pháp tỉnh Tây Ninh" in body
    assert "Sở Giáo dục và Đào tạo tỉnh Tây Ninh" in body
    assert "Đài Phát thanh và Truyền hình Tây Ninh" in body


def _query(url: str) -> str:
    return parse_qs(urlsplit(url).query).get("q", [""])[0]


def test_work_list_directive_filter_searches_the_server(phone) -> None:  # type: ignore[no-untyped-def]
    log_in(phone, "justice.tayninh")
    phone.goto("/app/assignment/")
    phone.wait_for_load_state("networkidle")
    phone.focus("#f-directive-ts-control")
    # Wait for the answer to the whole query: an answer to "cao" arriving after Enter would open the
    # dropdown again over the submit button (CI failed so once).
    with phone.expect_response(lambda r: "/app/directive/choices/" in r.url and _query(r.url) == "cao diem"):
        phone.locator("#f-directive-ts-control").press_sequentially("cao diem")
    active = phone.locator("#f-directive-ts-dropdown .option.active", has_text="2157/UBND-KSTT — ")
    active.wait_for(timeout=5000)
    assert active.inner_text().startswith("2157/UBND-KSTT — ")
    phone.keyboard.press("Enter")
    phone.locator("#f-directive-ts-dropdown").wait_for(state="hidden")
    with phone.expect_navigation():
        phone.click("form.app-filters button[type=submit]")
    assert "directive=" in phone.url
    assert {row.get_attribute("data-agency") for row in phone.locator("tr.work-row").all()} == {"TN-STP"}
    assert fits_the_phone(phone)
    screenshot(phone, "work-list-directive-picker-phone")
