"""Chờ xử lý: who sees what, oldest first, and the decisions taken from a row."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from html import unescape

import pytest
import sqlalchemy as sa

from coordination.assignments.models import Assignment, ExtensionRequest, ExtensionStatus
from coordination.assignments.states import Status
from coordination.audit import AuditEvent
from coordination.db import today
from coordination.directives.models import Directive, Task
from coordination.extensions import db
from coordination.permissions import Permission, can, decides_on_work
from coordination.queue.queries import queue_counts
from tests.conftest import USERS, assignment_of, get_user
from tests.queue.helpers import answered_explanation, ask_for_time
from tests.support.monitoring import fresh

#: what waits in the demo, written by hand: (review, extension, explanation) per user
DEMO_COUNTS = {
    "admin": (4, 0, 0),
    "office.tayninh": (2, 0, 0),
    "monitor.tayninh": (2, 0, 0),
    "justice.tayninh": (0, 0, 0),
    "education.tayninh": (0, 0, 0),
    "office.tamdiep": (2, 0, 0),
    "monitor.tamdiep": (2, 0, 0),
    "bacson.tamdiep": (0, 0, 0),
}


def _link(html: str, kind: str, name: str) -> str | None:
    """The href of a section's "Trang sau" (next), "Trang trước" (previous) or "Trang đầu" (first) link."""
    section = re.search(rf'<section[^>]* id="{kind}".*?</section>', html, re.S).group(0)
    found = re.search(rf'class="page-link page-{name}"[^>]* href="([^"]+)"', section)
    return unescape(found.group(1)) if found else None


def _rows(html: str, kind: str) -> list[int]:
    return [int(v) for v in re.findall(rf'class="card mb-2 queue-row" data-kind="{kind}" data-id="(\d+)"', html)]


@pytest.mark.parametrize("username", USERS)
def test_demo_counts_per_user(app, username: str) -> None:
    with app.test_request_context():
        counts = queue_counts(get_user(username))
    assert (counts["review"], counts["extension"], counts["explanation"]) == DEMO_COUNTS[username]


@pytest.mark.parametrize("username", USERS)
def test_the_sql_scope_is_the_review_permission(app, username: str) -> None:
    """A row is in the queue exactly when `can(user, assignment:review, its assignment)` says so."""
    user = get_user(username)
    in_sql = set(
        db.session.scalars(
            sa.select(Assignment.id)
            .join(Task, Task.id == Assignment.task_id)
            .join(Directive, Directive.id == Task.directive_id)
            .where(decides_on_work(user))
        )
    )
    for assignment in db.session.scalars(sa.select(Assignment)):
        assert (assignment.id in in_sql) is can(user, Permission.assignment_review, assignment), assignment.id


def test_the_monitor_sees_the_oldest_report_first(app, client, login) -> None:
    login("monitor.tayninh")
    html = client.get("/app/queue/").get_data(as_text=True)
    older = assignment_of("2157/UBND-KSTT", "7", "TN-SGDDT")  # reported 12/09/2022
    newer = assignment_of("2157/UBND-KSTT", "12", "TN-BQLKKT")  # reported 03/10/2022
    assert _rows(html, "review") == [older.id, newer.id]
    assert "12/09/2022" in html and "Sở Giáo dục và Đào tạo tỉnh Tây Ninh" in html
    assert f"/app/assignment/details/?id={older.id}" in html  # where the decision is made
    assert 'data-kind="extension" data-count="0"' in html


def test_past_the_limit_the_counts_say_more_than_it(app, client, login, monkeypatch) -> None:
    """Issue 14: QUEUE_COUNT_LIMIT 1 and two reports waiting: the menu, the home page and the queue say "1+"."""
    monkeypatch.setitem(app.config, "QUEUE_COUNT_LIMIT", 1)
    login("monitor.tayninh")
    queue = client.get("/app/queue/").get_data(as_text=True)
    assert "Việc chờ bạn quyết định, cũ nhất trước: 1+ việc." in queue
    assert re.search(r'id="h-review"[^>]*>[^<]*<span class="badge[^"]*">1\+</span>', queue)
    assert re.search(r'class="badge badge-pill badge-warning app-menu-count"[^>]*>1\+<', queue)
    assert "1+ chờ xác nhận, 0 đề nghị gia hạn, 0 giải trình chưa đọc" in queue
    assert len(_rows(queue, "review")) == 2  # the rows themselves are all listed
    home = client.get("/app/").get_data(as_text=True)
    assert re.search(r'data-count="review"[^>]*>\s*<span class="app-card-number">1\+</span>', home)
    monkeypatch.setitem(app.config, "QUEUE_COUNT_LIMIT", 2)
    queue = client.get("/app/queue/").get_data(as_text=True)
    assert "Việc chờ bạn quyết định, cũ nhất trước: 2 việc." in queue


