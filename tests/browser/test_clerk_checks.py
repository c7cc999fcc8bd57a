"""In headless Debian Chromium: the checks a clerk expects. A task deadline before the issue date is refused
on the registration form, on the row it was typed in; an action URL opened again leads back to its page;
date fields read and show dd/mm/yyyy in an English browser too."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta

import pytest

from tests.browser.conftest import log_in, screenshot

pytestmark = pytest.mark.browser


@pytest.fixture
def english_desk(browser, live_server: str) -> Iterator[object]:  # type: ignore[no-untyped-def]
    """A desk browser whose language is American English (its own date inputs would say mm/dd/yyyy)."""
    context = browser.new_context(viewport={"width": 1366, "height": 768}, base_url=live_server, locale="en-US")
    page = context.new_page()
    yield page
    context.close()


def test_a_task_deadline_before_the_issue_date_is_refused_on_its_row(phone) -> None:  # type: ignore[no-untyped-def]
    issued = date.today() - timedelta(days=3)
    early = issued - timedelta(days=18)
    log_in(phone, "office.tayninh")
    phone.goto("/app/directive/register/")
    phone.wait_for_load_state("networkidle")
    phone.fill("input[name=number]", "777")
    phone.fill("input[name=symbol]", "UBND-KSTT")
    phone.fill("input[name=issued_on]", issued.strftime("%d/%m/%Y"))
    phone.fill("textarea[name=subject]", "rà soát thời hạn trước ngày ban hành")
    phone.fill("input[name='tasks-0-label']", "1")
    phone.fill("textarea[name='tasks-0-text']", "Báo cáo kết quả rà soát.")
    phone.fill("input[name='tasks-0-deadline']", early.strftime("%d/%m/%Y"))
    phone.click("form[data-directive-form] .form-actions button[type=submit]")
    phone.wait_for_load_state("networkidle")

    alert = phone.locator(".alert-danger", has_text="Thời hạn không được trước ngày ban hành").first
    assert (
        alert.inner_text()
        .strip()
        .endswith(f"Thời hạn không được trước ngày ban hành văn bản ({issued:%d/%m/%Y}): hạn của nhiệm vụ 1.")
    )
    row_deadline = phone.locator("input[name='tasks-0-deadline']")
    assert "is-invalid" in (row_deadline.get_attribute("class") or "")
    assert row_deadline.input_value() == early.strftime("%d/%m/%Y")  # what was typed is kept
    message = phone.locator(".fld-deadline:has(input[name='tasks-0-deadline']) .invalid-feedback")
    assert message.inner_text() == f"Trước ngày ban hành ({issued:%d/%m/%Y})."
    assert message.is_visible()
    screenshot(phone, "deadline-before-issue-refused-phone")

    # Corrected on the same page, the draft is saved.
    phone.fill("input[name='tasks-0-deadline']", (issued + timedelta(days=30)).strftime("%d/%m/%Y"))
    phone.click("form[data-directive-form] .form-actions button[type=submit]")
    phone.wait_for_load_state("networkidle")
    assert "Đã lưu bản nháp 777/UBND-KSTT." in phone.locator(".alert-success").inner_text()


def test_an_action_url_opened_again_leads_to_its_page(phone) -> None:  # type: ignore[no-untyped-def]
    log_in(phone, "justice.tayninh")
    phone.goto("/app/assignment/")
    phone.wait_for_load_state("networkidle")
    href = phone.locator("tr.work-row a[href*='/app/assignment/details/']").first.get_attribute("href")
    assignment_id = href.split("id=")[1].split("&")[0].split("#")[0]
    response = phone.goto(f"/app/assignment/{assignment_id}/report/")
    assert response is not None and response.status == 200
    assert phone.url.endswith(f"/app/assignment/details/?id={assignment_id}#report")
    assert "Phương thức không được hỗ trợ" not in phone.inner_text("body")


def test_date_filters_read_dd_mm_yyyy_in_an_english_browser(english_desk) -> None:  # type: ignore[no-untyped-def]
    page = english_desk
    log_in(page, "justice.tayninh")
    page.goto("/app/assignment/")
    page.wait_for_load_state("networkidle")
    due_from = page.locator("#f-due_from")
    assert due_from.get_attribute("type") == "text" and due_from.get_attribute("placeholder") == "dd/mm/yyyy"
    # The pattern compiles in Chromium (the `v` flag) and accepts what the server reads, nothing else.
    due_from.fill("2022/09/01")
    assert due_from.evaluate("e => e.validity.patternMismatch") is True
    due_from.fill("01/09/2022")
    assert due_from.evaluate("e => e.validity.valid") is True
    page.fill("#f-due_to", "30/09/2022")
    with page.expect_navigation():
        page.click("form.app-filters button[type=submit]")
    assert "due_from=01%2F09%2F2022" in page.url
    assert page.locator("#f-due_from").input_value() == "01/09/2022"
    assert page.locator("#f-due_to").input_value() == "30/09/2022"
    deadlines = page.locator("tr.work-row").all_inner_texts()
    assert deadlines and all("/09/2022" in row for row in deadlines)
    screenshot(page, "work-list-dates-english-browser")
