"""In headless Debian Chromium, on a phone: the pages of the workflow, used as people would, and photographed.

The office registers a directive with the form (its "add a row" buttons are JavaScript), activates it and
opens a task; the agency asks for more time; the monitor decides it from the list; the agency reports the
work done, the monitor returns it, the agency reads why; an admin opens an agency's page. Every page must
fit the 390 px screen; the screenshots land in test-artifacts/.
"""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from coordination.db import today
from tests.browser.conftest import log_in, screenshot

pytestmark = pytest.mark.browser

SUBJECT = "V/v kiểm tra việc cấp CCCD lưu động tại các xã biên giới"


def fits_the_phone(page) -> bool:  # type: ignore[no-untyped-def]
    return page.evaluate("document.documentElement.scrollWidth") <= 390 + 1


def log_out(page) -> None:  # type: ignore[no-untyped-def]
    page.context.clear_cookies()


def test_office_registers_agency_asks_monitor_decides(phone) -> None:  # type: ignore[no-untyped-def]
    phone.on("dialog", lambda dialog: dialog.accept())
    deadline = today() + timedelta(days=30)

    # The office registers a directive: header, a task with a sub-item, a task for a group.
    log_in(phone, "office.tayninh")
    phone.goto("/app/directive/")
    phone.click("a.register-directive")
    phone.wait_for_load_state("networkidle")
    phone.fill("input[name=number]", "318")
    phone.fill("input[name=symbol]", "UBND-KT")
    phone.fill("input[name=issued_on]", today().strftime("%d/%m/%Y"))
    phone.fill("input[name=place]", "Tây Ninh")
    phone.fill("textarea[name=subject]", SUBJECT)
    phone.select_option("select[name=addressee_groups]", label="Ủy ban nhân dân các huyện, thị xã, thành phố")
    phone.select_option("select[name=addressee_agencies]", label="Sở Tư pháp tỉnh Tây Ninh")
    phone.select_option("select[name=monitor_agency]", label="Công an tỉnh Tây Ninh")
    phone.fill("input[name=signer_name]", "Võ Đức Trọng")
    phone.fill("input[name='tasks-0-label']", "1")
    phone.fill("textarea[name='tasks-0-text']", "Sở Tư pháp rà soát giấy khai sinh thiếu ngày, tháng sinh.")
    phone.select_option("select[name='tasks-0-lead']", label="Sở Tư pháp tỉnh Tây Ninh")
    phone.fill("input[name='tasks-0-deadline']", deadline.strftime("%d/%m/%Y"))
    phone.click("button[data-add-row='1']")
    phone.fill("input[name='tasks-1-label']", "a)")
    phone.fill("textarea[name='tasks-1-text']", "Báo cáo số trường hợp đã cấp lại.")
    phone.click("button[data-add-row='0']")
    phone.fill("input[name='tasks-2-label']", "2")
    phone.fill("textarea[name='tasks-2-text']", "UBND các huyện bố trí điểm cấp lưu động.")
    phone.select_option("select[name='tasks-2-group']", label="Ủy ban nhân dân các huyện, thị xã, thành phố")
    assert phone.locator("[data-task-row]").count() == 3
    assert "task-row-sub" in (phone.locator("[data-task-row]").nth(1).get_attribute("class") or "")
    assert fits_the_phone(phone)
    screenshot(phone, "directive-form-phone")
    phone.click("form[data-directive-form] .form-actions button[type=submit]")
    phone.wait_for_load_state("networkidle")
    assert "Đã lưu bản nháp 318/UBND-KT." in phone.locator(".alert-success").inner_text()
    assert phone.locator(".draft-note").count() == 1
    assert phone.locator("[data-task-label='a)']").count() == 1
    assert fits_the_phone(phone)
    screenshot(phone, "directive-draft-phone")

    # Activate; the history says so; open task 1's page.
    phone.click(".office-actions button:has-text('Kích hoạt')")
    phone.wait_for_load_state("networkidle")
    assert "Đã kích hoạt" in phone.locator(".alert-success").inner_text()
    history = phone.locator("#history").inner_text()
    assert "Kích hoạt văn bản" in history and "Tạo văn bản (bản nháp)" in history
    assert phone.locator("[data-task-label='2'] .doc-assignment").count() == 9  # the group, one per member
    assert fits_the_phone(phone)
    screenshot(phone, "directive-active-phone")
    directive_url = phone.url
    phone.locator("[data-task-label='1'] a.task-edit-link").click()
    phone.wait_for_load_state("networkidle")
    assert "Sở Tư pháp tỉnh Tây Ninh" in phone.locator(".task-assignments").inner_text()
    assert fits_the_phone(phone)
    screenshot(phone, "task-page-phone")
    phone.goto(directive_url.split("details")[0] + re.search(r"id=(\d+)", directive_url)[1] + "/tasks/new/")
    assert fits_the_phone(phone)
    screenshot(phone, "add-task-phone")
    log_out(phone)

    # Sở Tư pháp asks for more time on task 1.
    log_in(phone, "justice.tayninh")
    phone.goto(directive_url)
    phone.locator("[data-task-label='1'] .doc-assignment[data-agency='TN-STP'] a").click()
    phone.wait_for_load_state("networkidle")
    assignment_url = phone.url
    phone.click("#extension-request summary")
    phone.fill("input[name=requested_deadline]", (deadline + timedelta(days=15)).strftime("%d/%m/%Y"))
    phone.fill("textarea[name=reason]", "Chờ danh sách từ các xã.")
    phone.click("form.extension-form button[type=submit]")
    phone.wait_for_load_state("networkidle")
    assert "Đã gửi đề nghị gia hạn" in phone.locator(".alert-success").inner_text()
    assert "Chờ quyết định" in phone.locator("#extension").inner_text()
    assert fits_the_phone(phone)
    screenshot(phone, "assignment-extension-asked-phone")
    log_out(phone)

    # The police (monitor) decide it from the list.
    log_in(phone, "monitor.tayninh")
    phone.goto("/app/extensions/")
    row = phone.locator(".extension-row").filter(has_text="318/UBND-KT")
    assert row.count() == 1
    assert fits_the_phone(phone)
    screenshot(phone, "extension-list-phone")
    row.locator("button[value=approve]").click()
    phone.wait_for_load_state("networkidle")
    assert "Đã đồng ý gia hạn đến" in phone.locator(".alert-success").inner_text()
    assert phone.locator(".extension-row").filter(has_text="318/UBND-KT").count() == 0
    log_out(phone)

    # Sở Tư pháp reports the work done (the status change is offered by the form).
    log_in(phone, "justice.tayninh")
    phone.goto(assignment_url)
    phone.fill("form.report-form textarea[name=note]", "Đã bắt đầu rà soát.")
    phone.select_option("form.report-form select[name=action]", label="Bắt đầu thực hiện")
    phone.click("form.report-form button[type=submit]")
    phone.wait_for_load_state("networkidle")
    phone.fill("form.report-form textarea[name=note]", "Đã cấp lại toàn bộ.")
    phone.select_option("form.report-form select[name=action]", label="Báo cáo hoàn thành")
    phone.click("form.report-form button[type=submit]")
    phone.wait_for_load_state("networkidle")
    assert "Đã báo cáo hoàn thành" in phone.locator(".assignment-own").inner_text()
    log_out(phone)

    # The monitor returns it with a reason; the agency sees why at the top of its page.
    log_in(phone, "monitor.tayninh")
    phone.goto(assignment_url)
    assert phone.locator("form.review-form").count() == 1
    assert fits_the_phone(phone)
    screenshot(phone, "assignment-review-phone")
    phone.fill("form.review-form textarea[name=note]", "Thiếu danh sách xã Tân Đông.")
    phone.click("form.review-form button[value=return]")
    phone.wait_for_load_state("networkidle")
    log_out(phone)
    log_in(phone, "justice.tayninh")
    phone.goto(assignment_url)
    assert "Thiếu danh sách xã Tân Đông." in phone.locator(".return-note").inner_text()
    assert fits_the_phone(phone)
    screenshot(phone, "assignment-returned-phone")
    log_out(phone)

    # An admin opens Sở Tư pháp's page: rename and merge forms, history.
    log_in(phone, "admin")
    phone.goto("/app/agency/?search=TN-STP")
    href = phone.locator("a[href*='/app/agency/details/']").first.get_attribute("href")
    phone.goto(href)
    assert "Sở Tư pháp tỉnh Tây Ninh" in phone.locator("h1").inner_text()
    phone.click("#rename summary")
    phone.click("#merge summary")
    assert fits_the_phone(phone)
    screenshot(phone, "agency-page-phone")
