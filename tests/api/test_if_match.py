"""Progress updates need If-Match: missing is 428, stale is 409 with the current state; never a lost update."""

from __future__ import annotations

import pytest

from coordination.assignments.models import Assignment
from coordination.assignments.states import Status
from coordination.extensions import db
from tests.conftest import SETUP, assignment_of
from tests.factories import make_assignment
from tests.support.api import assert_problem
from tests.support.workflow import etag, fingerprint, reported_done


@pytest.fixture
def work(app) -> Assignment:
    """Sở Tư pháp's work in progress on a directive of the test's own, due in 20 days."""
    work = make_assignment("TN-STP", officer="justice.tayninh", status=Status.in_progress, deadline_in_days=20)
    db.session.commit()
    return work


def _post(client, assignment_id: int, body: dict, if_match: str | None):  # type: ignore[no-untyped-def]
    headers = {"If-Match": if_match} if if_match is not None else {}
    return client.post(f"/api/v1/assignments/{assignment_id}/updates", json=body, headers=headers)


def test_a_missing_if_match_is_428_and_changes_nothing(api, work):
    before = fingerprint()
    body = assert_problem(_post(api("justice.tayninh"), work.id, {"note": "x", "progress_percent": 50}, None), 428)
    assert body["detail"] == f"Thiếu tiêu đề If-Match: gửi kèm ETag nhận được từ GET /api/v1/assignments/{work.id}."
    assert "If-Match" in body["errors"]
    assert fingerprint() == before


def test_a_star_is_not_a_version(api, work):
    before = fingerprint()
    assert_problem(_post(api("justice.tayninh"), work.id, {"note": "x"}, "*"), 428)
    assert fingerprint() == before


@pytest.mark.parametrize("stale", ['"{id}-0"', 'W/"{id}-{version}"', '"0-{version}"', "garbage"])
def test_a_stale_or_weak_if_match_is_409_with_the_current_state(api, work, stale):
    client = api("justice.tayninh")
    current = etag(client, work.id)
    before = fingerprint()
    response = _post(
        client, work.id, {"note": "x", "progress_percent": 50}, stale.format(id=work.id, version=work.version)
    )
    body = assert_problem(response, 409)
    assert body["detail"] == "Nhiệm vụ đã được người khác cập nhật; hãy tải lại và thử lại."
    shown = client.get(f"/api/v1/assignments/{work.id}").get_json()
    assert body["current"]["etag"] == current == response.headers["ETag"]
    for key in ("id", "status", "version", "progress_percent", "deadline", "timeliness", "agency", "task"):
        assert body["current"][key] == shown[key]
    assert fingerprint() == before


def test_two_people_the_second_gets_a_conflict_never_a_lost_update(api, work):
    first, second = api("justice.tayninh"), api("justice.tayninh")
    seen = etag(first, work.id)
    assert etag(second, work.id) == seen
    saved = _post(first, work.id, {"note": "Đạt 72%", "progress_percent": 72}, seen)
    assert saved.status_code == 201
    assert saved.headers["ETag"] != seen
    late = _post(second, work.id, {"note": "Đạt 30%", "progress_percent": 30}, seen)
    body = assert_problem(late, 409)
    assert body["current"]["progress_percent"] == 72  # the second sees what the first saved
    retried = _post(second, work.id, {"note": "Đạt 75%", "progress_percent": 75}, body["current"]["etag"])
    assert retried.status_code == 201
    db.session.expire_all()
    assert db.session.get(Assignment, work.id).progress_percent == 75


def test_a_note_alone_keeps_the_etag(api, work):
    client = api("justice.tayninh")
    seen = etag(client, work.id)
    response = _post(client, work.id, {"note": "Đang tổng hợp."}, seen)
    assert response.status_code == 201
    assert response.headers["ETag"] == seen == etag(client, work.id)


@pytest.mark.parametrize(
    ("start", "target", "action", "end"),
    [
        (Status.not_started, "in_progress", "assignment.start", Status.in_progress),
        (Status.returned, "in_progress", "assignment.resume", Status.in_progress),
        (Status.in_progress, "reported_done", "assignment.report_done", Status.reported_done),
        (Status.in_progress, "in_progress", "assignment.progress", Status.in_progress),
    ],
)
def test_the_status_asked_for_maps_to_the_state_machine(api, start, target, action, end):
    work = assignment_of("2157/UBND-KSTT", "1", "TN-SNV")  # not started in the demo
    from coordination.assignments.operations import report_progress, review_assignment
    from coordination.assignments.states import Action

    if start != Status.not_started:
        report_progress(work, actor=SETUP, action=Action.start)
    if start == Status.returned:
        reported_done(work)
        review_assignment(work, "return", "Bổ sung.", actor=SETUP)
    db.session.commit()
    assert work.status == start
    client = api("admin")
    response = _post(client, work.id, {"note": "Cập nhật.", "status": target}, etag(client, work.id))
    assert response.status_code == 201, response.get_data(as_text=True)
    assert client.get(f"/api/v1/assignments/{work.id}").get_json()["status"] == end
    (event, *_) = client.get(f"/api/v1/assignments/{work.id}/history").get_json()["items"]
    assert event["action"] == action


def test_a_status_the_state_machine_forbids_is_409_with_a_message(api):
    work = assignment_of("2157/UBND-KSTT", "1", "TN-SNV")
    client = api("admin")
    before = fingerprint()
    body = assert_problem(
        _post(client, work.id, {"note": "Xong.", "status": "reported_done"}, etag(client, work.id)), 409
    )
    assert body["detail"] == "Không thể “Báo cáo hoàn thành” khi nhiệm vụ đang ở trạng thái “Chưa thực hiện”."
    assert fingerprint() == before


@pytest.mark.parametrize("status", ["done", "returned", "cancelled", "not_started", "bogus"])
def test_statuses_the_agency_does_not_set_are_422(api, work, status):
    client = api("justice.tayninh")
    before = fingerprint()
    assert_problem(_post(client, work.id, {"note": "x", "status": status}, etag(client, work.id)), 422, field="status")
    assert fingerprint() == before


def test_accepting_work_never_reported_is_409_with_a_message(api, work):
    before = fingerprint()
    body = assert_problem(
        api("monitor.tayninh").post(f"/api/v1/assignments/{work.id}/review", json={"decision": "accept"}), 409
    )
    assert body["detail"] == "Không thể “Xác nhận hoàn thành” khi nhiệm vụ đang ở trạng thái “Đang thực hiện”."
    assert fingerprint() == before


def test_a_review_checks_if_match_when_sent(api, work):
    reported_done(work)
    monitor = api("monitor.tayninh")
    before = fingerprint()
    stale = f'"{work.id}-{work.version - 1}"'
    body = assert_problem(
        monitor.post(f"/api/v1/assignments/{work.id}/review", json={"decision": "accept"}, headers={"If-Match": stale}),
        409,
    )
    assert body["current"]["status"] == "reported_done"
    assert fingerprint() == before
    fresh = monitor.post(
        f"/api/v1/assignments/{work.id}/review",
        json={"decision": "accept"},
        headers={"If-Match": etag(monitor, work.id)},
    )
    assert fresh.status_code == 201
    assert fresh.headers["ETag"] == etag(monitor, work.id)


def test_returning_work_needs_a_reason(api, work):
    reported_done(work)
    before = fingerprint()
    body = assert_problem(
        api("office.tayninh").post(f"/api/v1/assignments/{work.id}/review", json={"decision": "return"}),
        422,
        field="note",
    )
    assert body["detail"] == "Hãy ghi lý do trả lại."
    assert fingerprint() == before
