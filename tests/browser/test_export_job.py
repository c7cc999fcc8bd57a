"""issue 14: a big export's page in Chromium — it follows the job without a reload, then offers the file.

A live server of its own with a queue on Redis (database 5) and every report over 5 assignments counted as
big; RQ's worker runs in this process while the page polls.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from flask import Flask
from redis import Redis
from rq import Queue
from werkzeug.serving import make_server

from coordination.directives.models import Directive
from coordination.extensions import db
from coordination.jobs.cli import SimpleExportWorker
from coordination.jobs.queue import QUEUE_NAME
from tests.browser.conftest import log_in, screenshot
from tests.conftest import empty_database, make_test_app, migrate_and_load_demo
from tests.support.redis import REDIS_URL


@pytest.fixture
def queue_server(redis: Redis, tmp_path) -> Iterator[tuple[Flask, str]]:  # type: ignore[no-untyped-def]
    with empty_database(tmp_path, "livejobs") as url:
        app = make_test_app(
            str(tmp_path), url, TESTING=False, REDIS_URL=REDIS_URL, EXPORT_SYNC_MAX_ROWS=5, WTF_CSRF_ENABLED=True
        )
        migrate_and_load_demo(app)
        server = make_server("127.0.0.1", 0, app, threaded=True)
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        try:
            yield app, f"http://127.0.0.1:{server.server_port}"
        finally:
            server.shutdown()
            thread.join(timeout=10)
            with app.app_context():
                db.engine.dispose()


def test_the_job_page_shows_progress_then_the_download_without_a_reload(browser, queue_server, redis):  # type: ignore[no-untyped-def]
    app, base = queue_server
    with app.app_context():
        directive_id = db.session.scalar(sa.select(Directive.id).where(Directive.ref == "2157/UBND-KSTT"))
    context = browser.new_context(viewport={"width": 1366, "height": 768}, base_url=base, locale="vi-VN")
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda message: message.type == "error" and errors.append(message.text))
    try:
        log_in(page, "office.tayninh")
        page.goto(f"/app/reports/compliance?directive={directive_id}&format=xlsx")
        assert "/app/reports/jobs/" in page.url
        assert page.inner_text("[data-job-status]") == "Đang chờ xử lý"
        assert page.is_visible("[data-job-refresh]") and not page.is_visible("[data-job-download]")
        navigations: list[str] = []
        page.on("framenavigated", lambda frame: navigations.append(frame.url))

        with app.app_context():
            SimpleExportWorker([Queue(QUEUE_NAME, connection=redis)], connection=redis).work(burst=True)

        page.wait_for_selector("[data-job-download]:not(.d-none)", timeout=15_000)
        assert navigations == []  # the page followed the job by itself
        assert page.inner_text("[data-job-status]") == "Đã xong"
        assert page.inner_text("[data-job-progress]") == "đã xử lý 64/64 việc"
        assert page.get_attribute("[data-job-bar]", "aria-valuenow") == "100"
        assert not page.is_visible("[data-job-refresh]")
        page.wait_for_timeout(800)  # the bar's width transition (0.6 s), for the picture
        screenshot(page, "export-job-done")
        with page.expect_download() as download:
            page.click("[data-job-download] a")
        assert download.value.suggested_filename.startswith("bao-cao-2157-ubnd-kstt-")
        assert errors == []
    finally:
        context.close()
