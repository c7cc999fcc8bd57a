"""A deadline before the directive's issue date is refused, naming the field, wherever it is typed:
the operations, the registration form, the task forms, the API, the importer's confirm step, activation."""

from __future__ import annotations

import copy
import re
from datetime import timedelta

import pytest
import sqlalchemy as sa

from coordination.db import today
from coordination.directives.models import Directive, DirectiveStatus
from coordination.directives.operations import activate_directive, create_directive
from coordination.errors import Invalid
from coordination.extensions import db
from coordination.formatting import format_date
from tests.api.test_journeys import BODY
from tests.conftest import get_user
from tests.factories import make_directive
from tests.support.api import assert_problem
from tests.support.web import directive_form, get_directive, text, vn

ISSUED = today() - timedelta(days=10)
EARLY = ISSUED - timedelta(days=18)


def _count() -> int:
    return db.session.scalar(sa.select(sa.func.count(Directive.id)))


def _body(**changes) -> dict:  # type: ignore[no-untyped-def]
    body = copy.deepcopy(BODY)
    body["issued_on"] = ISSUED.isoformat()
    body.update(changes)
    return body


# --- the operation ---------------------------------------------------------------------------------------


def test_the_operation_names_every_early_deadline_by_its_path(app):
    data = _body(deadline=EARLY.isoformat())
    data = {**data, "issued_on": ISSUED, "deadline": EARLY}
    data["tasks"] = copy.deepcopy(BODY["tasks"])
    data["tasks"][0]["deadline"] = EARLY
    data["tasks"][0]["subtasks"][1]["deadline"] = EARLY
    data["tasks"][1]["deadline"] = ISSUED  # the issue day itself is a deadline one may give
    before = _count()
    with app.test_request_context("/"), pytest.raises(Invalid) as refused:
        create_directive(data, actor=get_user("office.tayninh"))
    assert refused.value.errors == {
        "deadline": [f"Trước ngày ban hành ({format_date(ISSUED)})."],
        "tasks.0.deadline": [f"Trước ngày ban hành ({format_date(ISSUED)})."],
        "tasks.0.subtasks.1.deadline": [f"Trước ngày ban hành ({format_date(ISSUED)})."],
    }
    assert refused.value.message == (
        f"Thời hạn không được trước ngày ban hành văn bản ({format_date(ISSUED)}): "
        "thời hạn chung, hạn của nhiệm vụ 1, hạn của nhiệm vụ b)."
    )
    assert _count() == before


def test_a_draft_saved_with_an_early_deadline_is_not_activated(app):
    with app.test_request_context("/"):
        draft = make_directive({"1": ["TN-STP"]}, issued_on=ISSUED, deadline_in_days=5, activate=False)
        draft.tasks[0].deadline = EARLY  # as a draft saved before the check existed
        with pytest.raises(Invalid) as refused:
            activate_directive(draft, actor=get_user("office.tayninh"))
    assert list(refused.value.errors) == ["tasks.0.deadline"]
    assert draft.status == DirectiveStatus.draft


# --- the API -----------------------------------------------------------------------------------------------


def test_api_create_refuses_a_task_deadline_before_the_issue_date(api):
    office = api("office.tayninh")
    body = _body()
    body["tasks"][1]["deadline"] = EARLY.isoformat()
    before = _count()
    problem = assert_problem(office.post("/api/v1/directives", json=body), 422)
    assert problem["errors"] == {"tasks.1.deadline": [f"Trước ngày ban hành ({format_date(ISSUED)})."]}
    assert "hạn của nhiệm vụ 2" in problem["detail"]
    assert _count() == before


def test_api_edits_refuse_early_deadlines_on_the_field_they_change(api):
    office = api("office.tayninh")
    created = office.post("/api/v1/directives", json=_body())
    assert created.status_code == 201, created.get_data(as_text=True)
    directive_id = created.get_json()["id"]
    task_id = created.get_json()["tasks"][0]["id"]
    # the header's deadline, the issue date moved past the tasks' deadlines, one task, a new task
    problem = assert_problem(
        office.patch(f"/api/v1/directives/{directive_id}", json={"deadline": EARLY.isoformat()}), 422
    )
    assert list(problem["errors"]) == ["deadline"]
    later = (today() + timedelta(days=60)).isoformat()
    problem = assert_problem(office.patch(f"/api/v1/directives/{directive_id}", json={"issued_on": later}), 422)
    assert list(problem["errors"]) == ["issued_on"]
    problem = assert_problem(office.patch(f"/api/v1/tasks/{task_id}", json={"deadline": EARLY.isoformat()}), 422)
    assert list(problem["errors"]) == ["deadline"]
    new_task = {"label": "3", "text": "Báo cáo.", "deadline": EARLY.isoformat(), "assignments": []}
    problem = assert_problem(office.post(f"/api/v1/directives/{directive_id}/tasks", json=new_task), 422)
    assert list(problem["errors"]) == ["deadline"]
    detail = office.get(f"/api/v1/directives/{directive_id}").get_json()
    assert detail["issued_on"] == ISSUED.isoformat() and detail["deadline"] == BODY["deadline"]
    assert [t["label"] for t in detail["tasks"]] == ["1", "a)", "b)", "2"]


