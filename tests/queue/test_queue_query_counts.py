"""The queue page and the menu's counts run a fixed number of queries, however many rows wait."""

from __future__ import annotations

import re
from datetime import timedelta

import sqlalchemy as sa

from coordination.assignments.models import Assignment
from coordination.assignments.states import Status
from coordination.db import today
from coordination.directives.models import Directive, Task
from coordination.extensions import db
from tests.conftest import count_queries
from tests.queue.helpers import answered_explanation, ask_for_time
from tests.support.monitoring import fresh

#: user, its agency (navbar), the menu's and inbox's counts (one query), then one page of each of the three
#: sections, and the extensions' and explanations' people (joined, no more)
QUEUE_PAGE_MAX = 6


def _statements(client, url: str) -> list[str]:  # type: ignore[no-untyped-def]
    fresh()
    with count_queries() as statements:
        response = client.get(url)
    assert response.status_code == 200, url
    return statements


def _report_many(count: int) -> None:
    work = db.session.scalars(
        sa.select(Assignment)
        .join(Task)
        .join(Directive)
        .where(Directive.ref == "2157/UBND-KSTT", Assignment.status == Status.not_started)
        .order_by(Assignment.id)
        .limit(count)
    ).all()
    for i, assignment in enumerate(work):
        assignment.status, assignment.reported_done_on = Status.reported_done, today() - timedelta(days=i)
    db.session.commit()


def test_the_queue_page_does_not_grow_with_rows(app, client, login) -> None:
    login("monitor.tayninh")
    ask_for_time()
    answered_explanation("TN-SGDDT", "education.tayninh")
    db.session.commit()
    few = len(_statements(client, "/app/queue/"))
    _report_many(15)
    many = len(_statements(client, "/app/queue/"))
    assert many == few <= QUEUE_PAGE_MAX


def test_the_menu_counts_cost_one_query_per_page(app, client, login) -> None:
    """The menu's two counts and the inbox badge come from a single statement (the unread count's)."""
    for username, menu_counts in (("monitor.tayninh", True), ("justice.tayninh", False)):
        login(username)
        statements = _statements(client, "/app/agency-tree/")
        on_notifications = [s for s in statements if "FROM notification" in s]
        assert len(on_notifications) == 1, on_notifications
        html = client.get("/app/agency-tree/").get_data(as_text=True)
        assert ("app-menu-count" in html) is menu_counts
        client.post("/logout")


def test_the_menu_shows_what_waits(app, client, login) -> None:
    ask_for_time()
    db.session.commit()
    login("monitor.tayninh")
    html = client.get("/app/").get_data(as_text=True)
    # "Chờ xử lý 3" (2 reports, 1 extension request) and "Đề nghị gia hạn 1"
    assert 'href="/app/queue/">' in html
    counts = [int(v) for v in re.findall(r'app-menu-count" data-count="(\d+)"', html)]
    assert counts == [3, 1]
