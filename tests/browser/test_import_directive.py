"""In headless Debian Chromium: the office pastes the Tây Ninh directive, reviews it beside the original,
picks the agency the registry did not know and creates the draft."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.browser.conftest import log_in, screenshot

pytestmark = pytest.mark.browser

TEXT = (Path(__file__).resolve().parents[1] / "fixtures" / "directives" / "2157_UBND-KSTT.txt").read_text(
    encoding="utf-8"
)


@pytest.fixture
def desk(browser, live_server: str):  # type: ignore[no-untyped-def]
    """A desktop-sized page: the review puts the original and the form side by side."""
    context = browser.new_context(viewport={"width": 1280, "height": 900}, base_url=live_server, locale="vi-VN")
    page = context.new_page()
    yield page
    context.close()


def test_office_imports_the_tay_ninh_directive(desk) -> None:  # type: ignore[no-untyped-def]
    log_in(desk, "office.tayninh")
    desk.goto("/app/directive/")
    desk.click("a.import-directive")
    desk.fill("textarea[name=text]", TEXT)
    desk.click("form.import-form button[type=submit]")
    desk.wait_for_load_state("networkidle")

    assert "“chính quyền địa phương”" in desk.inner_text(".import-unresolved")
    assert "Thiếu nhiệm vụ 6 trong đánh số." in desk.inner_text(".import-warnings")
    # Selecting task 12 highlights its text in the original.
    desk.click("textarea[name='tasks-11-text']")
    assert desk.inner_text("mark.import-highlight").startswith("Ban Quản lý Khu kinh tế tỉnh chỉ đạo")
    screenshot(desk, "import-review")

    # The reviewer gives "chính quyền địa phương" to the districts, and a number the demo does not hold.
    desk.select_option("select[name='tasks-11-group']", label="Ủy ban nhân dân các huyện, thị xã, thành phố")
    desk.select_option("select[name='tasks-11-group_role']", value="coordinate")
    desk.fill("input[name=number]", "2161")
    desk.click("button[data-create-draft]")
    desk.wait_for_load_state("networkidle")

    assert "/app/directive/details/" in desk.url
    assert "2161/UBND-KSTT" in desk.inner_text("body")
    assert "Đã tạo bản nháp 2161/UBND-KSTT từ văn bản" in desk.inner_text("body")
    screenshot(desk, "import-created")
