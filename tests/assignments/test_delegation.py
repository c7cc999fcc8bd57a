"""Delegation inside an agency (phân công xử lý, issue 15): the head names handlers among its own users.

The agency is one made for the test (Sở Khoa học và Công nghệ, no demo work): its head Nguyễn Văn An and two
officers, Trần Thị Bình and Lê Văn Cường. Sở GD&ĐT (education.tayninh) has a task on the same directives, so
it sees them (403 where it may not act); Tam Điệp's bacson.tamdiep does not (404).
"""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import sqlalchemy as sa

from coordination.assignments.models import Assignment, AssignmentHandler
from coordination.assignments.operations import assign_handlers, report_progress, review_assignment
from coordination.assignments.states import Status
from coordination.audit import AuditEvent
from coordination.db import today
from coordination.errors import Forbidden
from coordination.extensions import db
from coordination.formatting import format_date
from coordination.reminders.models import Notification
from coordination.reports.dashboard import work_by_handler
from tests.conftest import get_user
from tests.factories import make_agency, make_assignment, make_user
from tests.support.api import ApiClient, assert_problem

PASSWORD = "demo-2026-test"
CODE = "TN-SKHCN"


@pytest.fixture
def team(app) -> dict[str, int]:
    """The agency's users' ids: head, binh, cuong."""
    make_agency(CODE, "Sở Khoa học và Công nghệ tỉnh Tây Ninh")
    head = make_user("an.skhcn", "Nguyễn Văn An", CODE, head=True)
    binh = make_user("binh.skhcn", "Trần Thị Bình", CODE)
    cuong = make_user("cuong.skhcn", "Lê Văn Cường", CODE)
    db.session.commit()
    return {"head": head.id, "binh": binh.id, "cuong": cuong.id}


def _work(deadline_in_days: int | None = 10, status: Status = Status.not_started) -> Assignment:
    work = make_assignment(
        CODE, officer="an.skhcn", status=status, deadline_in_days=deadline_in_days, beside=("TN-SGDDT",)
    )
    db.session.commit()
    return work


def _api(client, issue_token, username: str) -> ApiClient:
    password = PASSWORD if username.endswith(".skhcn") else "demo-2026"
    return ApiClient(client, issue_token(username, password))


def _row_ids(html: str) -> list[int]:
    return [int(i) for i in re.findall(r'class="work-row" data-id="(\d+)"', html)]


def _delegate_events(work: Assignment) -> list[AuditEvent]:
    return list(
        db.session.scalars(
            sa.select(AuditEvent)
            .where(AuditEvent.assignment_id == work.id, AuditEvent.action == "assignment.delegate")
            .order_by(AuditEvent.id)
        )
    )


def test_head_assigns_and_the_handler_sees_it_first(team, client, login, issue_token) -> None:
    urgent = _work(deadline_in_days=-2)
    soon = _work(deadline_in_days=3)
    handled = _work(deadline_in_days=20)  # the least urgent: first for its handler all the same
    due = today() + timedelta(days=7)

    login("an.skhcn", PASSWORD)
    response = client.post(
        f"/app/assignment/{handled.id}/handlers/",
        data={
            "handlers": [str(team["binh"])],
            "note": "Đồng chí Bình chủ trì, báo cáo trước hạn.",
            "due_on": format_date(due),
        },
    )
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/app/assignment/details/?id={handled.id}#handlers")

    (row,) = db.session.scalars(sa.select(AssignmentHandler).where(AssignmentHandler.assignment_id == handled.id))
    assert (row.user_id, row.note, row.due_on, row.assigned_by_id, row.ended_at) == (
        team["binh"],
        "Đồng chí Bình chủ trì, báo cáo trước hạn.",
        due,
        team["head"],
        None,
    )
    (event,) = _delegate_events(handled)
    assert event.actor_label == "an.skhcn"
    assert event.before == {"handlers": [], "handler_due_on": None}
    assert event.after == {
        "handlers": ["Trần Thị Bình (binh.skhcn)"],
        "handler_due_on": due.isoformat(),
        "note": "Đồng chí Bình chủ trì, báo cáo trước hạn.",
    }
    (notice,) = db.session.scalars(
        sa.select(Notification).where(Notification.user_id == team["binh"], Notification.kind == "delegated")
    )
    assert notice.assignment_id == handled.id
    assert format_date(due) in notice.message

    # Bình's list ("Việc của đơn vị"): the work Bình handles first, then the most urgent.
    client.post("/logout")
    login("binh.skhcn", PASSWORD)
    page = client.get("/app/assignment/").get_data(as_text=True)
    assert _row_ids(page) == [handled.id, urgent.id, soon.id]
    assert 'class="work-handlers">Trần Thị Bình' in page  # the agency's list shows who handles what
    mine = client.get("/app/assignment/?handler=me").get_data(as_text=True)
    assert _row_ids(mine) == [handled.id]
    unhandled = client.get("/app/assignment/?handler=none").get_data(as_text=True)
    assert _row_ids(unhandled) == [urgent.id, soon.id]

    api = _api(client, issue_token, "binh.skhcn")
    assert [a["id"] for a in api.items("/api/v1/assignments", handler="me")] == [handled.id]
    body = api.get(f"/api/v1/assignments/{handled.id}").get_json()
    assert body["handlers"] == [
        {
            "user": {"username": "binh.skhcn", "full_name": "Trần Thị Bình"},
            "note": "Đồng chí Bình chủ trì, báo cáo trước hạn.",
            "due_on": due.isoformat(),
            "assigned_by": {"username": "an.skhcn", "full_name": "Nguyễn Văn An"},
            "assigned_at": body["handlers"][0]["assigned_at"],
        }
    ]
    assert api.get(f"/api/v1/assignments/{urgent.id}").get_json()["handlers"] == []


