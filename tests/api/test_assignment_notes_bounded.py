"""An assignment read (API and page) carries its 20 newest notes, not all: a task reported on daily gathers hundreds.

The history (paged) keeps every note; `more_updates` says there are older ones.
"""

from __future__ import annotations

from datetime import timedelta

from coordination.assignments.operations import report_progress, review_assignment
from coordination.assignments.states import Status
from coordination.db import today
from coordination.extensions import db
from tests.conftest import get_user
from tests.factories import make_assignment


def _with_notes(count: int):  # type: ignore[no-untyped-def]
    """Sở Tư pháp's new work, then its only notes: "ghi chú 1".."ghi chú N", a day apart, oldest first."""
    work = make_assignment("TN-STP", officer="justice.tayninh", deadline_in_days=30)
    officer = get_user("justice.tayninh")
    start = today() - timedelta(days=count)
    for number in range(1, count + 1):
        report_progress(work, actor=officer, note=f"ghi chú {number}", on=start + timedelta(days=number - 1))
    db.session.commit()
    return work


def test_the_api_gives_the_20_newest_notes_and_says_there_are_more(api):
    work = _with_notes(23)
    body = api("justice.tayninh").get(f"/api/v1/assignments/{work.id}").get_json()
    assert [u["note"] for u in body["updates"]] == [f"ghi chú {n}" for n in range(23, 3, -1)]
    assert body["more_updates"] is True
    # every note is still in the history, page by page
    notes, url = [], f"/api/v1/assignments/{work.id}/history?page_size=10"
    while url:
        page = api("justice.tayninh").get(url).get_json()
        notes += [e["after"]["note"] for e in page["items"] if e["action"] == "assignment.progress"]
        token = page["next_page_token"]
        url = f"/api/v1/assignments/{work.id}/history?page_size=10&page_token={token}" if token else None
    assert sorted(notes) == sorted(f"ghi chú {n}" for n in range(1, 24))


def test_twenty_notes_are_all_given_and_no_more_is_said(api):
    work = _with_notes(20)
    body = api("justice.tayninh").get(f"/api/v1/assignments/{work.id}").get_json()
    assert len(body["updates"]) == 20
    assert body["updates"][-1]["note"] == "ghi chú 1"
    assert body["more_updates"] is False


def test_an_agency_without_the_private_record_gets_null(api):
    # Sở GD&ĐT has task 2 of the same directive: it sees this work, not its notes
    work = make_assignment("TN-STP", officer="justice.tayninh", status=Status.in_progress, beside=("TN-SGDDT",))
    report_progress(work, actor=get_user("justice.tayninh"), note="riêng")
    db.session.commit()
    response = api("education.tayninh").get(f"/api/v1/assignments/{work.id}")
    assert response.status_code == 200
    assert response.get_json()["updates"] is None and response.get_json()["more_updates"] is None


def test_the_page_shows_20_notes_says_where_the_rest_are_and_finds_an_older_return(client, login):
    work = make_assignment("TN-STP", officer="justice.tayninh", status=Status.reported_done, deadline_in_days=30)
    review_assignment(work, "return", "Thiếu danh sách xã Tân Đông.", actor=get_user("monitor.tayninh"))
    officer = get_user("justice.tayninh")
    for number in range(1, 22):  # notes while the work stays returned: the return note drops out of the 20
        report_progress(work, actor=officer, note=f"đang bổ sung {number}")
    db.session.commit()
    assert work.status == Status.returned

    login("justice.tayninh")
    page = client.get(f"/app/assignment/details/?id={work.id}").get_data(as_text=True)
    updates = page[page.index('id="updates"') : page.index('id="history"')]
    assert updates.count('class="update-note"') == 20
    assert "đang bổ sung 21" in updates and "đang bổ sung 2<" in updates and "đang bổ sung 1<" not in updates
    assert "Đang hiện 20 báo cáo mới nhất" in updates
    banner = page[page.index("return-note") : page.index("return-note") + 800]
    assert "Thiếu danh sách xã Tân Đông." in banner


def test_a_page_with_few_notes_says_nothing_of_more(client, login):
    work = _with_notes(3)
    login("justice.tayninh")
    page = client.get(f"/app/assignment/details/?id={work.id}").get_data(as_text=True)
    assert "ghi chú 1" in page and "ghi chú 3" in page
    assert "more-updates" not in page
