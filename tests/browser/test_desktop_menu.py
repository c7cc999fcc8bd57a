"""In headless Debian Chromium: the desktop menu of every role fits on one line at 1366 px (issue 11)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.browser.conftest import log_in, screenshot

pytestmark = pytest.mark.browser

#: one account per role, with the longest menus and names of each (the office and monitor see counts too)
ROLES = ["admin", "office.tayninh", "monitor.tayninh", "justice.tayninh", "education.tayninh"]


@pytest.fixture
def desk(browser, live_server: str) -> Iterator[object]:  # type: ignore[no-untyped-def]
    """A page the size of a common office laptop screen."""
    context = browser.new_context(viewport={"width": 1366, "height": 768}, base_url=live_server, locale="vi-VN")
    page = context.new_page()
    yield page
    context.close()


def _layout(page) -> dict:  # type: ignore[no-untyped-def]
    """The navbar's height and the top and bottom of each of its items, as laid out."""
    return page.evaluate(
        """() => {
            const nav = document.querySelector('nav.app-navbar');
            const items = [...nav.querySelectorAll(
                '.navbar-brand, #app-navbar > ul > li, .app-inbox, .app-user, .app-nav-actions')]
                .filter(e => e.offsetParent !== null);
            return {
                height: nav.getBoundingClientRect().height,
                toggler: getComputedStyle(nav.querySelector('.navbar-toggler')).display,
                items: items.map(e => {
                    const r = e.getBoundingClientRect();
                    return {text: e.innerText.trim().split('\\n')[0], top: r.top, bottom: r.bottom, right: r.right};
                }),
                scroll: document.documentElement.scrollWidth,
            };
        }"""
    )


@pytest.mark.parametrize("username", ROLES)
def test_the_menu_fits_on_one_line_at_1366(desk, username: str) -> None:
    log_in(desk, username)
    for language in ("vi", "en"):
        desk.goto(f"/language/{language}?next=/app/")
        desk.wait_for_load_state("networkidle")
        layout = _layout(desk)
        screenshot(desk, f"menu-1366-{username}-{language}")
        assert layout["toggler"] == "none", (username, language)  # the full menu, not the phone's button
        assert len(layout["items"]) >= 4, layout
        # one line: every item's box lies within the first one's row, and the bar is one row tall
        tops = [i["top"] for i in layout["items"]]
        bottoms = [i["bottom"] for i in layout["items"]]
        assert max(tops) < min(bottoms), (username, language, layout["items"])
        assert layout["height"] <= 64, (username, language, layout["height"])
        assert max(i["right"] for i in layout["items"]) <= 1366 and layout["scroll"] <= 1366
    desk.goto("/language/vi?next=/app/")
    desk.wait_for_load_state("networkidle")
    # who is signed in, and the logout, are one click away in the user's menu
    desk.click("#app-user-toggle")
    menu = desk.locator(".app-user-dropdown")
    menu.wait_for(state="visible")
    assert desk.locator("#app-user-toggle").get_attribute("title") in menu.inner_text()
    screenshot(desk, f"menu-1366-{username}-user-menu")
    menu.locator("button", has_text="Đăng xuất").click()
    desk.wait_for_load_state("networkidle")
    assert desk.url.endswith("/login") or "/login" in desk.url
