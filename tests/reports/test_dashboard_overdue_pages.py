"""The dashboard's overdue list pages by keyset (issue 14): each overdue row once, most days late first."""

from __future__ import annotations

import re
from datetime import timedelta
from html import unescape

import pytest
import sqlalchemy as sa
from flask import g

from coordination import keyset
from coordination.admin.dashboard import OVERDUE_CURSOR
from coordination.assignments.models import Assignment
from coordination.assignments.states import Status
from coordination.db import today
from coordination.extensions import db
from tests.conftest import count_queries
from tests.factories import make_agency, make_directive
from tests.support.monitoring import ids_of

ROWS = 53
#: the open statuses cycle with work finished or waiting: only open work past its deadline is overdue here
STATUSES = (Status.not_started, Status.in_progress, Status.done, Status.returned, Status.cancelled)
DAYS = (-40, -7, -7, -1, 12, -19, -3)


@pytest.fixture
def overdue():  # type: ignore[no-untyped-def]
    """53 assignments of a new agency on a directive the Tây Ninh police monitor; the overdue ones' ids, in order.

    The order worked out here: by deadline (most days late first), then id.
    """
    agency = make_agency("TN-KEYS", "Sở Thử Phân Trang")
    directive = make_directive({str(n): ["TN-KEYS"] for n in range(1, ROWS + 1)})
    assignments = sorted((a for t in directive.tasks for a in t.assignments), key=lambda a: a.id)
    day = today()
    spec = []
    for n, assignment in enumerate(assignments):
        status, days = STATUSES[n % len(STATUSES)], DAYS[(n * 3) % len(DAYS)]
        finished = {"reported_done_on": day, "completed_on": day} if status == Status.done else {}
        db.session.execute(
            sa.update(Assignment)
            .where(Assignment.id == assignment.id)
            .values(status=status, deadline=day + timedelta(days=days), **finished)
        )
        if status in (Status.not_started, Status.in_progress, Status.returned) and days < 0:
            spec.append((days, assignment.id))
    db.session.commit()
    return agency.id, [i for _days, i in sorted(spec)]


def _get(client, url: str) -> str:  # type: ignore[no-untyped-def]
    db.session.expunge_all()
    g.pop("_login_user", None)
    response = client.get(url)
    assert response.status_code == 200, url
    return response.get_data(as_text=True)


def _link(html: str, name: str) -> str | None:
    found = re.search(rf'class="page-link page-{name}"[^>]* href="([^"]+)"', html)
    return unescape(found.group(1)) if found else None


def test_next_walks_the_overdue_list_once_in_order(client, login, overdue):
    agency_id, expected = overdue
    assert len(expected) == 27
    login("monitor.tayninh")
    url = f"/app/dashboard/?agency={agency_id}"
    pages, seen = [], []
    while url:
        html = _get(client, url)
        pages.append(ids_of(html, "overdue-row"))
        seen += pages[-1]
        url = _link(html, "next")
        if url:
            assert f"agency={agency_id}" in url and url.endswith("#overdue")
    assert [len(p) for p in pages] == [20, 7]
    assert seen == expected
    back = _get(client, _link(html, "previous"))
    assert ids_of(back, "overdue-row") == expected[:20]
    assert _link(back, "previous") is None


def test_the_agency_table_sort_is_kept_across_pages(client, login, overdue):
    agency_id, expected = overdue
    login("monitor.tayninh")
    html = _get(client, f"/app/dashboard/?agency={agency_id}&sort=overdue&order=asc")
    following = _link(html, "next")
    assert "sort=overdue" in following and "order=asc" in following
    assert ids_of(_get(client, following), "overdue-row") == expected[20:]


@pytest.mark.parametrize("query", ["cursor=garbage", "cursor=", "page=2", "page=-1", "page=abc"])
def test_an_odd_cursor_or_an_old_page_shows_the_first_page(client, login, overdue, query):
    agency_id, expected = overdue
    login("monitor.tayninh")
    html = _get(client, f"/app/dashboard/?agency={agency_id}&{query}")
    assert ids_of(html, "overdue-row") == expected[:20]
    assert ("Liên kết trang không hợp lệ" in html) == (query == "cursor=garbage")


def test_a_cursor_from_yesterday_or_for_the_work_list_is_refused(client, login, overdue, app):
    agency_id, expected = overdue
    login("monitor.tayninh")
    with app.test_request_context():
        key = (today() - timedelta(days=7), expected[19])
        stale = keyset.encode(OVERDUE_CURSOR, key, keyset.Direction.after, 19, day=today() - timedelta(days=1))
        other = keyset.encode("work-list", key, keyset.Direction.after, 19)
    html = _get(client, f"/app/dashboard/?agency={agency_id}&cursor={stale}")
    assert "Danh sách đã được xếp lại theo ngày hôm nay" in html
    assert ids_of(html, "overdue-row") == expected[:20]
    html = _get(client, f"/app/dashboard/?agency={agency_id}&cursor={other}")
    assert "Liên kết trang không hợp lệ" in html


def test_the_second_page_runs_the_queries_of_the_first(client, login, overdue):
    agency_id, _expected = overdue
    login("monitor.tayninh")
    counts = []
    url = f"/app/dashboard/?agency={agency_id}"
    for _ in range(2):
        db.session.expunge_all()
        g.pop("_login_user", None)
        with count_queries() as statements:
            html = client.get(url).get_data(as_text=True)
        counts.append(len(statements))
        url = _link(html, "next")
    assert counts[0] == counts[1]
