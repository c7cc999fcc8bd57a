"""In headless Debian Chromium: a user turns on two-step verification, then signs in with the app's code.

The code comes from pyotp, given the secret the page shows in text, as an authenticator app would compute it.
No Content-Security-Policy violation on the way (the QR code is inline SVG drawn by the server).
"""

from __future__ import annotations

import time

import pyotp
import pytest

from tests.browser.conftest import log_in, open_user_menu_on_a_phone, screenshot

pytestmark = pytest.mark.browser

#: used by no other browser test: its second factor stays on in the live server's database
USERNAME = "bacson.tamdiep"

WATCH = """
window.__csp = [];
document.addEventListener("securitypolicyviolation", function (e) {
  window.__csp.push(e.violatedDirective + " " + (e.blockedURI || "inline"));
});
"""


def test_enrol_then_sign_in_with_the_code(browser, live_server: str) -> None:  # type: ignore[no-untyped-def]
    context = browser.new_context(viewport={"width": 390, "height": 844}, base_url=live_server, locale="vi-VN")
    context.add_init_script(WATCH)
    page = context.new_page()
    try:
        log_in(page, USERNAME)
        # a phone: the navbar folds its links away; issue 11: the user's menu holds the second factor and the logout
        open_user_menu_on_a_phone(page)
        page.click("a.app-two-factor")
        page.wait_for_url("**/app/two-factor/")
        page.click("form.totp-start button[type=submit]")
        page.wait_for_selector("svg.segno")
        assert page.locator("svg.segno").bounding_box()["width"] >= 150  # big enough for a phone's camera
        secret = page.inner_text("code.totp-secret").replace(" ", "")
        assert len(secret) == 32
        screenshot(page, "two-factor-setup")
        totp = pyotp.TOTP(secret)
        page.fill("form.totp-confirm input[name=code]", totp.now())
        page.click("form.totp-confirm [type=submit]")
        page.wait_for_selector(".recovery-codes")
        codes = page.locator("code.recovery-code").all_inner_texts()
        assert len(codes) == 10
        assert "Đã bật xác thực hai bước." in page.content()
        assert page.evaluate("window.__csp") == []

        open_user_menu_on_a_phone(page)
        page.click("form.app-logout button[type=submit]")
        page.wait_for_url("**/login")
        log_in(page, USERNAME)
        assert page.url.endswith("/login/code")
        page.fill("input[name=code]", "000000" if totp.now() != "000000" else "111111")
        page.click("[type=submit]")
        page.wait_for_load_state("networkidle")
        assert "Mã xác thực không đúng, đã hết hạn hoặc đã được dùng." in page.content()
        assert page.url.endswith("/login/code")
        page.fill("input[name=code]", totp.at(time.time() + 30))  # the enrolment used this step's code
        page.click("[type=submit]")
        page.wait_for_url("**/app/")
        assert "Ủy ban nhân dân phường Bắc Sơn" in page.content()
        assert page.evaluate("window.__csp") == []
    finally:
        context.close()
