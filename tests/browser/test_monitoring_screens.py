"""Headless Chromium, phone and desk sizes: the dashboard and a target's page render, fit, say what matters."""

from __future__ import annotations

import pytest

from tests.browser.conftest import log_in, screenshot

pytestmark = pytest.mark.browser

SIZES = {"phone": (390, 844), "desk": (1366, 768)}


@pytest.fixture(params=list(SIZES))
def page(request, browser, live_server):  # type: ignore[no-untyped-def]
    width, height = SIZES[request.param]
    context = browser.new_context(viewport={"width": width, "height": height}, base_url=live_server, locale="vi-VN")
    tab = context.new_page()
    tab.size_name = request.param
    yield tab
    context.close()


def _fits(page) -> None:  # type: ignore[no-untyped-def]
    width = page.viewport_size["width"]
    screenshot(page, f"overflow-{page.size_name}")
    assert page.evaluate("document.documentElement.scrollWidth") <= width + 1


def test_the_dashboard(page) -> None:  # type: ignore[no-untyped-def]
    log_in(page, "monitor.tayninh")
    page.goto("/app/dashboard/")
    page.wait_for_load_state("networkidle")
    body = page.locator("body").inner_text()
    assert "Quá hạn" in body and "Kết quả theo cơ quan, đơn vị" in body and "Việc quá hạn" in body
    assert page.locator(".league-row").count() > 5
    assert page.locator(".indicator-card svg").count() >= 1
    assert "Hộp thư" in page.locator(".app-inbox-link").inner_text()
    _fits(page)
    screenshot(page, f"dashboard-{page.size_name}")


def test_the_tam_diep_target(page) -> None:  # type: ignore[no-untyped-def]
    log_in(page, "monitor.tamdiep")
    page.goto("/app/indicators/")
    page.get_by_text("Thu nhận hồ sơ CCCD").first.click()
    page.wait_for_load_state("networkidle")
    april = page.locator("tr[data-on='2021-04-22']").inner_text()
    assert "37.075" in april and "50.527" in april and "73,3%" in april
    assert page.locator(".indicator-figure svg").count() == 1
    assert page.locator("[data-key='rating']").inner_text().strip()  # the rating in words
    _fits(page)
    screenshot(page, f"indicator-tam-diep-{page.size_name}")
