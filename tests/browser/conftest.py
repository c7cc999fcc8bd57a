"""A live server on a free loopback port, with a database of its own, and Debian's headless Chromium."""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from tests.conftest import beside, database_url, make_test_app, migrate_and_load_demo, replace_database

CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


@pytest.fixture(scope="module")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Serve the app (migrated, demo loaded, committed) in a thread; yield its base URL.

    One per test module: each file starts from the demo as loaded, whatever the files run before it on the
    same pytest-xdist worker changed (a report accepted, a directive imported), so no file depends on which
    others share its worker.
    """
    from coordination.extensions import db

    tmp_dir = str(tmp_path_factory.mktemp("live"))
    suite_url = database_url(tmp_dir)
    live_db = None
    if suite_url.startswith("sqlite"):
        url = suite_url.replace("test.db", "live.db")
    else:
        live_db = beside(suite_url, "live")
        url = replace_database(suite_url, live_db)
    app = make_test_app(tmp_dir, url, WTF_CSRF_ENABLED=True, TESTING=False)
    migrate_and_load_demo(app)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=10)
        with app.app_context():
            db.engine.dispose()
        if live_db is not None:
            replace_database(suite_url, live_db, create=False)


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    if not os.path.exists(CHROMIUM):
        pytest.fail(f"{CHROMIUM} is missing: `make test` installs Debian's chromium package")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture
def phone(browser, live_server: str) -> Iterator[object]:  # type: ignore[no-untyped-def]
    """A page the size of a phone (390x844), as commune officers use."""
    context = browser.new_context(viewport={"width": 390, "height": 844}, base_url=live_server, locale="vi-VN")
    page = context.new_page()
    yield page
    context.close()


def log_in(page, username: str, password: str = "demo-2026") -> None:  # type: ignore[no-untyped-def]
    page.goto("/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("button[type=submit], input[type=submit]")
    page.wait_for_load_state("networkidle")


def open_navbar_on_a_phone(page) -> None:  # type: ignore[no-untyped-def]
    """Unfold the phone's navbar (its links fold away below 992 px), waiting for it to show.

    Bootstrap's scripts sit at the end of the page: a click that lands before they ran does nothing, so
    wait for the page's load first, then for the menu's ``show`` class rather than clicking on blindly.
    """
    page.wait_for_load_state("load")
    page.click("button.navbar-toggler")
    page.wait_for_selector("#app-navbar.show")


def open_user_menu_on_a_phone(page) -> None:  # type: ignore[no-untyped-def]
    """Unfold the phone's navbar, then the user's menu, waiting for each to show."""
    open_navbar_on_a_phone(page)
    page.click("#app-user-toggle")
    page.wait_for_selector(".app-user-dropdown.show")


def screenshot(page, name: str) -> None:  # type: ignore[no-untyped-def]
    """Keep a picture of the page for a person to look at (test-artifacts/, ignored by git)."""
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)