def test_the_importers_confirm_step_refuses_it_too(api):
    office = api("office.tayninh")
    proposal = _body(number="2159")
    proposal["tasks"][0]["deadline"] = EARLY.isoformat()
    problem = assert_problem(office.post("/api/v1/directives/import", json=proposal), 422)
    assert list(problem["errors"]) == ["tasks.0.deadline"]


def test_an_extension_before_the_issue_date_is_refused(api, app):
    with app.test_request_context("/"):
        # issued in the future (a plan registered ahead), its task without a deadline
        directive = make_directive({"1": ["TN-SGDDT"]}, issued_on=today() + timedelta(days=40), deadline_in_days=None)
        (assignment,) = directive.tasks[0].assignments
    asked = (today() + timedelta(days=5)).isoformat()
    response = api("education.tayninh").post(
        f"/api/v1/assignments/{assignment.id}/extension-requests",
        json={"requested_deadline": asked, "reason": "Chờ kinh phí."},
    )
    problem = assert_problem(response, 422)
    assert list(problem["errors"]) == ["requested_deadline"]


# --- the web forms -----------------------------------------------------------------------------------------


def test_the_registration_form_puts_the_refusal_on_the_task_row(client, login):
    login("office.tayninh")
    response = client.post(
        "/app/directive/register/",
        data=directive_form(**{"issued_on": vn(ISSUED), "tasks-2-deadline": vn(EARLY), "deadline": vn(EARLY)}),
    )
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    page = text(html)
    assert f"Thời hạn không được trước ngày ban hành văn bản ({format_date(ISSUED)})" in page
    assert "thời hạn chung, hạn của nhiệm vụ b)" in page
    # the error sits under the row's own deadline (tasks-2 is the sub-item b) and under the header's deadline
    row = re.search(r'fld-deadline">(?:(?!fld-).)*?name="tasks-2-deadline".*?</div>\s*</div>', html, re.S)
    assert row and "Trước ngày ban hành" in row.group(0) and "is-invalid" in row.group(0)
    header = re.search(r'fld-deadline">(?:(?!fld-).)*?name="deadline".*?</div>\s*</div>', html, re.S)
    assert header and "Trước ngày ban hành" in header.group(0)
    assert get_directive() is None


def test_the_task_form_refuses_an_early_deadline(client, login, app):
    with app.test_request_context("/"):
        directive = make_directive({"1": ["TN-STP"]}, issued_on=ISSUED)
        task_id = directive.tasks[0].id
    login("office.tayninh")
    response = client.post(
        f"/app/directive/task/{task_id}/", data={"label": "1", "text": "Nhiệm vụ 1", "deadline": vn(EARLY)}
    )
    assert response.status_code == 422
    assert "không được trước ngày ban hành văn bản" in text(response.get_data(as_text=True))
    response = client.post(
        f"/app/directive/{directive.id}/tasks/new/", data={"label": "2", "text": "Thêm", "deadline": vn(EARLY)}
    )
    assert response.status_code == 422
    assert "Trước ngày ban hành" in text(response.get_data(as_text=True))


def test_a_deadline_in_working_days_moves_with_a_later_issue_date(api):
    """ "Trong 5 ngày làm việc kể từ ngày nhận": counted from the issue date, never before it, so not refused."""
    office = api("office.tayninh")
    body = _body()
    body["tasks"] = [{"label": "1", "text": "Báo cáo.", "deadline_working_days": 5, "assignments": []}]
    body.pop("deadline")
    created = office.post("/api/v1/directives", json=body)
    assert created.status_code == 201, created.get_data(as_text=True)
    later = today() + timedelta(days=60)
    moved = office.patch(f"/api/v1/directives/{created.get_json()['id']}", json={"issued_on": later.isoformat()})
    assert moved.status_code == 200, moved.get_data(as_text=True)
    assert moved.get_json()["tasks"][0]["deadline"] > later.isoformat()
