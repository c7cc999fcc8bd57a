"""Each role sees through the API exactly the directives and assignments it may (a table), drafts included."""

from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa

from coordination.assignments.models import Assignment
from coordination.directives.models import Directive
from coordination.directives.operations import create_directive
from coordination.extensions import db
from coordination.permissions import Permission, can
from tests.conftest import USERS, get_user
from tests.support.api import assert_problem

TAY_NINH, TAM_DIEP, DRAFT = "2157/UBND-KSTT", "570/UBND-CA", "99/UBND-TEST"

#: user -> the directive refs it sees (the draft is created by office.tayninh, addressed to Sở Tư pháp)
SEES = {
    "admin": {TAY_NINH, TAM_DIEP, DRAFT},
    "office.tayninh": {TAY_NINH, DRAFT},
    "monitor.tayninh": {TAY_NINH},
    "justice.tayninh": {TAY_NINH},
    "education.tayninh": {TAY_NINH},
    "office.tamdiep": {TAM_DIEP},
    "monitor.tamdiep": {TAM_DIEP},
    "bacson.tamdiep": {TAM_DIEP},
}


@pytest.fixture
def draft(app) -> Directive:
    """A draft of Tây Ninh's People's Committee that gives Sở Tư pháp work, monitored by the police."""
    directive = create_directive(
        {
            "number": "99",
            "symbol": "UBND-TEST",
            "doc_type": "cong_van",
            "issued_on": date(2026, 1, 5),
            "subject": "Thử nghiệm bản nháp về hộ tịch",
            "addressees": ["TN-STP"],
            "monitor_agency": "TN-CA",
            "tasks": [{"label": "1", "text": "Rà soát hồ sơ hộ tịch", "assignments": [{"agency": "TN-STP"}]}],
        },
        actor=get_user("office.tayninh"),
    )
    db.session.commit()
    return directive


def test_the_table_covers_every_demo_user():
    assert set(SEES) == set(USERS)


@pytest.mark.parametrize("username", USERS)
def test_each_user_sees_exactly_its_directives(api, draft, username):
    refs = {d["ref"] for d in api(username).items("/api/v1/directives")}
    assert refs == SEES[username]
    # The same answer as the one permission function, asked directive by directive.
    user = get_user(username)
    allowed = {d.ref for d in db.session.scalars(sa.select(Directive)) if can(user, Permission.directive_view, d)}
    assert refs == allowed


@pytest.mark.parametrize("username", USERS)
def test_each_user_sees_exactly_the_assignments_of_its_directives(api, draft, username):
    seen = {a["id"] for a in api(username).items("/api/v1/assignments")}
    user = get_user(username)
    allowed = {a.id for a in db.session.scalars(sa.select(Assignment)) if can(user, Permission.assignment_view, a)}
    assert seen == allowed
    assert seen  # every demo user has some work to see


@pytest.mark.parametrize("username", USERS)
def test_a_directive_page_is_404_unless_visible(api, draft, username):
    client = api(username)
    for directive in db.session.scalars(sa.select(Directive)):
        response = client.get(f"/api/v1/directives/{directive.id}")
        if directive.ref in SEES[username]:
            assert response.status_code == 200
            assert response.get_json()["ref"] == directive.ref
        else:
            # Same answer as for an id that does not exist: existence is not told.
            body = assert_problem(response, 404)
            missing = client.get("/api/v1/directives/999999").get_json()
            assert body["errors"] == missing["errors"]


@pytest.mark.parametrize("username", ["justice.tayninh", "monitor.tayninh", "education.tayninh", "bacson.tamdiep"])
def test_the_assignments_of_a_draft_are_hidden(api, draft, username):
    client = api(username)
    for task in draft.tasks:
        for assignment in task.assignments:
            assert_problem(client.get(f"/api/v1/assignments/{assignment.id}"), 404)
    assert_problem(client.get(f"/api/v1/assignments?directive={draft.id}"), 422, field="directive")


def test_the_author_office_sees_the_draft_with_its_work(api, draft):
    body = api("office.tayninh").get(f"/api/v1/directives/{draft.id}").get_json()
    assert body["status"] == "draft"
    assert [t["label"] for t in body["tasks"]] == ["1"]
    assert [a["agency"]["code"] for a in body["tasks"][0]["assignments"]] == ["TN-STP"]
