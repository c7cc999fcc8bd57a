"""Query-count guards: the directive page and the work list run a fixed number of queries, whatever their rows."""

from __future__ import annotations

import re
from datetime import timedelta
from html import unescape

import sqlalchemy as sa
from flask import g

from coordination.agencies.models import Agency
from coordination.assignments.models import Assignment, AssignmentRole
from coordination.assignments.operations import assign_handlers
from coordination.auth.models import User
from coordination.db import today
from coordination.directives.models import Directive, Task
from coordination.extensions import db
from coordination.permissions import Permission, can
from tests.conftest import count_queries
from tests.factories import make_assignment
from tests.support.admin_views import directive_id

#: user, agency for the navbar, the directive, addressees, tasks, assignments, indicators, measurements,
#: and the history: its events, the agencies they name, the agencies of their assignments
DIRECTIVE_PAGE_MAX = 11
#: user, agency for the navbar, the directive filter's choices, the count, the page of rows, the navbar's unread count
WORK_LIST_MAX = 6


def _get(client, url: str) -> int:
    # A request in production starts with an empty session and loads its user; in the tests the app
    # context, its session and the cached user outlive requests, so start each request afresh.
    db.session.expunge_all()
    g.pop("_login_user", None)
    with count_queries() as statements:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(statements)


def test_directive_page_queries_do_not_grow_with_rows(client, login):
    login("admin")
    small = _get(client, f"/app/directive/details/?id={directive_id('570/UBND-CA')}")
    large = _get(client, f"/app/directive/details/?id={directive_id('2157/UBND-KSTT')}")
    assert large <= DIRECTIVE_PAGE_MAX
    assert small <= DIRECTIVE_PAGE_MAX
    # 2157/UBND-KSTT has several times the tasks and assignments of 570/UBND-CA, yet the same queries.
    assert large == small


def _add_assignments(ref: str, count: int) -> None:
    """Give every agency without work on the directive's first task an assignment: more rows, same page."""
    task = db.session.scalar(
        sa.select(Task).join(Directive).where(Directive.ref == ref, Task.parent_id.is_(None)).order_by(Task.position)
    )
    taken = {a.agency_id for a in task.assignments}
    free = [a for a in db.session.scalars(sa.select(Agency).order_by(Agency.id)) if a.id not in taken][:count]
    for i, agency in enumerate(free):
        task.assignments.append(
            Assignment(agency=agency, role=AssignmentRole.coordinate, deadline=today() + timedelta(days=i))
        )
    db.session.commit()


def test_directive_page_with_more_assignments_same_queries(client, login):
    login("admin")
    url = f"/app/directive/details/?id={directive_id('570/UBND-CA')}"
    before = _get(client, url)
    _add_assignments("570/UBND-CA", 10)
    assert _get(client, url) == before


def test_work_list_queries_do_not_grow_with_rows(client, login):
    login("monitor.tayninh")
    few = _get(client, "/app/assignment/?status=done")
    many = _get(client, "/app/assignment/")
    assert many <= WORK_LIST_MAX
    assert few == many


def test_work_list_for_admin_pages_of_fifty(client, login):
    login("admin")
    first = _get(client, "/app/assignment/")
    # the second page by its keyset link ("Trang sau"): the same queries as the first
    html = client.get("/app/assignment/").get_data(as_text=True)
    following = re.search(r'class="page-link page-next"[^>]* href="([^"]+)"', html)
    assert following is not None
    second = _get(client, unescape(following.group(1)))
    assert first == second <= WORK_LIST_MAX


#: the agency's own list shows its rows' current handlers as a column of its own query (issue 15: no query more);
#: the agency's head also gets the handler filter's choices (the agency's users): one query, whatever the rows
HEAD_LIST_MAX = WORK_LIST_MAX + 1


def test_the_heads_own_list_with_handlers_does_not_grow_with_them(client, login):
    for days in (-2, 4, 9):
        make_assignment("TN-STP", officer="justice.tayninh", deadline_in_days=days)
    db.session.commit()
    login("justice.tayninh")
    before = _get(client, "/app/assignment/")
    head = db.session.scalar(sa.select(User).where(User.username == "justice.tayninh"))
    open_work = db.session.scalars(
        sa.select(Assignment).where(Assignment.agency_id == head.agency_id).order_by(Assignment.id)
    ).all()
    named = 0
    for work in open_work:
        if can(head, Permission.assignment_delegate, work):
            assign_handlers(work, {"handlers": [head.id]}, actor=head)
            named += 1
    db.session.commit()
    assert named >= 4
    after = _get(client, "/app/assignment/")
    assert before == after <= HEAD_LIST_MAX
