"""In headless Debian Chromium, on a phone: an officer logs in, opens 2157/UBND-KSTT and sees task 5 with its status."""

from __future__ import annotations

import re

import pytest

from tests.browser.conftest import log_in, screenshot

pytestmark = pytest.mark.browser


def test_officer_opens_the_directive_and_sees_task_5(phone) -> None:  # type: ignore[no-untyped-def]
    log_in(phone, "justice.tayninh")
    assert "/login" not in phone.url
    phone.goto("/app/directive/")
    phone.get_by_text("2157/UBND-KSTT").first.click()
    phone.wait_for_load_state("networkidle")
    assert re.search(r"/app/directive/details/\?id=\d+", phone.url)
    body = phone.locator("body").inner_text()
    assert "V/v thực hiện cao điểm cấp CCCD" in body or "thực hiện cao điểm cấp CCCD" in body
    task5 = phone.locator("[data-task-label='5']")
    assert task5.count() == 1, "task 5 is marked with data-task-label"
    text = task5.inner_text()
    assert "Sở Tư pháp" in text
    assert "Đang thực hiện" in text
    # the page fits a phone: nothing forces the body wider than the screen
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= 390 + 1
    screenshot(phone, "directive-2157-phone")
