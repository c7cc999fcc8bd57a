"""Việc của đơn vị (the agency's work list, most urgent first) and the assignment page with its privacy rule."""

from __future__ import annotations

from datetime import date, timedelta

import sqlalchemy as sa
from flask import current_app

from coordination.assignments.models import Assignment
from coordination.assignments.operations import report_progress
from coordination.assignments.states import Action, Status, Timeliness
from coordination.db import today
from coordination.directives.models import Directive, Task
from coordination.extensions import db
from coordination.permissions import visible_assignments
from tests.conftest import SETUP, assignment_of, get_user
from tests.factories import make_directive
from tests.support.admin_views import attr_values

KSTT = "2157/UBND-KSTT"
CA = "570/UBND-CA"
STP_NOTE = "đã cấp lại 1.126 giấy khai sinh không ghi ngày, tháng sinh"


def _rows(client, query: str = "") -> list[Assignment]:
    response = client.get(f"/app/assignment/{query}")
    assert response.status_code == 200
    ids = [int(i) for i in attr_values(response.get_data(as_text=True), "data-id", "work-row")]
    return [db.session.get(Assignment, i) for i in ids]


def _urgency(a: Assignment) -> tuple:
    """The order the list promises: overdue by days late, due soon, on time, then waiting and finished."""
    bucket = {
        Status.cancelled: 7,
        Status.done: 6,
        Status.reported_done: 5,
    }.get(a.status)
    if bucket is None:
        bucket = {Timeliness.overdue: 0, Timeliness.due_soon: 1, Timeliness.on_time: 2}.get(a.timeliness, 3)
    return (bucket, -a.days_late if bucket == 0 else 0, a.deadline is None, a.deadline or date.max)


def _own_visible_count(username: str) -> int:
    user = get_user(username)
    return db.session.scalar(
        sa.select(sa.func.count(Assignment.id))
        .join(Task, Task.id == Assignment.task_id)
        .join(Directive, Directive.id == Task.directive_id)
        .where(visible_assignments(user), Assignment.agency_id == user.agency_id)
    )


def test_justice_sees_only_its_agencys_rows(client, login):
    login("justice.tayninh")
    rows = _rows(client)
    assert rows, "Sở Tư pháp has work in 2157/UBND-KSTT"
    assert {a.agency.code for a in rows} == {"TN-STP"}
    assert len(rows) == _own_visible_count("justice.tayninh")
    assert [_urgency(a) for a in rows] == sorted(_urgency(a) for a in rows)
    assert rows[0].timeliness == Timeliness.overdue  # task 5, still open after 30/09/2022


def test_most_urgent_first(client, login):
    """Give the police varied work of its own, then check the exact order."""
    soon = current_app.config["DUE_SOON_DAYS"]
    plan = {
        "1": (Status.in_progress, 30),  # on time
        "2": (Status.not_started, soon),  # due soon
        "3": (Status.in_progress, -3),  # overdue by 3
        "4": (Status.not_started, -40),  # overdue by 40: first
        "5": (Status.not_started, None),  # no deadline
    }
    directive = make_directive(
        {label: ["TN-CA"] for label in plan},
        issued_on=today() - timedelta(days=60),
        task_deadlines={label: days for label, (_, days) in plan.items()},
    )
    work = {task.label: task.assignments[0] for task in directive.tasks}
    for label, (status, _) in plan.items():
        if status == Status.in_progress:
            report_progress(work[label], actor=SETUP, action=Action.start, note="Bắt đầu.")
    db.session.commit()

    login("monitor.tayninh")
    rows = _rows(client, f"?directive={directive.id}")
    keys = [_urgency(a) for a in rows]
    assert keys == sorted(keys)
    assert [a.task.label for a in rows] == ["4", "3", "2", "1", "5"]
    html = client.get(f"/app/assignment/?directive={directive.id}").get_data(as_text=True)
    assert "40 ngày" in html  # days late beside the badge


def test_filters(client, login):
    login("justice.tayninh")
    assert {a.status for a in _rows(client, "?status=done")} == {Status.done}
    assert all(a.is_open for a in _rows(client, "?status=open"))
    assert {a.timeliness for a in _rows(client, "?timeliness=overdue")} == {Timeliness.overdue}
    assert _rows(client, "?due_from=2030-01-01") == []
    assert len(_rows(client, "?due_from=2022-09-30&due_to=30/09/2022")) == _own_visible_count("justice.tayninh")
    assert len(_rows(client, "?timeliness=nonsense&due_from=not-a-date&directive=x")) == _own_visible_count(
        "justice.tayninh"
    )


def test_rows_show_what_the_officer_needs(client, login):
    login("justice.tayninh")
    html = client.get("/app/assignment/").get_data(as_text=True)
    for text in ("2157/UBND-KSTT", "Sở Tư pháp chỉ đạo phòng Tư pháp", "Chủ trì", "30/09/2022", "Đang thực hiện"):
        assert text in html, text
    # The timeliness badge carries its words, not only a colour.
    assert 'class="badge badge-danger tl tl-overdue"><span aria-hidden="true">!</span> Quá hạn</span>' in html


def test_assignment_page_for_the_owner(client, login):
    login("justice.tayninh")
    own = assignment_of(KSTT, "5", "TN-STP")
    response = client.get(f"/app/assignment/details/?id={own.id}")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    for text in ("2157/UBND-KSTT", "V/v thực hiện cao điểm cấp CCCD", "Sở Tư pháp chỉ đạo phòng Tư pháp", "Chủ trì"):
        assert text in html, text
    assert "Đang thực hiện" in html and "Quá hạn" in html
    assert "70%" in html
    # The other agency on the task, with its status and timeliness.
    others = html.split("Các cơ quan khác cùng nhiệm vụ")[1].split("Báo cáo tiến độ")[0]
    assert "Công an tỉnh Tây Ninh" in others and "Phối hợp" in others
    # The owner sees its notes and the history, newest first.
    assert STP_NOTE in html
    history = html.split("Lịch sử thay đổi")[1]
    assert history.index("Cập nhật tiến độ") < history.index("Bắt đầu thực hiện")


def test_another_agency_sees_status_but_not_notes(client, login):
    stp = assignment_of(KSTT, "5", "TN-STP")
    report_progress(stp, actor=get_user("justice.tayninh"), note="Danh sách công dân: Nguyễn Văn A, 0123456789")
    db.session.commit()
    login("education.tayninh")
    response = client.get(f"/app/assignment/details/?id={stp.id}")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "Sở Tư pháp tỉnh Tây Ninh" in html
    assert "Đang thực hiện" in html and "Quá hạn" in html
    assert STP_NOTE not in html
    assert "Nguyễn Văn A" not in html
    assert "Lịch sử thay đổi" not in html
    assert "70%" not in html


def test_monitor_sees_the_notes(client, login):
    stp = assignment_of(KSTT, "5", "TN-STP")
    login("monitor.tayninh")
    html = client.get(f"/app/assignment/details/?id={stp.id}").get_data(as_text=True)
    assert STP_NOTE in html


def test_assignment_of_another_directive_is_404(client, login):
    other = assignment_of(CA, "1", "TD-PBACSON")
    login("justice.tayninh")
    assert client.get(f"/app/assignment/details/?id={other.id}").status_code == 404
    assert client.get(f"/app/assignment/edit/?id={other.id}").status_code in (403, 404)
    client.post("/logout")
    login("bacson.tamdiep")
    assert client.get(f"/app/assignment/details/?id={assignment_of(KSTT, '5', 'TN-STP').id}").status_code == 404
    assert client.get(f"/app/assignment/details/?id={other.id}").status_code == 200