def test_accept_from_the_row(app, client, login) -> None:
    work = assignment_of("2157/UBND-KSTT", "7", "TN-SGDDT")
    login("monitor.tayninh")
    response = client.post(
        f"/app/queue/review/{work.id}/",
        data={"decision": "accept", "version": str(work.version), "review_cursor": "abc.def", "review_page": "1"},
    )
    # back to the page the user was on (its cursor, checked when the queue reads it; the old page number is dropped)
    assert response.status_code == 303 and response.headers["Location"].endswith("/app/queue/?review_cursor=abc.def")
    work_id = work.id
    fresh()
    work = db.session.get(Assignment, work_id)
    assert work.status == Status.done and work.completed_on == today()
    html = client.get("/app/queue/").get_data(as_text=True)
    assert work_id not in _rows(html, "review")
    assert "Đã xác nhận hoàn thành: Sở Giáo dục và Đào tạo tỉnh Tây Ninh, nhiệm vụ 7." in html


def test_return_needs_a_reason_and_a_stale_row_is_refused(app, client, login) -> None:
    work = assignment_of("2157/UBND-KSTT", "12", "TN-BQLKKT")
    login("office.tayninh")
    events = db.session.scalar(sa.select(sa.func.count()).select_from(AuditEvent))
    refused = client.post(f"/app/queue/review/{work.id}/", data={"decision": "return", "version": str(work.version)})
    assert refused.status_code == 303
    html = client.get("/app/queue/").get_data(as_text=True)
    assert "Hãy ghi lý do trả lại." in html and work.id in _rows(html, "review")
    stale = client.post(f"/app/queue/review/{work.id}/", data={"decision": "accept", "version": str(work.version - 1)})
    assert stale.status_code == 303
    assert "đã được người khác cập nhật" in client.get("/app/queue/").get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditEvent)) == events
    returned = client.post(
        f"/app/queue/review/{work.id}/",
        data={"decision": "return", "note": "Thiếu danh sách kèm theo.", "version": str(work.version)},
    )
    assert returned.status_code == 303
    work_id = work.id
    fresh()
    assert db.session.get(Assignment, work_id).status == Status.returned


def test_approve_and_reject_extensions_from_the_row(app, client, login) -> None:
    first = ask_for_time("TN-STP", "justice.tayninh", days=30)
    second = ask_for_time("TN-SGDDT", "education.tayninh", days=20)
    db.session.commit()
    login("monitor.tayninh")
    html = client.get("/app/queue/").get_data(as_text=True)
    assert _rows(html, "extension") == [first.id, second.id]
    approved = client.post(f"/app/queue/extension/{first.id}/", data={"decision": "approve"})
    assert approved.status_code == 303
    no_reason = client.post(f"/app/queue/extension/{second.id}/", data={"decision": "reject"})
    assert no_reason.status_code == 303
    assert "Hãy ghi lý do từ chối." in client.get("/app/queue/").get_data(as_text=True)
    client.post(f"/app/queue/extension/{second.id}/", data={"decision": "reject", "note": "Không có căn cứ."})
    ids = first.id, second.id
    fresh()
    first, second = db.session.get(ExtensionRequest, ids[0]), db.session.get(ExtensionRequest, ids[1])
    assert first.status == ExtensionStatus.approved and first.assignment.deadline == today() + timedelta(days=30)
    assert second.status == ExtensionStatus.rejected and second.decision_note == "Không có căn cứ."
    assert _rows(client.get("/app/queue/").get_data(as_text=True), "extension") == []


def test_an_answered_explanation_waits_until_read(app, client, login) -> None:
    explanation = answered_explanation()
    db.session.commit()
    login("monitor.tayninh")
    html = client.get("/app/queue/").get_data(as_text=True)
    assert _rows(html, "explanation") == [explanation.id] and "Do thiếu nhân lực." in html
    explanation_id = explanation.id
    assert client.post(f"/app/queue/explanation/{explanation_id}/read/").status_code == 303
    fresh()
    assert _rows(client.get("/app/queue/").get_data(as_text=True), "explanation") == []
    again = client.post(f"/app/queue/explanation/{explanation_id}/read/")
    assert again.status_code == 303
    assert "đã được đánh dấu là đã đọc" in client.get("/app/queue/").get_data(as_text=True)
    actions = db.session.scalars(
        sa.select(AuditEvent.action).where(
            AuditEvent.entity_type == "explanation_request", AuditEvent.entity_id == explanation_id
        )
    ).all()
    assert actions == ["explanation.request", "explanation.answer", "explanation.read"]


