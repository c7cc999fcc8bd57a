"""Notifications: created by the workflow (return, accept, extension decision, activation); inbox, badge, read."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from coordination.assignments.operations import decide_extension, report_progress, request_extension, review_assignment
from coordination.assignments.states import Action
from coordination.auth.models import User
from coordination.db import today
from coordination.directives.operations import activate_directive, create_directive
from coordination.extensions import db
from coordination.notifications import notify
from coordination.reminders.models import Notification
from tests.conftest import count_queries, get_user
from tests.support.monitoring import assert_problem, fresh, overdue_of


def _notes(kind: str, assignment_id: int | None = None) -> list[Notification]:
    query = sa.select(Notification).where(Notification.kind == kind)
    if assignment_id is not None:
        query = query.where(Notification.assignment_id == assignment_id)
    return list(db.session.scalars(query.order_by(Notification.id)))


def _agency_user_ids(agency_id: int) -> set[int]:
    return set(db.session.scalars(sa.select(User.id).where(User.agency_id == agency_id, User.active.is_(True))))


def _reported(code: str = "TN-STP"):  # type: ignore[no-untyped-def]
    assignment = overdue_of(code)
    report_progress(assignment, actor=get_user("justice.tayninh"), note="Đã xong.", action=Action.report_done)
    return assignment


@pytest.mark.parametrize(("decision", "kind"), [("accept", "accepted"), ("return", "returned")])
def test_review_notifies_the_agency(app, decision, kind) -> None:
    assignment = _reported()
    review_assignment(assignment, decision, "Thiếu danh sách kèm theo.", actor=get_user("monitor.tayninh"))
    notes = _notes(kind, assignment.id)
    assert {n.user_id for n in notes} == _agency_user_ids(assignment.agency_id)
    assert all("2157/UBND-KSTT" in n.message for n in notes)
    if decision == "return":
        assert all("Thiếu danh sách kèm theo." in n.message for n in notes)


@pytest.mark.parametrize(("decision", "kind"), [("approve", "extension_approved"), ("reject", "extension_rejected")])
def test_extension_decision_notifies_the_agency(app, decision, kind) -> None:
    assignment = overdue_of("TN-STP")
    new_deadline = today() + timedelta(days=20)
    request = request_extension(assignment, new_deadline, "Cần thêm thời gian.", actor=get_user("justice.tayninh"))
    decide_extension(
        request, decision, "Không đủ lý do." if decision == "reject" else "", actor=get_user("office.tayninh")
    )
    notes = _notes(kind, assignment.id)
    assert {n.user_id for n in notes} == _agency_user_ids(assignment.agency_id)
    if decision == "approve":
        assert all(new_deadline.strftime("%d/%m/%Y") in n.message for n in notes)
    else:
        assert all("Không đủ lý do." in n.message for n in notes)


def test_activation_notifies_each_assigned_agency_once(app) -> None:
    office = get_user("office.tayninh")
    directive = create_directive(
        {
            "number": "901",
            "symbol": "UBND-VP",
            "issued_on": today(),
            "subject": "Thử thông báo",
            "monitor_agency": "TN-CA",
            "tasks": [
                {
                    "label": "1",
                    "text": "Việc một",
                    "deadline": today() + timedelta(days=10),
                    "assignments": [{"agency": "TN-STP", "role": "lead"}, {"agency": "TN-SGDDT", "role": "lead"}],
                },
                {
                    "label": "2",
                    "text": "Việc hai",
                    "deadline": today() + timedelta(days=5),
                    "assignments": [{"agency": "TN-STP", "role": "coordinate"}],
                },
            ],
        },
        actor=office,
    )
    earlier = {n.id for n in _notes("assignment")}  # the demo's own directives, activated when loaded
    db.session.flush()
    assert {n.id for n in _notes("assignment")} == earlier  # a draft tells no one
    activate_directive(directive, actor=office)
    notes = [n for n in _notes("assignment") if n.id not in earlier]
    justice, education = get_user("justice.tayninh"), get_user("education.tayninh")
    assert {n.user_id for n in notes} == _agency_user_ids(justice.agency_id) | _agency_user_ids(education.agency_id)
    mine = [n for n in notes if n.user_id == justice.id]
    assert len(mine) == 1  # one per agency and directive, not one per task
    assert "901/UBND-VP" in mine[0].message and "2 nhiệm vụ" in mine[0].message
    assert (today() + timedelta(days=5)).strftime("%d/%m/%Y") in mine[0].message  # the earliest deadline


def _unread_badge(html: str) -> int:
    import re

    return int(re.search(r'data-unread="(\d+)"', html)[1])


def test_badge_inbox_and_marking_read_in_the_web_ui(app, client, login) -> None:
    justice = get_user("justice.tayninh")
    assignment = overdue_of("TN-STP")
    before = db.session.scalar(
        sa.select(sa.func.count(Notification.id)).where(
            Notification.user_id == justice.id, Notification.read_at.is_(None)
        )
    )
    for i in range(3):
        notify([justice], "reminder", f"Thông báo thử {i}", assignment)
    db.session.commit()
    login("justice.tayninh")
    html = client.get("/app/").get_data(as_text=True)
    assert _unread_badge(html) == before + 3
    inbox = client.get("/app/notifications/").get_data(as_text=True)
    assert inbox.index("Thông báo thử 2") < inbox.index("Thông báo thử 1")  # newest first
    newest = db.session.scalar(sa.select(Notification).where(Notification.message == "Thông báo thử 2"))
    assert client.post("/app/notifications/read", data={"id": newest.id}).status_code == 302
    assert _unread_badge(client.get("/app/").get_data(as_text=True)) == before + 2
    assert client.post("/app/notifications/read", data={"all": "1"}).status_code == 302
    assert _unread_badge(client.get("/app/").get_data(as_text=True)) == 0
    assert client.post("/app/notifications/read", data={"id": "abc"}).status_code == 400
    assert client.post("/app/notifications/read", data={}).status_code == 400


def test_the_badge_is_one_count_query(app, client, login) -> None:
    justice = get_user("justice.tayninh")
    login("justice.tayninh")
    fresh()
    with count_queries() as few:
        client.get("/app/")
    justice = get_user("justice.tayninh")
    for i in range(30):
        notify([justice], "reminder", f"n{i}")
    db.session.commit()
    fresh()
    with count_queries() as many:
        client.get("/app/")
    assert len(few) == len(many)
    assert sum("notification" in s.lower() for s in many) == 1


def test_someone_elses_notification_is_not_marked(app, client, login, api) -> None:
    other = notify([get_user("education.tayninh")], "reminder", "Của người khác")[0]
    db.session.commit()
    login("justice.tayninh")
    client.post("/app/notifications/read", data={"id": other.id})
    body = api("justice.tayninh").open("/api/v1/notifications/read", method="POST", json={"ids": [other.id]}).get_json()
    assert body["marked"] == 0
    db.session.refresh(other)
    assert other.read_at is None


def test_api_list_newest_first_paged_and_unread_filter(app, api) -> None:
    justice = get_user("justice.tayninh")
    for i in range(5):
        notify([justice], "reminder", f"API {i}")
    db.session.commit()
    client = api("justice.tayninh")
    first = client.get("/api/v1/notifications", query_string={"page_size": 2}).get_json()
    assert [n["message"] for n in first["items"]] == ["API 4", "API 3"]
    assert first["page_size"] == 2 and first["next_page_token"]
    every = []
    params = {"page_size": 2}
    while True:
        page = client.get("/api/v1/notifications", query_string=params).get_json()
        every += page["items"]
        if not page["next_page_token"]:
            break
        params["page_token"] = page["next_page_token"]
    ids = [n["id"] for n in every]
    assert ids == sorted(ids, reverse=True) and len(ids) == len(set(ids))
    assert len(ids) == db.session.scalar(
        sa.select(sa.func.count(Notification.id)).where(Notification.user_id == justice.id)
    )

    marked = client.open(
        "/api/v1/notifications/read", method="POST", json={"ids": [first["items"][0]["id"]]}
    ).get_json()
    assert marked["marked"] == 1
    unread = client.items("/api/v1/notifications", unread="true")
    assert first["items"][0]["id"] not in {n["id"] for n in unread}
    assert {n["id"] for n in client.items("/api/v1/notifications", unread="false")} == {first["items"][0]["id"]}
    everything = client.open("/api/v1/notifications/read", method="POST", json={"all": True}).get_json()
    assert everything == {"marked": len(unread), "unread": 0}


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "ids"),
        ({"all": False}, "all"),
        ({"ids": []}, "ids"),
        ({"ids": ["x"]}, "ids.0"),
        ({"ids": [1], "all": True}, "ids"),
        ({"all": "yes please"}, "all"),
    ],
)
def test_api_mark_read_bad_input(api, body, field) -> None:
    response = api("justice.tayninh").open("/api/v1/notifications/read", method="POST", json=body)
    assert_problem(response, 422, field=field)


@pytest.mark.parametrize(
    ("args", "field"),
    [({"unread": "maybe"}, "unread"), ({"page_token": "!!"}, "page_token"), ({"page_size": 0}, "page_size")],
)
def test_api_list_bad_input(api, args, field) -> None:
    assert_problem(api("justice.tayninh").get("/api/v1/notifications", query_string=args), 422, field=field)
