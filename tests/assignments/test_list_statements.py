"""`GET /api/v1/assignments` builds its statement once per (viewer, filters, day) and reuses it for every page.

Issue 14: building the statement and its cache key took ~1 ms of each list request's Python (py-spy under wrk).
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from flask import Flask

from coordination.api.pagination import run_paged
from coordination.api.schemas import PageToken
from coordination.assignments.queries import assignment_list_page, assignment_list_query
from coordination.db import today
from coordination.directives.models import Directive
from coordination.errors import Invalid
from coordination.extensions import db
from tests.conftest import get_user


def test_the_same_list_reuses_its_statement_and_no_other_does(app: Flask) -> None:
    with app.test_request_context():
        monitor, officer = get_user("monitor.tayninh"), get_user("justice.tayninh")
        overdue = assignment_list_page(monitor, {"timeliness": "overdue"})
        assert assignment_list_page(monitor, {"timeliness": "overdue", "status": None}) is overdue
        others = [
            assignment_list_page(officer, {"timeliness": "overdue"}),
            assignment_list_page(monitor, {"timeliness": "due_soon"}),
            assignment_list_page(monitor, {"timeliness": "overdue", "open": True}),
            assignment_list_page(monitor, {"timeliness": "overdue"}, day=today() + timedelta(days=1)),
            assignment_list_page(monitor, {"agency": "TN-SGDDT", "timeliness": "overdue"}),
        ]
        assert all(other is not overdue for other in others)
        assert len({id(other) for other in others}) == len(others)


def test_a_reused_statement_pages_as_the_query_lists(app: Flask) -> None:
    with app.test_request_context():
        admin = get_user("admin")
        expected = [row.id for row in db.session.execute(assignment_list_query(admin, {"open": True}))]
        assert len(expected) > 6
        seen, token = [], None
        for _ in range(len(expected)):
            page = run_paged(assignment_list_page(admin, {"open": True}), {"page_size": 4, "page_token": token})
            seen += [row.id for row in page["items"]]
            if page["next_page_token"] is None:
                break
            token = PageToken().deserialize(page["next_page_token"])
        assert seen == expected


def test_a_directive_the_user_may_not_see_is_refused_on_every_request(app: Flask) -> None:
    with app.test_request_context():
        officer = get_user("bacson.tamdiep")
        hidden = db.session.scalars(
            db.select(Directive.id).where(Directive.ref.like("%UBND-KSTT%")).order_by(Directive.id)
        ).first()
        assert hidden is not None
        for _ in range(2):
            with pytest.raises(Invalid):
                assignment_list_page(officer, {"directive": hidden})