def test_officers_have_no_queue_and_others_cannot_decide(app, client, login) -> None:
    work = assignment_of("2157/UBND-KSTT", "7", "TN-SGDDT")
    login("justice.tayninh")
    assert client.get("/app/queue/").status_code == 403
    client.post("/logout")
    login("monitor.tamdiep")  # another city's monitor: not its directive
    work_id = work.id
    assert client.post(f"/app/queue/review/{work_id}/", data={"decision": "accept"}).status_code == 403
    fresh()
    assert db.session.get(Assignment, work_id).status == Status.reported_done


def test_a_reload_of_an_action_url_leads_back_to_the_queue(app, client, login) -> None:
    work = assignment_of("2157/UBND-KSTT", "7", "TN-SGDDT")
    login("monitor.tayninh")
    response = client.get(f"/app/queue/review/{work.id}/")
    assert response.status_code == 302 and response.headers["Location"].endswith("/app/queue/")


def test_pages_of_a_long_section(app, client, login) -> None:
    """25 reports waiting: 20 on the first page, 5 on the second, oldest first across both."""
    work = list(
        db.session.scalars(
            sa.select(Assignment)
            .join(Task)
            .join(Directive)
            .where(Directive.ref == "2157/UBND-KSTT", Assignment.status == Status.not_started)
            .order_by(Assignment.id)
            .limit(23)
        )
    )
    assert len(work) == 23
    for i, assignment in enumerate(work):
        assignment.status, assignment.reported_done_on = Status.reported_done, today() - timedelta(days=100 - i)
    db.session.commit()
    login("monitor.tayninh")
    html = client.get("/app/queue/").get_data(as_text=True)
    first = _rows(html, "review")
    following = _link(html, "review", "next")
    assert following.startswith("/app/queue/?review_cursor=") and following.endswith("#review")
    html = client.get(following).get_data(as_text=True)
    second = _rows(html, "review")
    assert len(first) == 20 and len(second) == 5
    assert _link(html, "review", "next") is None
    # the demo's two reports of 2022 first, then these by the day they were reported
    demo = [assignment_of("2157/UBND-KSTT", "7", "TN-SGDDT").id, assignment_of("2157/UBND-KSTT", "12", "TN-BQLKKT").id]
    assert first + second == demo + [a.id for a in work]
    back = client.get(_link(html, "review", "previous")).get_data(as_text=True)
    assert _rows(back, "review") == first
    # a cursor altered by hand: the first page, said so; an old page number: the first page
    for query in ("review_cursor=x" + following.split("review_cursor=")[1][1:-7], "review_page=2"):
        html = client.get(f"/app/queue/?{query}").get_data(as_text=True)
        assert _rows(html, "review") == first
        assert ("Liên kết trang không hợp lệ" in html) == query.startswith("review_cursor")


def test_pages_of_extension_requests_by_the_time_asked(app, client, login) -> None:
    """23 requests, asked two by two in the same second: by the time asked, then by id, across two pages."""
    work = list(
        db.session.scalars(
            sa.select(Assignment)
            .join(Task)
            .join(Directive)
            .where(Directive.ref == "2157/UBND-KSTT")
            .order_by(Assignment.id)
            .limit(23)
        )
    )
    asked = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
    requests = []
    for i, assignment in enumerate(reversed(work)):
        request = ExtensionRequest(
            assignment_id=assignment.id,
            requested_deadline=today() + timedelta(days=30),
            reason="Thiếu nhân lực.",
            requested_at=asked + timedelta(seconds=i // 2, microseconds=7),
        )
        db.session.add(request)
        requests.append(request)
    db.session.commit()
    expected = [r.id for r in requests]  # made in time order: each pair's first has the smaller id
    login("monitor.tayninh")
    html = client.get("/app/queue/").get_data(as_text=True)
    first = _rows(html, "extension")
    html = client.get(_link(html, "extension", "next")).get_data(as_text=True)
    assert first + _rows(html, "extension") == expected
    assert _link(html, "extension", "next") is None
    assert _rows(client.get(_link(html, "extension", "previous")).get_data(as_text=True), "extension") == first