def test_api_head_assigns_with_put(team, client, issue_token) -> None:
    work = _work()
    api = _api(client, issue_token, "an.skhcn")
    response = api.open(
        f"/api/v1/assignments/{work.id}/handlers",
        method="PUT",
        json={"handlers": ["cuong.skhcn", "binh.skhcn"], "note": "Phối hợp.", "due_on": work.deadline.isoformat()},
    )
    assert response.status_code == 200, response.get_data(as_text=True)
    assert [h["user"]["username"] for h in response.get_json()] == ["cuong.skhcn", "binh.skhcn"]
    assert [h["due_on"] for h in response.get_json()] == [
        work.deadline.isoformat()
    ] * 2  # the deadline itself is allowed


def test_a_non_head_officer_cannot_assign(team, client, login, issue_token) -> None:
    work = _work()
    with pytest.raises(Forbidden):
        assign_handlers(work, {"handlers": [team["cuong"]]}, actor=get_user("binh.skhcn"))
    login("binh.skhcn", PASSWORD)
    page = client.get(f"/app/assignment/details/?id={work.id}").get_data(as_text=True)
    assert "handlers-form" not in page and "Chưa phân công" in page
    assert (
        client.post(f"/app/assignment/{work.id}/handlers/", data={"handlers": [str(team["cuong"])]}).status_code == 403
    )
    api = _api(client, issue_token, "binh.skhcn")
    body = assert_problem(
        api.open(f"/api/v1/assignments/{work.id}/handlers", method="PUT", json={"handlers": ["cuong.skhcn"]}), 403
    )
    assert body["detail"] == "Chỉ lãnh đạo cơ quan thực hiện được phân công xử lý nhiệm vụ này."
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AssignmentHandler)) == 0
    assert _delegate_events(work) == []


def test_another_agency_neither_sees_nor_assigns_the_handlers(team, client, login, issue_token) -> None:
    work = _work()
    assign_handlers(work, {"handlers": [team["binh"]], "note": "Nội bộ."}, actor=get_user("an.skhcn"))
    db.session.commit()

    # Sở GD&ĐT has a task on the directive: it sees the assignment, not who handles it, and may not assign (403).
    education = _api(client, issue_token, "education.tayninh")
    body = education.get(f"/api/v1/assignments/{work.id}").get_json()
    assert body["id"] == work.id and body["handlers"] is None
    assert_problem(education.open(f"/api/v1/assignments/{work.id}/handlers", method="PUT", json={"handlers": []}), 403)
    assert education.items("/api/v1/assignments", handler="me") == []
    # The head of another agency is no head here either.
    with pytest.raises(Forbidden):
        assign_handlers(work, {"handlers": []}, actor=get_user("justice.tayninh"))
    # Another city's officer (and head of its ward) does not even see it: 404.
    bacson = _api(client, issue_token, "bacson.tamdiep")
    assert_problem(bacson.get(f"/api/v1/assignments/{work.id}"), 404)
    assert_problem(bacson.open(f"/api/v1/assignments/{work.id}/handlers", method="PUT", json={"handlers": []}), 404)

    login("education.tayninh")
    page = client.get(f"/app/assignment/details/?id={work.id}").get_data(as_text=True)
    assert "Trần Thị Bình" not in page and "handlers-form" not in page
    # A handler filter names no one outside one's own agency.
    listed = client.get(f"/app/assignment/?agency={work.agency_id}&handler={team['binh']}").get_data(as_text=True)
    assert _row_ids(listed) == []
    assert (
        client.post(f"/app/assignment/{work.id}/handlers/", data={"handlers": [str(team["binh"])]}).status_code == 403
    )
    assert len(_delegate_events(work)) == 1


def test_handlers_must_be_active_users_of_the_agency(team, client, issue_token) -> None:
    work = _work()
    api = _api(client, issue_token, "an.skhcn")
    url = f"/api/v1/assignments/{work.id}/handlers"
    body = assert_problem(api.open(url, method="PUT", json={"handlers": ["education.tayninh"]}), 422, field="handlers")
    assert body["errors"]["handlers"] == ["Không thuộc cơ quan thực hiện: education.tayninh."]
    assert_problem(api.open(url, method="PUT", json={"handlers": ["nobody.here"]}), 422, field="handlers")
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AssignmentHandler)) == 0


