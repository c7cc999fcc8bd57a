"""In headless Debian Chromium: each role's morning path of issue 11.

The officer's extension request reaches the monitor's inbox once; the monitor opens "Chờ xử lý" from the
menu, accepts one reported work from its row and approves an extension; the office's home counters are
its dashboard's numbers and lead to lists of that size. Screenshots land in test-artifacts/.
"""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from coordination.db import today
from tests.browser.conftest import log_in, open_navbar_on_a_phone, screenshot

pytestmark = pytest.mark.browser


def fits(page) -> bool:  # type: ignore[no-untyped-def]
    return page.evaluate("document.documentElement.scrollWidth") <= page.viewport_size["width"] + 1


def ask_for_more_time(page, username: str, days: int) -> str:  # type: ignore[no-untyped-def]
    """The officer opens its overdue work on 2157/UBND-KSTT and asks for more time; returns the new date."""
    log_in(page, username)
    page.goto("/app/assignment/?timeliness=overdue")
    page.locator("tr.work-row").filter(has_text="2157/UBND-KSTT").locator("td.work-task a").first.click()
    page.wait_for_load_state("networkidle")
    wanted = (today() + timedelta(days=days)).strftime("%d/%m/%Y")
    page.click("#extension-request summary")
    page.fill("input[name=requested_deadline]", wanted)
    page.fill("textarea[name=reason]", "Chờ danh sách từ các xã.")
    page.click("form.extension-form button[type=submit]")
    page.wait_for_load_state("networkidle")
    assert "Đã gửi đề nghị gia hạn" in page.locator(".alert-success").inner_text()
    page.context.clear_cookies()
    return wanted


def test_the_officers_extension_request_reaches_the_monitors_inbox_once(phone) -> None:  # type: ignore[no-untyped-def]
    ask_for_more_time(phone, "justice.tayninh", days=40)
    log_in(phone, "monitor.tayninh")
    phone.goto("/app/notifications/")
    notices = phone.locator("li.notification[data-kind=extension_request]").filter(
        has_text="Sở Tư pháp tỉnh Tây Ninh đề nghị gia hạn"
    )
    assert notices.count() == 1
    assert notices.first.get_attribute("data-read") == "no"
    assert "Chờ danh sách từ các xã." in notices.first.inner_text()
    screenshot(phone, "queue-inbox-phone")
    # reading the inbox again (and the home page in between) adds nothing
    phone.goto("/app/")
    phone.goto("/app/notifications/")
    assert (
        phone.locator("li.notification[data-kind=extension_request]")
        .filter(has_text="Sở Tư pháp tỉnh Tây Ninh đề nghị gia hạn")
        .count()
        == 1
    )


def test_the_monitor_accepts_and_approves_from_the_queue(phone) -> None:  # type: ignore[no-untyped-def]
    new_deadline = ask_for_more_time(phone, "education.tayninh", days=45)
    log_in(phone, "monitor.tayninh")
    phone.goto("/app/")
    open_navbar_on_a_phone(phone)
    menu_link = phone.locator("#app-navbar a.nav-link", has_text="Chờ xử lý")
    waiting = int(menu_link.locator(".app-menu-count").get_attribute("data-count"))
    assert waiting >= 2  # at least the demo's report waiting and this extension request
    menu_link.click()
    phone.wait_for_load_state("networkidle")
    assert phone.url.endswith("/app/queue/")
    assert fits(phone)
    screenshot(phone, "queue-monitor-phone")

    reviews = phone.locator(".queue-row[data-kind=review]")
    before = reviews.count()
    assert before >= 1
    first = reviews.first
    accepted_id = first.get_attribute("data-id")
    agency = first.locator("h3").inner_text().strip()
    first.locator("button[value=accept]").click()
    phone.wait_for_load_state("networkidle")
    assert phone.url.split("?")[0].endswith("/app/queue/")
    assert f"Đã xác nhận hoàn thành: {agency}" in phone.locator(".alert-success").inner_text()
    assert phone.locator(f".queue-row[data-kind=review][data-id='{accepted_id}']").count() == 0
    assert phone.locator(".queue-row[data-kind=review]").count() == before - 1

    row = phone.locator(".queue-row[data-kind=extension]").filter(has_text="Sở Giáo dục và Đào tạo tỉnh Tây Ninh")
    assert row.count() == 1 and new_deadline in row.inner_text()
    request_id = row.get_attribute("data-id")
    row.locator("button[value=approve]").click()
    phone.wait_for_load_state("networkidle")
    message = phone.locator(".alert-success").inner_text()
    assert f"Đã đồng ý gia hạn cho Sở Giáo dục và Đào tạo tỉnh Tây Ninh đến {new_deadline}" in message
    assert phone.locator(f".queue-row[data-kind=extension][data-id='{request_id}']").count() == 0
    screenshot(phone, "queue-after-decisions-phone")

    # the accepted work's page says so
    phone.goto(f"/app/assignment/details/?id={accepted_id}")
    assert "Hoàn thành" in phone.locator("body").inner_text()


def test_the_offices_home_counters_equal_its_dashboard(browser, live_server) -> None:  # type: ignore[no-untyped-def]
    context = browser.new_context(viewport={"width": 1366, "height": 768}, base_url=live_server, locale="vi-VN")
    desk = context.new_page()
    try:
        log_in(desk, "office.tayninh")
        desk.goto("/app/")
        cards = desk.locator(".home-counters a.home-counter")
        home = {c.get_attribute("data-count"): int(c.get_attribute("data-value")) for c in cards.all()}
        assert set(home) == {"directives", "open", "overdue", "due_soon", "review"}
        assert home["overdue"] > 0  # the office counts its issuer's directives: 2157/UBND-KSTT is late
        screenshot(desk, "home-office-desk")
        desk.goto("/app/dashboard/")
        dashboard = {
            c.get_attribute("data-count"): int(c.get_attribute("data-value"))
            for c in desk.locator(".dashboard-counts .count-card").all()
        }
        assert home["overdue"] == dashboard["overdue"] and home["due_soon"] == dashboard["due_soon"]
        assert home["open"] == sum(dashboard[k] for k in ("overdue", "due_soon", "on_time", "no_deadline"))
        # the overdue number is a link to the list of exactly that many
        desk.goto("/app/")
        desk.locator(".home-counters a[data-count=overdue]").click()
        desk.wait_for_load_state("networkidle")
        # "1–50 trong 55 việc": the page's rows, then the list's size (issue 14)
        shown = desk.locator("p.work-count").inner_text()
        assert int(re.sub(r"\D", "", shown.rpartition("trong")[2])) == home["overdue"]
        assert desk.locator("tr.work-row").count() == min(home["overdue"], 50)
    finally:
        context.close()
