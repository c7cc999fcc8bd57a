"""In headless Debian Chromium: the main pages of each role run under the Content-Security-Policy with no violation.

A violation (an inline script, an on* handler, a style or image from elsewhere) fires the browser's
`securitypolicyviolation` event and logs a console error; both are collected and must stay empty.
"""

from __future__ import annotations

import pytest

from tests.browser.conftest import log_in

pytestmark = pytest.mark.browser

WATCH = """
window.__csp = [];
document.addEventListener("securitypolicyviolation", function (e) {
  window.__csp.push(e.violatedDirective + " " + (e.blockedURI || "inline") + " " + e.sourceFile + ":" + e.lineNumber);
});
"""

PAGES = {
    "admin": [
        "/app/",
        "/app/user/",
        "/app/user/new/",
        "/app/agency/",
        "/app/agency-tree/",
        "/app/agency-group/",
        "/app/reminders/policy/",
        "/api/v1/docs",
    ],
    "office.tayninh": [
        "/app/directive/",
        "/app/directive/register/",
        "/app/directive/import/",
        "/app/reports/",
        "/app/reports/compliance?issued_from=2020-01-01&format=html",
    ],
    "monitor.tayninh": ["/app/dashboard/", "/app/explanations/", "/app/reminders/", "/app/indicators/"],
    "justice.tayninh": ["/app/assignment/", "/app/extensions/", "/app/calendar/", "/app/notifications/"],
}


@pytest.fixture
def desk(browser, live_server: str):  # type: ignore[no-untyped-def]
    context = browser.new_context(viewport={"width": 1366, "height": 768}, base_url=live_server, locale="vi-VN")
    context.add_init_script(WATCH)
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda message: message.type == "error" and errors.append(message.text))
    page.console_errors = errors
    yield page
    context.close()


def _violations(page) -> list[str]:  # type: ignore[no-untyped-def]
    return page.evaluate("window.__csp || []")


def test_login_page_has_no_violation(desk) -> None:  # type: ignore[no-untyped-def]
    desk.goto("/login")
    desk.wait_for_load_state("networkidle")
    assert _violations(desk) == []
    assert [e for e in desk.console_errors if "Content Security Policy" in e] == []


@pytest.mark.parametrize("role", sorted(PAGES))
def test_main_pages_have_no_violation(desk, role: str) -> None:  # type: ignore[no-untyped-def]
    log_in(desk, role)
    assert "/login" not in desk.url
    seen: dict[str, list[str]] = {}
    for url in PAGES[role]:
        response = desk.goto(url)
        desk.wait_for_load_state("networkidle")
        assert response is not None and response.status == 200, url
        found = _violations(desk) + [e for e in desk.console_errors if "Content Security Policy" in e]
        if found:
            seen[url] = found
        desk.console_errors.clear()
    # A directive's page (with workflow.js), reached as a user would.
    desk.goto("/app/directive/")
    desk.get_by_text("2157/UBND-KSTT").first.click()
    desk.wait_for_load_state("networkidle")
    assert "/app/directive/details/" in desk.url
    found = _violations(desk) + [e for e in desk.console_errors if "Content Security Policy" in e]
    if found:
        seen[desk.url] = found
    assert seen == {}


def test_scripts_still_run_under_the_policy(desk) -> None:  # type: ignore[no-untyped-def]
    log_in(desk, "justice.tayninh")
    desk.goto("/app/calendar/")
    desk.click("#calendar-url")
    selected = desk.evaluate(
        "(() => { const f = document.getElementById('calendar-url');"
        " return f.value.slice(f.selectionStart, f.selectionEnd); })()"
    )
    assert selected.startswith("http") and selected.endswith(".ics")
    assert _violations(desk) == []
    desk.goto("/api/v1/docs")
    desk.wait_for_selector(".swagger-ui .info", timeout=15000)  # Swagger UI started from its file
    assert "coordination" in desk.inner_text(".swagger-ui .info")
    assert _violations(desk) == []