def test_an_internal_due_date_after_the_deadline_is_refused(team, client, login, issue_token) -> None:
    work = _work(deadline_in_days=10)
    late = work.deadline + timedelta(days=1)

    api = _api(client, issue_token, "an.skhcn")
    body = assert_problem(
        api.open(
            f"/api/v1/assignments/{work.id}/handlers",
            method="PUT",
            json={"handlers": ["binh.skhcn"], "due_on": late.isoformat()},
        ),
        422,
        field="due_on",
    )
    message = f"Hạn xử lý không được sau hạn của nhiệm vụ ({format_date(work.deadline)})."
    assert body["errors"]["due_on"] == [message]

    login("an.skhcn", PASSWORD)
    response = client.post(
        f"/app/assignment/{work.id}/handlers/",
        data={"handlers": [str(team["binh"])], "due_on": format_date(late)},
    )
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert re.search(r'fld-due_on">.*?invalid-feedback d-block">' + re.escape(message), page, re.S)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AssignmentHandler)) == 0
    assert _delegate_events(work) == []


def test_reassignment_keeps_the_trail(team, client, login) -> None:
    work = _work()
    head = get_user("an.skhcn")
    assign_handlers(work, {"handlers": [team["binh"]], "note": "Lần 1."}, actor=head)
    db.session.commit()
    assign_handlers(work, {"handlers": [team["cuong"]], "note": "Bình đi công tác; giao Cường."}, actor=head)
    db.session.commit()

    rows = list(
        db.session.scalars(
            sa.select(AssignmentHandler)
            .where(AssignmentHandler.assignment_id == work.id)
            .order_by(AssignmentHandler.id)
        )
    )
    assert [(r.user_id, r.note, r.ended_at is None, r.ended_by_id) for r in rows] == [
        (team["binh"], "Lần 1.", False, team["head"]),
        (team["cuong"], "Bình đi công tác; giao Cường.", True, None),
    ]
    assert [h.user_id for h in db.session.get(Assignment, work.id).handlers] == [team["cuong"]]
    second = _delegate_events(work)[1]
    assert second.before["handlers"] == ["Trần Thị Bình (binh.skhcn)"]
    assert second.after["handlers"] == ["Lê Văn Cường (cuong.skhcn)"]

    login("an.skhcn", PASSWORD)
    page = client.get(f"/app/assignment/details/?id={work.id}").get_data(as_text=True)
    history = page[page.index('id="history"') :]
    assert history.count("Phân công xử lý") == 2
    assert "Trần Thị Bình (binh.skhcn) → Lê Văn Cường (cuong.skhcn)" in history
    client.post("/logout")
    login("binh.skhcn", PASSWORD)
    assert _row_ids(client.get("/app/assignment/?handler=me").get_data(as_text=True)) == []


def test_the_heads_dashboard_counts_work_by_handler(team, client, login) -> None:
    head = get_user("an.skhcn")
    late_binh = _work(deadline_in_days=-3)
    shared = _work(deadline_in_days=10)
    _work(deadline_in_days=-1)  # overdue, nobody handles it
    _work(deadline_in_days=5)  # on time, nobody handles it
    done = _work(deadline_in_days=5)
    assign_handlers(late_binh, {"handlers": [team["binh"]]}, actor=head)
    assign_handlers(shared, {"handlers": [team["binh"], team["cuong"]]}, actor=head)
    assign_handlers(done, {"handlers": [team["cuong"]]}, actor=head)
    from tests.factories import _STEPS

    for action in _STEPS[Status.reported_done]:
        report_progress(done, actor=head, action=action, note="x")
    review_assignment(done, "accept", "", actor=get_user("monitor.tayninh"))  # done: counted nowhere
    db.session.commit()

    rows = [(r.full_name, r.open, r.overdue) for r in work_by_handler(head)]
    assert rows == [("Lê Văn Cường", 1, 0), ("Trần Thị Bình", 2, 1), (None, 2, 1)]

    login("an.skhcn", PASSWORD)
    page = client.get("/app/dashboard/").get_data(as_text=True)
    block = page[page.index('id="by-handler"') : page.index("</section>", page.index('id="by-handler"'))]
    row = r'data-handler="(\w+)">.*?class="handler-open" href="([^"]+)">(\d+)</a>'
    found = re.findall(row + r'.*?class="handler-overdue[^"]*"[^>]*>(\d+)<', block, re.S)
    assert [(h, n, o) for h, _href, n, o in found] == [
        (str(team["cuong"]), "1", "0"),
        (str(team["binh"]), "2", "1"),
        ("none", "2", "1"),
    ]
    # Each number opens the list behind it, which holds as many rows.
    binh_href = dict((h, href) for h, href, _n, _o in found)[str(team["binh"])].replace("&amp;", "&")
    assert len(_row_ids(client.get(binh_href).get_data(as_text=True))) == 2
    overdue = client.get(f"/app/assignment/?status=open&timeliness=overdue&handler={team['binh']}")
    assert _row_ids(overdue.get_data(as_text=True)) == [late_binh.id]

    # An officer who is not the head has no such block.
    client.post("/logout")
    login("binh.skhcn", PASSWORD)
    assert 'id="by-handler"' not in client.get("/app/dashboard/").get_data(as_text=True)
