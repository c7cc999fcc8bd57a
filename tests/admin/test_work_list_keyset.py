"""The work list pages by keyset (issue 14): "Trang sau" walks every row once, in the order users see, filters kept."""

from __future__ import annotations

import re
from datetime import date, timedelta
from html import unescape

import pytest
import sqlalchemy as sa
from flask import g

from coordination import keyset
from coordination.admin.assignments import WORK_CURSOR
from coordination.assignments.models import Assignment, AssignmentHandler
from coordination.assignments.states import Status
from coordination.db import today
from coordination.extensions import db
from tests.conftest import count_queries
from tests.factories import make_agency, make_directive, make_user

ROWS = 137
OPEN = (Status.not_started, Status.in_progress, Status.returned)
#: deadlines in days from today: overdue, due soon (today and tomorrow are always within the due-soon limit),
#: far ahead (on time), and none; repeated so that rows tie on the deadline and the id decides
DEADLINES = (-9, -3, -3, 0, 1, 60, 75, 75, None, -1, 90)
STATUSES = (*OPEN, Status.reported_done, Status.done, Status.cancelled, Status.in_progress)


def _expected_urgency(status: Status, days: int | None) -> int:
    """The list's urgency, spelled out from the rules users are told: overdue, due soon, on time, no deadline,
    then work waiting for the monitor, finished, cancelled."""
    if status == Status.cancelled:
        return 7
    if status == Status.done:
        return 6
    if status == Status.reported_done:
        return 5
    if days is None:
        return 3
    if days < 0:
        return 0
    if days <= 1:
        return 1
    return 2


@pytest.fixture
def work():  # type: ignore[no-untyped-def]
    """137 assignments of a new agency in mixed states and deadlines, every fifth handled by its officer.

    Returns the ids in the order the list must show them to the officer, worked out here from the data made.
    """
    make_agency("TN-KEYS", "Sở Thử Phân Trang")
    officer = make_user("keys.officer", "Cán bộ Phân Trang", "TN-KEYS")
    directive = make_directive({str(n): ["TN-KEYS"] for n in range(1, ROWS + 1)})
    assignments = sorted((a for t in directive.tasks for a in t.assignments), key=lambda a: a.id)
    assert len(assignments) == ROWS
    day = today()
    spec = []
    for n, assignment in enumerate(assignments):
        status = STATUSES[n % len(STATUSES)]
        days = DEADLINES[(n * 5) % len(DEADLINES)]
        deadline = day + timedelta(days=days) if days is not None else None
        # Set straight in the table: the states themselves are the state machine's tests; this list only reads them.
        finished = {
            "reported_done_on": day if status in (Status.reported_done, Status.done) else None,
            "completed_on": day if status == Status.done else None,
        }
        db.session.execute(
            sa.update(Assignment)
            .where(Assignment.id == assignment.id)
            .values(status=status, deadline=deadline, **finished)
        )
        mine = n % 5 == 2
        if mine:
            db.session.add(
                AssignmentHandler(assignment_id=assignment.id, user_id=officer.id, assigned_by_id=officer.id)
            )
        spec.append((not mine, _expected_urgency(status, days), days is None, days or 0, assignment.id, status))
    db.session.commit()
    spec.sort(key=lambda s: s[:5])
    return spec


def _get(client, url: str):  # type: ignore[no-untyped-def]
    db.session.expunge_all()
    g.pop("_login_user", None)
    response = client.get(url)
    assert response.status_code == 200, url
    return response.get_data(as_text=True)


def _ids(html: str) -> list[int]:
    return [int(i) for i in re.findall(r'class="work-row" data-id="(\d+)"', html)]


def _link(html: str, name: str) -> str | None:
    found = re.search(rf'class="page-link page-{name}"[^>]* href="([^"]+)"', html)
    return unescape(found.group(1)) if found else None


def _key(row: tuple) -> tuple:
    """The list's sort key of a row of `work`, as its cursor carries it (a missing deadline compared as 9999-12-31)."""
    not_mine, urgency, no_deadline, days, assignment_id, _status = row
    deadline = date(9999, 12, 31) if no_deadline else today() + timedelta(days=days)
    return (not_mine, urgency, no_deadline, deadline, assignment_id)


def _count_line(html: str) -> str:
    return re.sub(r"\s+", " ", re.search(r'class="[^"]*work-count">(.*?)</p>', html, re.S).group(1)).strip()


def test_next_walks_every_row_once_in_the_order_users_see(client, login, work):
    login("keys.officer", "demo-2026-test")
    expected = [s[4] for s in work]
    # the first rows: the officer's own overdue work, then its own due soon; the last: cancelled work
    assert work[0][:2] == (False, 0) and work[-1][5] == Status.cancelled
    seen: list[int] = []
    pages = []
    url = "/app/assignment/"
    while url:
        html = _get(client, url)
        pages.append(_ids(html))
        seen += pages[-1]
        starts = len(seen) - len(pages[-1]) + 1
        assert _count_line(html) == f"{starts}–{len(seen)} trong {ROWS} việc"
        url = _link(html, "next")
    assert [len(p) for p in pages] == [50, 50, 37]
    assert seen == expected
    assert _link(html, "first") == "/app/assignment/"


