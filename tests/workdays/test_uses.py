"""Where the calendar is used: deadlines in working days (API, form, importer), reminders, due soon, extensions."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from coordination.assignments.models import Assignment, ExtensionRequest
from coordination.assignments.states import Status, Timeliness
from coordination.db import today
from coordination.directives.models import Directive, Task
from coordination.extensions import db
from coordination.importer.operations import proposed_directive
from coordination.importer.parser import parse_directive
from coordination.reminders.operations import policy_for, run_scheduled, save_policy
from coordination.reminders.policy import Policy, Rule, Sent, due_rules
from coordination.workdays.calendar import WorkCalendar, due_soon_limit
from coordination.workdays.models import DayUnit
from coordination.workdays.operations import save_calendar_day
from tests.conftest import SETUP
from tests.factories import make_assignment, make_directive
from tests.support.api import assert_problem

LIBRARY = WorkCalendar(frozenset({1, 2, 3, 4, 5}))


def _body(**task: object) -> dict:
    return {
        "number": "915",
        "symbol": "UBND-NLV",
        "issued_on": "2026-02-12",
        "subject": "Báo cáo trong 05 ngày làm việc",
        "monitor_agency": "TN-CA",
        "tasks": [{"label": "1", "text": "Báo cáo.", "assignments": [{"agency": "TN-STP"}], **task}],
    }


# ------------------------------------------------------------------------- deadlines written in working days


@pytest.mark.parametrize(
    ("issued_on", "n", "deadline"),
    [
        ("2026-02-12", 5, "2026-02-26"),  # Tết 2026 in between: 13/2, 23/2, 24/2, 25/2, 26/2
        ("2027-02-01", 5, "2027-02-15"),  # Tết 2027: 2/2, 3/2, 11/2, 12/2, 15/2
        ("2026-04-24", 3, "2026-05-04"),  # Giỗ Tổ (27/4), 30/4, 1/5
        ("2026-08-28", 1, "2026-09-03"),  # 31/8, 1/9, 2/9
    ],
)
def test_the_api_registers_a_deadline_in_working_days(api, issued_on: str, n: int, deadline: str) -> None:
    response = api("office.tayninh").post(
        "/api/v1/directives", json={**_body(deadline_working_days=n), "issued_on": issued_on}
    )
    assert response.status_code == 201, response.get_data(as_text=True)
    (task,) = response.get_json()["tasks"]
    assert (task["deadline"], task["deadline_working_days"]) == (deadline, n)
    assert task["assignments"][0]["deadline"] == deadline


def test_a_date_that_disagrees_with_the_count_is_refused(api) -> None:
    body = _body(deadline_working_days=5, deadline="2026-02-19")
    problem = assert_problem(api("office.tayninh").post("/api/v1/directives", json=body), 422, field="deadline")
    assert "26/02/2026" in problem["detail"]
    assert db.session.scalar(sa.select(Directive.id).where(Directive.symbol == "UBND-NLV")) is None


def test_a_new_issue_date_moves_a_deadline_in_working_days(api) -> None:
    client = api("office.tayninh")
    created = client.post("/api/v1/directives", json=_body(deadline_working_days=5)).get_json()
    response = client.patch(f"/api/v1/directives/{created['id']}", json={"issued_on": "2027-02-01"})
    assert response.status_code == 200, response.get_data(as_text=True)
    task = db.session.get(Task, created["tasks"][0]["id"])
    assert (task.deadline, task.deadline_working_days) == (date(2027, 2, 15), 5)
    assert [a.deadline for a in task.assignments] == [date(2027, 2, 15)]


def test_the_registration_form_takes_working_days(client, login) -> None:
    login("office.tayninh")
    form = {
        "number": "916",
        "symbol": "UBND-NLV",
        "doc_type": "cong_van",
        "issued_on": "10/02/2026",
        "subject": "Báo cáo gấp",
        "tasks-0-level": "0",
        "tasks-0-label": "1",
        "tasks-0-text": "Báo cáo kết quả.",
        "tasks-0-deadline": "",
        "tasks-0-deadline_working_days": "5",
        "tasks-0-recurrence": "none",
        "tasks-0-lead": "TN-STP",
        "tasks-0-group_role": "lead",
    }
    response = client.post("/app/directive/register/", data=form)
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    task = db.session.scalar(sa.select(Task).join(Directive).where(Directive.ref == "916/UBND-NLV"))
    assert (task.deadline, task.deadline_working_days) == (date(2026, 2, 24), 5)  # 11, 12, 13, 23, 24/2


TEXT = """ỦY BAN NHÂN DÂN
TỈNH TÂY NINH

CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM
Độc lập - Tự do - Hạnh phúc

Số: 917/UBND-NLV

Tây Ninh, ngày 10 tháng 02 năm 2026

V/v báo cáo tình hình cấp CCCD

Kính gửi: Sở Tư pháp tỉnh Tây Ninh.

Để kịp tổng hợp báo cáo, UBND tỉnh yêu cầu:

1. Sở Tư pháp báo cáo kết quả trong 05 ngày làm việc kể từ ngày nhận được văn bản này.

2. Sở Tư pháp rà soát hồ sơ, hoàn thành trước ngày 30/3/2026.

3. Sở Tư pháp báo cáo trong 03 ngày làm việc kể từ ngày kết thúc đợt kiểm tra.
"""


def test_the_importer_reads_working_days_from_receipt(app) -> None:
    extraction = parse_directive(TEXT)
    tasks = extraction["tasks"]
    assert [(t["deadline"], t["deadline_working_days"]) for t in tasks] == [
        (None, 5),
        ("2026-03-30", None),
        (None, None),
    ]
    assert any("counted from another event" in w for w in extraction["warnings"])
    proposal = proposed_directive(extraction, {}, TEXT)
    # issued 10/02/2026: 11, 12, 13, 23, 24/2 (Tết 16–20/2 and its weekends do not count)
    assert [(t["deadline"], t["deadline_working_days"]) for t in proposal["tasks"]] == [
        (date(2026, 2, 24), 5),
        (date(2026, 3, 30), None),
        (None, None),
    ]


# -------------------------------------------------------------------------------------------- reminders


def test_policy_in_working_days_around_tet() -> None:
    three = Policy(days_before=3, remind_on_day=True, overdue_every_days=3, escalate_after=9, days_unit=DayUnit.working)
    deadline = date(2026, 2, 23)  # the Monday after Tết
    # 3 working days before 23/2 is 11/2 (13/2, 12/2, 11/2); in calendar days it would be 20/2
    assert due_rules(deadline, date(2026, 2, 10), [], three, escalated=False, calendar=LIBRARY) == []
    assert due_rules(deadline, date(2026, 2, 11), [], three, escalated=False, calendar=LIBRARY) == [Rule.before]
    calendar_days = Policy(days_before=3, overdue_every_days=3, escalate_after=9)
    assert due_rules(deadline, date(2026, 2, 11), [], calendar_days, escalated=False) == []
    # overdue from Friday 13/2: first on 14/2, again 3 working days later (23, 24, 25/2), not on 17/2
    late = Sent(Rule.overdue, date(2026, 2, 14))
    friday = date(2026, 2, 13)
    assert due_rules(friday, date(2026, 2, 24), [late], three, escalated=False, calendar=LIBRARY) == []
    assert due_rules(friday, date(2026, 2, 25), [late], three, escalated=False, calendar=LIBRARY) == [Rule.overdue]
    assert due_rules(friday, date(2026, 2, 17), [late], calendar_days, escalated=False) == [Rule.overdue]


def test_a_working_day_policy_needs_the_calendar() -> None:
    with pytest.raises(ValueError, match="calendar"):
        due_rules(date(2026, 2, 23), date(2026, 2, 11), [], Policy(days_unit=DayUnit.working), escalated=False)


def test_the_scheduler_reminds_three_working_days_before(app) -> None:
    work = make_assignment("TN-STP", officer="justice.tayninh")
    directive = work.task.directive
    work.deadline = date(2027, 2, 11)  # the Thursday after Tết 2027
    policy = {"days_before": 3, "remind_on_day": True, "overdue_every_days": 3, "escalate_after": 2}
    save_policy(directive, {**policy, "days_unit": "working"}, actor=SETUP)
    db.session.flush()
    assert policy_for(directive.id).days_unit == DayUnit.working

    def reminded(day: date) -> list[str]:
        return [line for line in run_scheduled(day, dry_run=True).lines if directive.ref in line]

    # 3 working days before 11/2/2027: 3/2, 2/2, 1/2
    assert reminded(date(2027, 1, 29)) == []
    assert reminded(date(2027, 2, 1)) == [f"would send {directive.ref} #1 TN-STP [before]"]
    save_policy(directive, {**policy, "days_unit": "calendar"}, actor=SETUP)
    assert reminded(date(2027, 2, 1)) == []
    assert reminded(date(2027, 2, 8)) == [f"would send {directive.ref} #1 TN-STP [before]"]


def test_the_policy_page_saves_the_unit(client, login) -> None:
    directive = make_directive({"1": ["TN-STP"]})
    db.session.commit()
    login("office.tayninh")
    form = {"days_before": "3", "remind_on_day": "y", "overdue_every_days": "2", "escalate_after": "2"}
    response = client.post(f"/app/reminders/policy/{directive.id}", data={**form, "days_unit": "working"})
    assert response.status_code == 302, response.get_data(as_text=True)[:1000]
    assert policy_for(directive.id) == Policy(3, True, 2, 2, DayUnit.working)
    page = client.get("/app/reminders/").get_data(as_text=True)
    assert "Nhắc trước hạn 3 ngày làm việc" in page


# -------------------------------------------------------------------------------------------- due soon


@pytest.mark.parametrize(
    ("day", "deadline", "expected"),
    [
        (date(2026, 2, 12), date(2026, 2, 24), Timeliness.due_soon),  # 13/2, 23/2, 24/2
        (date(2026, 2, 12), date(2026, 2, 25), Timeliness.on_time),
        (date(2026, 4, 28), date(2026, 5, 4), Timeliness.due_soon),  # 29/4, 4/5
        (date(2026, 4, 28), date(2026, 5, 6), Timeliness.on_time),  # 29/4, 4/5, 5/5, 6/5
        (date(2027, 2, 3), date(2027, 2, 12), Timeliness.due_soon),  # 11/2, 12/2
        (date(2027, 2, 3), date(2027, 2, 16), Timeliness.on_time),  # 11, 12, 15, 16/2
    ],
)
def test_due_soon_counts_working_days(app, day: date, deadline: date, expected: Timeliness) -> None:
    work = make_assignment("TN-STP", officer="justice.tayninh", status=Status.in_progress)
    work.deadline = deadline
    db.session.flush()
    limit = due_soon_limit(day)
    assert work.timeliness_on(day, limit) == expected
    in_sql = db.session.scalar(sa.select(Assignment.timeliness_on(day, limit)).where(Assignment.id == work.id))
    assert in_sql == expected.value


def test_an_admin_correction_changes_due_soon(app) -> None:
    assert due_soon_limit(date(2026, 2, 12)) == date(2026, 2, 24)
    save_calendar_day(None, {"day": date(2026, 2, 13), "kind": "off", "name": "Nghỉ thêm"}, actor=SETUP)
    assert due_soon_limit(date(2026, 2, 12)) == date(2026, 2, 25)


# -------------------------------------------------------------------------------------------- extensions


@pytest.mark.parametrize(
    ("current", "requested", "off", "added"),
    [
        (date(2027, 2, 3), date(2027, 2, 7), "Mùng hai Tết Nguyên Đán", 0),
        (date(2027, 2, 3), date(2027, 2, 12), None, 2),
        (date(2026, 4, 24), date(2026, 5, 2), "", 2),  # a Saturday: 28/4, 29/4, then nothing till 4/5
        (None, date(2026, 8, 22), None, None),  # the Saturday worked in exchange for 31/8
    ],
)
def test_extension_requests_count_working_days(app, current, requested, off, added) -> None:
    request = ExtensionRequest(current_deadline=current, requested_deadline=requested, reason="x")
    assert request.requested_day_off == off
    assert request.requested_deadline_is_working_day is (off is None)
    assert request.working_days_added == added


def test_an_extension_to_a_day_off_is_flagged(client, login, api) -> None:
    work = make_assignment("TN-STP", officer="justice.tayninh", status=Status.in_progress)
    db.session.commit()
    sunday = work.deadline + timedelta(days=(6 - work.deadline.weekday()) or 7)
    login("justice.tayninh")
    response = client.post(
        f"/app/assignment/{work.id}/extension/",
        data={"requested_deadline": sunday.strftime("%d/%m/%Y"), "reason": "Cần thêm thời gian."},
        follow_redirects=True,
    )
    page = response.get_data(as_text=True)
    assert f"Hạn {sunday.strftime('%d/%m/%Y')} rơi vào ngày nghỉ" in page
    assert "deadline-day-off" in page
    (item,) = api("monitor.tayninh").get(f"/api/v1/assignments/{work.id}").get_json()["extension_requests"]
    assert item["requested_deadline_is_working_day"] is False


def test_a_task_deadline_on_a_day_off_is_marked(client, login) -> None:
    saturday = today() + timedelta(days=(5 - today().weekday()) % 7 or 7)
    directive = make_directive({"1": ["TN-STP"]}, task_deadlines={"1": (saturday - today()).days})
    db.session.commit()
    login("office.tayninh")
    page = client.get(f"/app/directive/details/?id={directive.id}").get_data(as_text=True)
    assert "deadline-day-off" in page
