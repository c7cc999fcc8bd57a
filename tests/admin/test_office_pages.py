"""The office registers a directive through the web form, edits the draft, activates, edits task by task, closes."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import sqlalchemy as sa

from coordination.assignments.models import Assignment
from coordination.assignments.states import Status
from coordination.db import today
from coordination.directives.models import Directive, DirectiveStatus, Recurrence, Task
from coordination.extensions import db
from tests.conftest import get_user
from tests.support.admin_views import directive_id
from tests.support.web import (
    DISTRICTS,
    REF,
    directive_form,
    event_count,
    events,
    fresh,
    get_directive,
    own_assignment,
    section,
    text,
    vn,
)


def register(client, **overrides) -> Directive:  # type: ignore[no-untyped-def]
    response = client.post("/app/directive/register/", data=directive_form(**overrides))
    assert response.status_code == 302, text(response.get_data(as_text=True))[:2000]
    directive = get_directive()
    assert response.headers["Location"].endswith(f"/app/directive/details/?id={directive.id}")
    return directive


def test_office_registers_a_draft_with_a_group_and_sub_items(client, login):
    login("office.tayninh")
    form = client.get("/app/directive/register/").get_data(as_text=True)
    assert 'name="csrf_token"' in form and 'id="task-row-template"' in form and "workflow.js" in form
    assert DISTRICTS in form

    directive = register(client, subject="V/v kiểm tra việc cấp CCCD lưu động tại các xã biên giới")
    assert directive.status == DirectiveStatus.draft
    assert directive.issuer.code == "TN-UBND"
    assert directive.subject == "kiểm tra việc cấp CCCD lưu động tại các xã biên giới"  # the page prints "V/v"
    assert directive.legal_basis == [
        "Quyết định số 06/QĐ-TTg ngày 06/01/2022 của Thủ tướng Chính phủ",
        "Kế hoạch số 12/KH-UBND",
    ]
    assert [a.name for a in directive.addressees] == [DISTRICTS, "Sở Tư pháp tỉnh Tây Ninh", "Công an tỉnh Tây Ninh"]
    assert (directive.monitor_agency.code, directive.report_to_agency.code) == ("TN-CA", "TN-VPUBND")
    assert (directive.signer_name, directive.signer_title, directive.signer_authority) == (
        "Võ Đức Trọng",
        "Phó Chủ tịch",
        "KT. Chủ tịch",
    )

    tasks = sorted(directive.tasks, key=lambda t: t.position)
    assert [(t.label, t.parent.label if t.parent else None) for t in tasks] == [
        ("1", None),
        ("a)", "1"),
        ("b)", "1"),
        ("2", None),
    ]
    task1, sub_a, sub_b, task2 = tasks
    assert {(a.agency.code, a.role.value) for a in task1.assignments} == {("TN-STP", "lead"), ("TN-CA", "coordinate")}
    # A sub-item that names nobody belongs to its parent's agencies.
    assert {(a.agency.code, a.role.value) for a in sub_a.assignments} == {("TN-STP", "lead"), ("TN-CA", "coordinate")}
    assert sub_b.deadline == task1.deadline == today() + timedelta(days=30)
    # The group expands to one assignment per district, per monthly period, recorded as from the group.
    assert task2.recurrence == Recurrence.monthly and task2.recurrence_day == 25
    districts = {a.agency.code for a in task2.assignments}
    assert len(districts) == 9 and all(a.via_group.name == DISTRICTS for a in task2.assignments)
    periods = {a.period_index for a in task2.assignments}
    assert len(task2.assignments) == 9 * len(periods) and len(periods) >= 3

    page = client.get(f"/app/directive/details/?id={directive.id}").get_data(as_text=True)
    assert "Bản nháp" in page and "Sửa bản nháp" in page and "Kích hoạt" in page
    assert "Tạo văn bản (bản nháp)" in section(page, "history")
    assert 'data-task-label="a)"' in page


def test_the_draft_is_the_offices_alone(client, login):
    login("office.tayninh")
    directive = register(client)
    for username in ("justice.tayninh", "monitor.tayninh", "office.tamdiep"):
        client.post("/logout")
        login(username)
        assert client.get(f"/app/directive/details/?id={directive.id}").status_code == 404, username
        assert client.get(f"/app/directive/{directive.id}/draft/").status_code == 403, username
        before = event_count()
        assert client.post(f"/app/directive/{directive.id}/activate/", data={"confirm": "1"}).status_code == 403
        assert event_count() == before
        assert fresh(directive).status == DirectiveStatus.draft


def test_office_edits_the_draft_then_activates(client, login):
    login("office.tayninh")
    directive = register(client)
    form = client.get(f"/app/directive/{directive.id}/draft/").get_data(as_text=True)
    # The form comes back filled: header, addressees, rows in document order with their agencies.
    assert 'value="318"' in form and "kiểm tra việc cấp CCCD" in form
    assert re.search(r'<input[^>]*name="tasks-1-label"[^>]*value="a\)"', form)
    # (an option may carry the agency's other names for the picker's search: data-search="…")
    assert re.search(r'<option [^>]*selected value="TN-STP">', form)

    data = directive_form(subject="kiểm tra việc cấp CCCD (sửa)", **{"tasks-5-level": "0", "tasks-5-label": "3"})
    data["tasks-5-text"] = "Báo Tây Ninh tuyên truyền."
    data["tasks-5-lead"] = ["TN-BAOTN"]
    response = client.post(f"/app/directive/{directive.id}/draft/", data=data)
    assert response.status_code == 302
    directive = fresh(directive)
    assert directive.subject == "kiểm tra việc cấp CCCD (sửa)"
    assert [t.label for t in sorted(directive.tasks, key=lambda t: t.position)] == ["1", "a)", "b)", "2", "3"]

    response = client.post(f"/app/directive/{directive.id}/activate/", data={"confirm": "1"}, follow_redirects=True)
    assert "Đã kích hoạt văn bản 318/UBND-KT" in response.get_data(as_text=True)
    assert fresh(directive).status == DirectiveStatus.active
    history = section(response.get_data(as_text=True), "history")
    assert history.index("Kích hoạt văn bản") < history.index("Sửa văn bản") < history.index("Tạo văn bản")
    # Active: the draft form is gone, the task links are there.
    assert client.get(f"/app/directive/{directive.id}/draft/").status_code == 302
    page = response.get_data(as_text=True)
    assert "Thêm nhiệm vụ" in page and "Đóng văn bản" in page and "task-edit-link" in page


def test_activating_a_directive_without_assignments_says_why(client, login):
    login("office.tayninh")
    data = directive_form()
    for key in [k for k in data if k.startswith("tasks-") and k.endswith(("-lead", "-coordinate", "-group"))]:
        del data[key]
    data = {k: v for k, v in data.items() if not k.startswith(("tasks-1", "tasks-2", "tasks-4"))}
    assert client.post("/app/directive/register/", data=data).status_code == 302
    directive = get_directive()
    response = client.post(f"/app/directive/{directive.id}/activate/", data={"confirm": "1"}, follow_redirects=True)
    assert "Văn bản chưa giao nhiệm vụ cho cơ quan nào." in response.get_data(as_text=True)
    assert fresh(directive).status == DirectiveStatus.draft


@pytest.mark.parametrize(
    "overrides, field, message",
    [
        ({"issued_on": "31/02/2022"}, "issued_on", "Ngày không hợp lệ; hãy nhập theo dạng dd/mm/yyyy."),
        ({"issued_on": "hôm qua"}, "issued_on", "Ngày không hợp lệ; hãy nhập theo dạng dd/mm/yyyy."),
        ({"tasks-0-deadline": "2022-13-01"}, "tasks-0-deadline", "Ngày không hợp lệ"),
        ({"number": ""}, "number", "Bắt buộc."),
        ({"tasks-0-label": ""}, "tasks-0-label", "Bắt buộc."),
        ({"tasks-1-text": ""}, "tasks-1-text", "Bắt buộc."),
        ({"tasks-0-level": "1"}, "tasks-0-level", "Tiểu mục cần một nhiệm vụ ở dòng trên."),
        ({"tasks-0-lead": ["NO-SUCH"]}, "tasks-0-lead", "Lựa chọn “NO-SUCH” không hợp lệ."),
        ({"monitor_agency": "NO-SUCH"}, "monitor_agency", "Lựa chọn không hợp lệ."),
        # rows come back numbered 0, 1, 2, 3: the posted row 4 is the fourth
        ({"tasks-4-recurrence_day": "-3"}, "tasks-3-recurrence_day", "Phải là số nguyên từ 1 đến 92."),
        ({"doc_type": "sắc lệnh"}, "doc_type", "Lựa chọn không hợp lệ."),
    ],
)
def test_bad_input_is_a_form_error_and_nothing_is_saved(client, login, overrides, field, message):
    login("office.tayninh")
    before = event_count()
    response = client.post("/app/directive/register/", data=directive_form(**overrides))
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "Chưa lưu: hãy sửa các ô được đánh dấu bên dưới." in html
    # the message sits next to the field it is about
    after_field = html[html.index(f'name="{field}"') :]
    assert message in text(after_field[:6000])
    assert get_directive() is None and event_count() == before


def test_a_number_already_used_is_refused_with_the_operations_message(client, login):
    login("office.tayninh")
    response = client.post("/app/directive/register/", data=directive_form(number="2157", symbol="UBND-KSTT"))
    assert response.status_code == 409
    assert "Văn bản 2157/UBND-KSTT của cơ quan này đã có." in text(response.get_data(as_text=True))


def test_add_row_without_javascript_posts_back_one_more_row(client, login):
    login("office.tayninh")
    data = directive_form(add_row="1")
    response = client.post("/app/directive/register/", data=data)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    # the four rows posted come back (numbered 0 to 3), and one empty row after them
    assert re.findall(r'name="(tasks-\d+-label)"', html) == [f"tasks-{i}-label" for i in range(5)]
    assert 'value="2"' in html
    assert get_directive() is None


def test_only_an_office_with_an_agency_registers(client, login):
    for username in ("justice.tayninh", "monitor.tayninh", "admin"):
        login(username)
        assert client.get("/app/directive/register/").status_code == 403, username
        assert client.post("/app/directive/register/", data=directive_form()).status_code == 403
        client.post("/logout")
    assert get_directive() is None
    login("justice.tayninh")
    assert "register-directive" not in client.get("/app/directive/").get_data(as_text=True)
    client.post("/logout")
    login("office.tayninh")
    assert "register-directive" in client.get("/app/directive/").get_data(as_text=True)


def _active(client, login) -> Directive:  # type: ignore[no-untyped-def]
    login("office.tayninh")
    directive = register(client)
    client.post(f"/app/directive/{directive.id}/activate/", data={"confirm": "1"})
    return fresh(directive)


def test_office_adds_a_task_and_a_sub_item_to_an_active_directive(client, login):
    directive = _active(client, login)
    page = client.get(f"/app/directive/{directive.id}/tasks/new/").get_data(as_text=True)
    assert "Nhiệm vụ mới ở cuối văn bản" in page and "Tiểu mục của nhiệm vụ 1" in page
    task1 = next(t for t in directive.tasks if t.label == "1")
    response = client.post(
        f"/app/directive/{directive.id}/tasks/new/",
        data={"parent": str(task1.id), "label": "c)", "text": "Gửi danh sách cho Công an.", "lead": ["TN-STP"]},
    )
    assert response.status_code == 302 and "#task-" in response.headers["Location"]
    response = client.post(
        f"/app/directive/{directive.id}/tasks/new/",
        data={
            "label": "4",
            "text": "Các sở tuyên truyền.",
            "group": "Các sở, ban, ngành tỉnh",
            "group_role": "coordinate",
        },
    )
    assert response.status_code == 302
    directive = fresh(directive)
    labels = [
        (t.label, t.parent.label if t.parent else None) for t in sorted(directive.tasks, key=lambda t: t.position)
    ]
    assert labels == [("1", None), ("a)", "1"), ("b)", "1"), ("c)", "1"), ("2", None), ("4", None)]
    task4 = next(t for t in directive.tasks if t.label == "4")
    assert len(task4.assignments) == 8 and {a.role.value for a in task4.assignments} == {"coordinate"}
    assert events(directive_id=directive.id).count("task.add") == 2
    # a missing text is a form error, nothing added
    response = client.post(f"/app/directive/{directive.id}/tasks/new/", data={"label": "5", "text": " "})
    assert response.status_code == 422 and "Bắt buộc." in text(response.get_data(as_text=True))
    assert len(fresh(directive).tasks) == 6


def test_office_edits_a_task_adds_agencies_and_removes_one(client, login):
    directive = _active(client, login)
    task1 = next(t for t in directive.tasks if t.label == "1")
    new_deadline = today() + timedelta(days=45)
    response = client.post(
        f"/app/directive/task/{task1.id}/",
        data={"label": "1", "text": "Sở Tư pháp rà soát và cấp lại giấy khai sinh.", "deadline": vn(new_deadline)},
    )
    assert response.status_code == 302
    task1 = fresh(task1)
    assert task1.text == "Sở Tư pháp rà soát và cấp lại giấy khai sinh." and task1.deadline == new_deadline
    assert {a.deadline for a in task1.assignments} == {new_deadline}

    response = client.post(
        f"/app/directive/task/{task1.id}/assign/", data={"lead": ["TN-SGDDT"], "coordinate": ["TN-STC"]}
    )
    assert response.status_code == 302
    assert {a.agency.code for a in fresh(task1).assignments} == {"TN-STP", "TN-CA", "TN-SGDDT", "TN-STC"}
    response = client.post(f"/app/directive/task/{task1.id}/assign/", data={})
    assert response.status_code == 422
    assert "Hãy chọn ít nhất một cơ quan hoặc một nhóm." in text(response.get_data(as_text=True))

    # Not worked yet: removed without a reason, and gone.
    finance = own_assignment(directive, "1", "TN-STC")
    assert client.post(f"/app/directive/assignment/{finance.id}/remove/", data={"reason": ""}).status_code == 302
    assert db.session.get(Assignment, finance.id) is None

    # Worked on: a reason is needed, then the assignment is cancelled (its record stays).
    justice = own_assignment(directive, "1", "TN-STP")
    client.post("/logout")
    login("justice.tayninh")
    response = client.post(
        f"/app/assignment/{justice.id}/report/",
        data={"note": "Đã bắt đầu.", "action": "start", "version": str(justice.version)},
    )
    assert response.status_code == 302, text(response.get_data(as_text=True))[:3000]
    client.post("/logout")
    login("office.tayninh")
    response = client.post(f"/app/directive/assignment/{justice.id}/remove/", data={"reason": "  "})
    assert response.status_code == 422
    assert "Cơ quan đã có báo cáo về nhiệm vụ này: hãy ghi lý do gỡ phân công." in text(response.get_data(as_text=True))
    assert fresh(justice).status == Status.in_progress
    response = client.post(
        f"/app/directive/assignment/{justice.id}/remove/", data={"reason": "Chuyển cho Sở GD&ĐT chủ trì."}
    )
    assert response.status_code == 302
    assert fresh(justice).status == Status.cancelled
    page = client.get(f"/app/directive/details/?id={directive.id}").get_data(as_text=True)
    history = section(page, "history")
    for words in (
        "Gỡ phân công",
        "Chuyển cho Sở GD&ĐT chủ trì.",
        "Giao nhiệm vụ cho cơ quan",
        "Sửa nhiệm vụ",
        "Đổi hạn",
    ):
        assert words in history, words


def test_office_closes_then_nothing_more_is_edited(client, login):
    directive = _active(client, login)
    response = client.post(f"/app/directive/{directive.id}/close/", data={"confirm": "1"}, follow_redirects=True)
    assert "Đã đóng văn bản 318/UBND-KT." in response.get_data(as_text=True)
    directive = fresh(directive)
    assert directive.status == DirectiveStatus.closed
    task = directive.tasks[0]
    response = client.post(f"/app/directive/task/{task.id}/", data={"label": "1", "text": "x"})
    assert response.status_code == 409 and "Văn bản đã đóng: không thể sửa." in text(response.get_data(as_text=True))
    assert fresh(task).text != "x"
    response = client.get(f"/app/directive/{directive.id}/tasks/new/", follow_redirects=True)
    assert "Văn bản đã đóng: không thể sửa." in response.get_data(as_text=True)
    page = response.get_data(as_text=True)
    assert "task-edit-link" not in page and 'class="office-actions' not in page
    assert "Đóng văn bản" in section(
        client.get(f"/app/directive/details/?id={directive.id}").get_data(as_text=True), "history"
    )


@pytest.mark.parametrize("username", ["office.tamdiep", "monitor.tayninh", "justice.tayninh"])
def test_others_may_not_edit_an_issuers_directive(client, login, username):
    ref_id = directive_id("2157/UBND-KSTT")
    task = db.session.scalar(sa.select(Task).where(Task.directive_id == ref_id, Task.label == "5"))
    text_before, count_before = task.text, event_count()
    assignment = task.assignments[0]
    login(username)
    attempts = [
        ("post", f"/app/directive/{ref_id}/close/", {"confirm": "1"}),
        ("get", f"/app/directive/{ref_id}/tasks/new/", None),
        ("post", f"/app/directive/{ref_id}/tasks/new/", {"label": "99", "text": "x", "lead": ["TN-STP"]}),
        ("get", f"/app/directive/task/{task.id}/", None),
        ("post", f"/app/directive/task/{task.id}/", {"label": "5", "text": "đổi"}),
        ("post", f"/app/directive/task/{task.id}/assign/", {"lead": ["TN-STC"]}),
        ("post", f"/app/directive/assignment/{assignment.id}/remove/", {"reason": "x"}),
    ]
    for method, url, data in attempts:
        assert getattr(client, method)(url, data=data).status_code == 403, url
    assert fresh(task).text == text_before and event_count() == count_before
    assert fresh(db.session.get(Directive, ref_id)).status == DirectiveStatus.active
    assert "task-edit-link" not in client.get(f"/app/directive/details/?id={ref_id}").get_data(as_text=True)


def test_missing_objects_are_404(client, login):
    login("office.tayninh")
    for method, url in [
        ("get", "/app/directive/999999/draft/"),
        ("post", "/app/directive/999999/activate/"),
        ("get", "/app/directive/task/999999/"),
        ("post", "/app/directive/assignment/999999/remove/"),
    ]:
        assert getattr(client, method)(url).status_code == 404, url


def test_history_of_a_directive_hides_other_agencies_notes_from_an_officer(client, login):
    ref_id = directive_id("2157/UBND-KSTT")
    login("education.tayninh")
    page = client.get(f"/app/directive/details/?id={ref_id}").get_data(as_text=True)
    history = section(page, "history")
    assert "Kích hoạt văn bản" in history
    assert "Sở Tư pháp tỉnh Tây Ninh" not in history  # justice's notes are its own, the monitor's and the office's
    client.post("/logout")
    login("monitor.tayninh")
    assert "Sở Tư pháp tỉnh Tây Ninh" in section(
        client.get(f"/app/directive/details/?id={ref_id}").get_data(as_text=True), "history"
    )


def test_user_agency_of_office(app):
    assert get_user("office.tayninh").agency.code == "TN-UBND"
    assert REF == "318/UBND-KT"