def test_previous_returns_the_page_before(client, login, work):
    login("keys.officer", "demo-2026-test")
    expected = [s[4] for s in work]
    first = _get(client, "/app/assignment/")
    assert _link(first, "previous") is None and _link(first, "first") is None
    second = _get(client, _link(first, "next"))
    third = _get(client, _link(second, "next"))
    back = _get(client, _link(third, "previous"))
    assert _ids(back) == expected[50:100]
    assert _count_line(back) == f"51–100 trong {ROWS} việc"
    again = _get(client, _link(back, "previous"))
    assert _ids(again) == expected[:50]
    assert _link(again, "previous") is None
    # forward again from a page reached backwards
    assert _ids(_get(client, _link(again, "next"))) == expected[50:100]


def test_filters_are_kept_across_pages(client, login, work):
    login("keys.officer", "demo-2026-test")
    # "chưa hoàn thành": neither done nor cancelled (reported work waits for the monitor); and work without a
    # deadline falls outside a "due by" filter
    wanted = [s[4] for s in work if s[5] not in (Status.done, Status.cancelled) and not s[2]]
    assert len(wanted) == 90
    url = "/app/assignment/?status=open&due_to=" + (today() + timedelta(days=400)).isoformat()
    seen: list[int] = []
    while url:
        html = _get(client, url)
        seen += _ids(html)
        url = _link(html, "next")
        if url:
            assert "status=open" in url and "due_to=" in url
    assert seen == wanted


def test_timeliness_given_twice_is_kept(client, login, work):
    login("keys.officer", "demo-2026-test")
    html = _get(client, "/app/assignment/?timeliness=overdue&timeliness=due_soon&timeliness=on_time")
    following = _link(html, "next")
    assert following is not None
    assert following.count("timeliness=") == 3
    # every row with a deadline and not finished (work reported and waiting is on time or overdue)
    dated = [s[4] for s in work if s[5] not in (Status.done, Status.cancelled) and not s[2]]
    assert len(dated) == 90
    assert _ids(html) + _ids(_get(client, following)) == dated


@pytest.mark.parametrize("cursor", ["garbage", "a" * 2000, "W10.bad", ""])
def test_a_tampered_cursor_shows_the_first_page_with_a_notice(client, login, work, cursor):
    login("keys.officer", "demo-2026-test")
    html = _get(client, f"/app/assignment/?cursor={cursor}&status=open")
    assert _ids(html)[:3] == [s[4] for s in work if s[5] in OPEN][:3]
    if cursor:
        assert "Liên kết trang không hợp lệ" in html
    else:
        assert "keyset-notice" not in html


def test_a_cursor_signed_for_another_list_or_altered_is_refused(client, login, work, app):
    login("keys.officer", "demo-2026-test")
    with app.test_request_context():
        other = keyset.encode("another-list", (False, 0, False, today(), 1), keyset.Direction.after, 49)
        # signed, but the key is not the list's (a string where a number goes)
        odd = keyset.encode(WORK_CURSOR, (False, "0", False, today(), 1), keyset.Direction.after, 49)
        short = keyset.encode(WORK_CURSOR, (False, 0), keyset.Direction.after, 49)
    for cursor in (other, odd, short):
        html = _get(client, f"/app/assignment/?cursor={cursor}")
        assert "Liên kết trang không hợp lệ" in html
        assert _ids(html) == [s[4] for s in work][:50]


def test_a_cursor_from_yesterday_shows_the_first_page_with_a_notice(client, login, work, app):
    login("keys.officer", "demo-2026-test")
    yesterday = today() - timedelta(days=1)
    with app.test_request_context():
        stale = keyset.encode(WORK_CURSOR, _key(work[49]), keyset.Direction.after, 49, day=yesterday)
    html = _get(client, f"/app/assignment/?cursor={stale}")
    assert "Danh sách đã được xếp lại theo ngày hôm nay" in html
    assert _ids(html) == [s[4] for s in work][:50]


def test_a_cursor_made_today_continues_after_its_row(client, login, work, app):
    login("keys.officer", "demo-2026-test")
    with app.test_request_context():
        cursor = keyset.encode(WORK_CURSOR, _key(work[49]), keyset.Direction.after, 49)
    html = _get(client, f"/app/assignment/?cursor={cursor}")
    assert _ids(html) == [s[4] for s in work][50:100]


@pytest.mark.parametrize("page", ["3", "1", "-4", "abc", "999999"])
def test_an_old_page_link_shows_the_first_page(client, login, work, page):
    login("keys.officer", "demo-2026-test")
    html = _get(client, f"/app/assignment/?page={page}")
    assert _ids(html) == [s[4] for s in work][:50]
    # the pager's own links carry no `page` any more
    assert _link(html, "next") is not None and "page=" not in _link(html, "next")


def test_every_page_runs_the_same_queries(client, login, work):
    login("keys.officer", "demo-2026-test")
    counts = []
    url = "/app/assignment/"
    while url:
        db.session.expunge_all()
        g.pop("_login_user", None)
        with count_queries() as statements:
            response = client.get(url)
        counts.append(len(statements))
        url = _link(response.get_data(as_text=True), "next")
    assert len(counts) == 3
    assert counts[0] == counts[1] == counts[2]
