"""A GET of an action URL (a refused form reloaded from the address bar) leads back to its page: every
POST-only route of the web UI answers 303 to a page that answers GET, never "405 Phương thức không được hỗ trợ"."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import urlsplit

import pytest
import sqlalchemy as sa

from coordination.assignments.operations import request_extension
from coordination.assignments.states import Status
from coordination.db import today
from coordination.evidence.models import Evidence
from coordination.extensions import db
from tests.conftest import assignment_of, get_user
from tests.factories import make_assignment
from tests.support.web import text


def _post_only_routes(app) -> list:  # type: ignore[no-untyped-def]
    return [
        rule
        for rule in app.url_map.iter_rules()
        if "POST" in rule.methods and "GET" not in rule.methods and not rule.rule.startswith("/api/")
    ]


def _url(rule, value: int) -> str:  # type: ignore[no-untyped-def]
    path = rule.rule
    for argument in rule.arguments:
        converter = rule._converters[argument]
        path = path.replace(f"<{type(converter).__name__}>", "")
        start = path.index("<")
        path = path[:start] + str(value) + path[path.index(">", start) + 1 :]
    return path


def test_every_post_only_page_route_leads_back_to_a_page(app, client, login):
    rules = _post_only_routes(app)
    assert len(rules) >= 30  # the walk sees the whole web UI, Flask-Admin's actions included
    some_id = assignment_of("2157/UBND-KSTT", "5", "TN-STP").id
    login("admin")
    adapter = app.url_map.bind("localhost")
    for rule in rules:
        url = _url(rule, some_id)
        response = client.get(url)
        assert response.status_code == 303, (rule.rule, response.status_code)
        target = urlsplit(response.headers["Location"])
        endpoint, _ = adapter.match(target.path, method="GET", query_args=target.query)
        assert endpoint != rule.endpoint
        if rule.endpoint == "auth.logout":
            continue  # the home page; signing out takes a POST
        page = client.get(target.path + (f"?{target.query}" if target.query else ""), follow_redirects=True)
        assert page.status_code in (200, 403, 404), (rule.rule, target, page.status_code)  # the page's own checks
        assert "Phương thức không được hỗ trợ" not in text(page.get_data(as_text=True))


@pytest.mark.parametrize(
    ("action", "page"),
    [
        ("/app/assignment/{a}/report/", "/app/assignment/details/?id={a}#report"),
        ("/app/assignment/{a}/extension/", "/app/assignment/details/?id={a}#extension"),
        ("/app/assignment/{a}/review/", "/app/assignment/details/?id={a}#review"),
        ("/app/directive/{d}/activate/", "/app/directive/details/?id={d}"),
        ("/app/directive/task/{t}/assign/", "/app/directive/task/{t}/"),
        ("/app/directive/assignment/{a}/remove/", "/app/directive/task/{t}/"),
        ("/app/directive/import/review/", "/app/directive/import/"),
        ("/app/agency/{g}/rename/", "/app/agency/details/?id={g}"),
        ("/app/agency/delete/", "/app/agency/"),
        ("/app/notifications/read", "/app/notifications/"),
        ("/logout", "/"),
    ],
)
def test_each_action_leads_to_the_page_it_belongs_to(client, login, action, page):
    assignment = assignment_of("2157/UBND-KSTT", "5", "TN-STP")
    ids = {"a": assignment.id, "d": assignment.task.directive_id, "t": assignment.task_id, "g": assignment.agency_id}
    login("office.tayninh")
    response = client.get(action.format(**ids))
    assert response.status_code == 303
    location = urlsplit(response.headers["Location"])
    assert location.path + (f"?{location.query}" if location.query else "") + (
        f"#{location.fragment}" if location.fragment else ""
    ) == page.format(**ids)


def test_evidence_and_extension_actions_lead_to_their_assignment(app, client, login):
    with app.test_request_context("/"):
        assignment = make_assignment("TN-SGDDT", status=Status.in_progress)
        extension = request_extension(
            assignment, today() + timedelta(days=30), "Chờ kinh phí.", actor=get_user("education.tayninh")
        )
    login("education.tayninh")
    response = client.get(f"/app/assignment/extension/{extension.id}/decide/")
    assert response.status_code == 303
    assert response.headers["Location"] == f"/app/assignment/details/?id={assignment.id}"
    evidence = db.session.scalar(sa.select(Evidence).limit(1))
    if evidence is not None:  # the demo's files, when it has any
        login("admin")
        response = client.get(f"/app/assignment/evidence/{evidence.id}/remove/")
        assert response.headers["Location"] == f"/app/assignment/details/?id={evidence.assignment_id}#evidence"


def test_the_api_still_answers_405_with_a_problem(client):
    response = client.get("/api/v1/tokens")
    assert response.status_code == 405 and response.mimetype == "application/problem+json"
