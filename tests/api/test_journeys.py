"""Each role's journey end to end through the API: the office registers, the agency works, the monitor decides."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import sqlalchemy as sa

from coordination.agencies.models import Agency, AgencyGroup
from coordination.assignments.states import Status
from coordination.db import today
from coordination.extensions import db
from tests.factories import make_assignment
from tests.support.api import assert_problem
from tests.support.workflow import PDF, files_in, upload

DEADLINE = today() + timedelta(days=30)

BODY: dict[str, Any] = {
    "number": "1234",
    "symbol": "UBND-KSTT",
    "doc_type": "ke_hoach",
    "issued_on": today().isoformat(),
    "subject": "Kế hoạch rà soát, cập nhật dữ liệu dân cư trên địa bàn tỉnh",
    "place": "Tây Ninh",
    "legal_basis": ["Quyết định số 06/QĐ-TTg ngày 06/01/2022 của Thủ tướng Chính phủ"],
    "signer": {"name": "Võ Đức Trọng", "title": "Phó Chủ tịch", "authority": "KT. Chủ tịch"},
    "addressees": ["TN-STP", "TN-SGDDT", "UBND các huyện, thị xã, thành phố"],
    "monitor_agency": "TN-CA",
    "report_to_agency": "TN-UBND",
    "deadline": DEADLINE.isoformat(),
    "tasks": [
        {
            "label": "1",
            "text": "Các đơn vị rà soát dữ liệu dân cư của ngành, địa phương mình.",
            "deadline": DEADLINE.isoformat(),
            "assignments": [{"all_addressees": True, "role": "lead"}, {"agency": "TN-CA", "role": "coordinate"}],
            "subtasks": [
                {"label": "a)", "text": "Rà soát hồ sơ hộ tịch."},
                {
                    "label": "b)",
                    "text": "Đối chiếu với cơ sở dữ liệu quốc gia.",
                    "assignments": [{"agency": "TN-STP", "role": "lead"}],
                },
            ],
        },
        {
            "label": "2",
            "text": "UBND các huyện, thị xã, thành phố tổ chức cấp lưu động.",
            "deadline": DEADLINE.isoformat(),
            "assignments": [{"group": "UBND các huyện, thị xã, thành phố", "role": "lead"}],
        },
    ],
}


def _members(group_name: str) -> set[str]:
    group = db.session.scalar(sa.select(AgencyGroup).where(AgencyGroup.name == group_name))
    return {a.code for a in group.members if a.active}


def _codes(task: dict[str, Any], role: str) -> set[str]:
    return {a["agency"]["code"] for a in task["assignments"] if a["role"] == role}


def test_the_office_registers_edits_activates_and_closes(api):
    office = api("office.tayninh")
    created = office.post("/api/v1/directives", json=BODY)
    assert created.status_code == 201, created.get_data(as_text=True)
    body = created.get_json()
    shown = office.get(created.headers["Location"])
    assert shown.get_json() == body  # 201 answers with the directive as GET shows it
    assert body["status"] == "draft"
    assert body["ref"] == "1234/UBND-KSTT"
    assert body["issuer"]["code"] == "TN-UBND"  # the office's own agency
    assert body["monitor_agency"]["code"] == "TN-CA"
    assert body["report_to_agency"]["code"] == "TN-UBND"
    assert body["signer"] == BODY["signer"]
    assert body["legal_basis"] == BODY["legal_basis"]
    assert [a["name"] for a in body["addressees"]][:2] == [
        "Sở Tư pháp tỉnh Tây Ninh",
        "Sở Giáo dục và Đào tạo tỉnh Tây Ninh",
    ]
    assert body["addressees"][2]["group"]["name"] == "Ủy ban nhân dân các huyện, thị xã, thành phố"
    assert [t["label"] for t in body["tasks"]] == ["1", "a)", "b)", "2"]
    one, sub_a, sub_b, two = body["tasks"]
    districts = _members("Ủy ban nhân dân các huyện, thị xã, thành phố")
    assert len(districts) == 9
    # "all addressees": the two departments and every member of the group, one assignment each
    assert _codes(one, "lead") == {"TN-STP", "TN-SGDDT"} | districts
    assert _codes(one, "coordinate") == {"TN-CA"}
    assert sub_a["parent_id"] == one["id"] and sub_a["parent_label"] == "1"
    assert _codes(sub_a, "lead") == _codes(one, "lead")  # a sub-item naming nobody inherits its parent's
    assert _codes(sub_b, "lead") == {"TN-STP"}
    assert _codes(two, "lead") == districts
    assert all(a["deadline"] == DEADLINE.isoformat() for a in two["assignments"])
    directive_id = body["id"]

    # Agencies do not see a draft.
    assert_problem(api("justice.tayninh").get(f"/api/v1/directives/{directive_id}"), 404)

    patched = office.patch(
        f"/api/v1/directives/{directive_id}",
        json={"subject": "Kế hoạch rà soát dữ liệu dân cư (sửa đổi)", "tasks": BODY["tasks"][:1]},
    )
    assert patched.status_code == 200, patched.get_data(as_text=True)
    assert patched.get_json()["subject"] == "Kế hoạch rà soát dữ liệu dân cư (sửa đổi)"
    assert [t["label"] for t in patched.get_json()["tasks"]] == ["1", "a)", "b)"]
    one = patched.get_json()["tasks"][0]  # the tasks were replaced: new rows

    activated = office.post(f"/api/v1/directives/{directive_id}/activate")
    assert activated.status_code == 200, activated.get_data(as_text=True)
    assert activated.get_json()["status"] == "active"
    assert activated.get_json()["activated_at"]
    assert api("justice.tayninh").get(f"/api/v1/directives/{directive_id}").status_code == 200

    # Active: the tasks are edited one by one, never replaced wholesale.
    refused = office.patch(f"/api/v1/directives/{directive_id}", json={"tasks": []})
    assert_problem(refused, 409, field="tasks")
    added = office.post(
        f"/api/v1/directives/{directive_id}/tasks",
        json={
            "label": "2",
            "text": "Báo cáo kết quả về Công an tỉnh.",
            "deadline": DEADLINE.isoformat(),
            "assignments": [{"agency": "TN-SNV"}],
        },
    )
    assert added.status_code == 201, added.get_data(as_text=True)
    task = added.get_json()
    assert task["label"] == "2" and _codes(task, "lead") == {"TN-SNV"}
    sub = office.post(
        f"/api/v1/directives/{directive_id}/tasks",
        json={"label": "c)", "text": "Tổng hợp số liệu.", "parent_id": one["id"], "assignments": []},
    )
    assert sub.status_code == 201, sub.get_data(as_text=True)
    assert sub.get_json()["parent_id"] == one["id"]
    labels = [t["label"] for t in office.get(f"/api/v1/directives/{directive_id}").get_json()["tasks"]]
    assert labels == ["1", "a)", "b)", "c)", "2"]
    new_deadline = (DEADLINE + timedelta(days=5)).isoformat()
    edited = office.patch(f"/api/v1/tasks/{task['id']}", json={"text": "Báo cáo kết quả.", "deadline": new_deadline})
    assert edited.status_code == 200
    assert edited.get_json()["text"] == "Báo cáo kết quả."
    assert {a["deadline"] for a in edited.get_json()["assignments"]} == {new_deadline}
    more = office.post(f"/api/v1/tasks/{task['id']}/assignments", json={"assignments": [{"agency": "TN-STC"}]})
    assert more.status_code == 201
    assert [a["agency"]["code"] for a in more.get_json()] == ["TN-STC"]
    removed = office.delete(f"/api/v1/assignments/{more.get_json()[0]['id']}", json={})
    assert removed.status_code == 204
    assert_problem(office.get(f"/api/v1/assignments/{more.get_json()[0]['id']}"), 404)

    closed = office.post(f"/api/v1/directives/{directive_id}/close")
    assert closed.status_code == 200 and closed.get_json()["status"] == "closed"
    assert_problem(office.patch(f"/api/v1/directives/{directive_id}", json={"subject": "x"}), 409)

    history = office.get(f"/api/v1/assignments/{task['assignments'][0]['id']}/history").get_json()["items"]
    # (its creation is the "task.add" event of the directive's history)
    assert [e["action"] for e in history] == ["assignment.deadline"]
    assert history[0]["before"]["deadline"] == DEADLINE.isoformat()
    assert history[0]["after"]["deadline"] == new_deadline


def _assignment_id(client, directive_id: int, code: str, label: str) -> int:
    detail = client.get(f"/api/v1/directives/{directive_id}").get_json()
    (task,) = [t for t in detail["tasks"] if t["label"] == label]
    (assignment,) = [a for a in task["assignments"] if a["agency"]["code"] == code]
    return assignment["id"]


def _update(client, assignment_id: int, body: dict[str, Any]) -> Any:
    current = client.get(f"/api/v1/assignments/{assignment_id}").headers["ETag"]
    response = client.post(f"/api/v1/assignments/{assignment_id}/updates", json=body, headers={"If-Match": current})
    assert response.status_code == 201, response.get_data(as_text=True)
    assert response.headers["ETag"] != current or ("status" not in body and "progress_percent" not in body)
    assert response.headers["ETag"] == client.get(f"/api/v1/assignments/{assignment_id}").headers["ETag"]
    return response.get_json()


def test_the_officer_works_and_the_monitor_decides(api, store_dir):
    office, officer, monitor = api("office.tayninh"), api("justice.tayninh"), api("monitor.tayninh")
    directive_id = office.post("/api/v1/directives", json=BODY).get_json()["id"]
    assert office.post(f"/api/v1/directives/{directive_id}/activate").status_code == 200
    assignment_id = _assignment_id(officer, directive_id, "TN-STP", "1")
    url = f"/api/v1/assignments/{assignment_id}"

    started = _update(officer, assignment_id, {"note": "Đã giao cho phòng Hộ tịch.", "status": "in_progress"})
    assert (started["status_from"], started["status_to"]) == ("not_started", "in_progress")
    assert started["author"] == {"username": "justice.tayninh", "full_name": "Phạm Thị Ngọc Lan"}
    progress = _update(officer, assignment_id, {"note": "Đã rà soát 60% hồ sơ.", "progress_percent": 60})
    assert progress["status_to"] is None and progress["progress_percent"] == 60

    uploaded = upload(officer, assignment_id, (PDF, "Báo cáo rà soát tháng 9.pdf"))
    assert uploaded.status_code == 201, uploaded.get_data(as_text=True)
    (evidence,) = uploaded.get_json()
    assert set(evidence) == {"id", "filename", "content_type", "size", "sha256"}
    assert evidence["filename"] == "Báo cáo rà soát tháng 9.pdf"
    assert evidence["content_type"] == "application/pdf"
    assert evidence["size"] == len(PDF)
    assert len(files_in(store_dir)) == 1

    asked = officer.post(
        f"{url}/extension-requests",
        json={"requested_deadline": (DEADLINE + timedelta(days=15)).isoformat(), "reason": "Chờ số liệu của huyện."},
    )
    assert asked.status_code == 201, asked.get_data(as_text=True)
    extension = asked.get_json()
    assert extension["status"] == "pending" and extension["current_deadline"] == DEADLINE.isoformat()

    done = _update(officer, assignment_id, {"note": "Đã hoàn thành rà soát.", "status": "reported_done"})
    assert done["status_to"] == "reported_done"

    decided = monitor.post(
        f"/api/v1/extension-requests/{extension['id']}/decision", json={"decision": "approve", "note": "Đồng ý."}
    )
    assert decided.status_code == 200, decided.get_data(as_text=True)
    assert decided.get_json()["status"] == "approved"
    assert decided.get_json()["decided_by"]["username"] == "monitor.tayninh"
    assert officer.get(url).get_json()["deadline"] == (DEADLINE + timedelta(days=15)).isoformat()

    returned = monitor.post(f"{url}/review", json={"decision": "return", "note": "Thiếu danh sách đối chiếu."})
    assert returned.status_code == 201, returned.get_data(as_text=True)
    assert returned.get_json()["status_to"] == "returned"
    assert officer.get(url).get_json()["status"] == "returned"
    resumed = _update(officer, assignment_id, {"note": "Bổ sung danh sách.", "status": "in_progress"})
    assert (resumed["status_from"], resumed["status_to"]) == ("returned", "in_progress")
    _update(officer, assignment_id, {"note": "Đã bổ sung.", "status": "reported_done"})
    accepted = monitor.post(f"{url}/review", json={"decision": "accept", "note": "Đạt yêu cầu."})
    assert accepted.status_code == 201
    final = officer.get(url).get_json()
    assert final["status"] == "done"
    assert final["timeliness"] == "done_on_time"
    assert final["completed_on"] == today().isoformat()

    # The record: the agency, the monitor and the office see notes and files; another agency does not.
    assert [u["note"] for u in final["updates"]][:2] == ["Đạt yêu cầu.", "Đã bổ sung."]
    assert [e["filename"] for e in final["evidence"]] == ["Báo cáo rà soát tháng 9.pdf"]
    assert [r["status"] for r in final["extension_requests"]] == ["approved"]
    for name in ("monitor.tayninh", "office.tayninh"):
        assert api(name).get(url).get_json()["evidence"][0]["id"] == evidence["id"]
    other = api("education.tayninh").get(url).get_json()
    assert other["status"] == "done" and other["timeliness"] == "done_on_time"
    assert other["updates"] is None and other["evidence"] is None and other["extension_requests"] is None

    # The history: every step, newest first, with its actor and before/after.
    events = officer.get(f"{url}/history").get_json()["items"]
    steps = [(e["action"], e["actor"]["username"] if e["actor"] else None) for e in reversed(events)]
    assert steps == [
        ("assignment.start", "justice.tayninh"),
        ("assignment.progress", "justice.tayninh"),
        ("evidence.add", "justice.tayninh"),
        ("extension.request", "justice.tayninh"),
        ("assignment.report_done", "justice.tayninh"),
        ("extension.approve", "monitor.tayninh"),
        ("assignment.return", "monitor.tayninh"),
        ("assignment.resume", "justice.tayninh"),
        ("assignment.report_done", "justice.tayninh"),
        ("assignment.accept", "monitor.tayninh"),
    ]
    by_action = {e["action"]: e for e in events}
    assert by_action["assignment.start"]["before"]["status"] == "not_started"
    assert by_action["assignment.start"]["after"]["status"] == "in_progress"
    assert by_action["assignment.progress"]["after"]["progress_percent"] == 60
    assert by_action["assignment.progress"]["after"]["note"] == "Đã rà soát 60% hồ sơ."
    assert by_action["extension.approve"]["before"] == {"deadline": DEADLINE.isoformat()}
    assert by_action["extension.approve"]["after"]["deadline"] == (DEADLINE + timedelta(days=15)).isoformat()
    assert by_action["evidence.add"]["after"]["sha256"] == evidence["sha256"]
    assert by_action["assignment.accept"]["after"]["status"] == "done"
    assert all(e["occurred_at"] and e["actor_label"] for e in events)
    assert monitor.get(f"{url}/history").get_json()["items"] == events
    assert_problem(api("education.tayninh").get(f"{url}/history"), 403)
    assert_problem(api("bacson.tamdiep").get(f"{url}/history"), 404)

    # Accepted work keeps its evidence, and the owner is told why.
    assert_problem(officer.delete(f"/api/v1/evidence/{evidence['id']}", json={"reason": "nhầm"}), 409)
    assert_problem(api("admin").delete(f"/api/v1/evidence/{evidence['id']}", json={}), 409)


def test_the_history_pages_newest_first(api):
    officer = api("justice.tayninh")
    assignment = make_assignment("TN-STP", officer="justice.tayninh", status=Status.in_progress, deadline_in_days=20)
    db.session.commit()
    for percent in range(10, 100, 10):
        _update(officer, assignment.id, {"note": f"Đạt {percent}%", "progress_percent": percent})
    everything = officer.items(f"/api/v1/assignments/{assignment.id}/history")
    ids = [e["id"] for e in everything]
    assert ids == sorted(ids, reverse=True) and len(ids) >= 9
    pages, token = [], None
    while True:
        params = {"page_size": 4, **({"page_token": token} if token else {})}
        body = officer.get(f"/api/v1/assignments/{assignment.id}/history", query_string=params).get_json()
        pages.append([e["id"] for e in body["items"]])
        token = body["next_page_token"]
        if token is None:
            break
    assert [i for page in pages for i in page] == ids
    assert all(len(page) == 4 for page in pages[:-1])
    assert everything[0]["after"]["note"] == "Đạt 90%"


def test_an_officer_of_a_merged_agency_history_and_renames(api):
    admin = api("admin")
    renamed = admin.post(
        "/api/v1/agencies/TN-SGDDT/rename", json={"name_vi": "Sở Giáo dục tỉnh Tây Ninh", "short_name": "Sở GD"}
    )
    assert renamed.status_code == 200, renamed.get_data(as_text=True)
    body = renamed.get_json()
    assert body["name_vi"] == "Sở Giáo dục tỉnh Tây Ninh" and body["short_name"] == "Sở GD"
    assert "Sở Giáo dục và Đào tạo tỉnh Tây Ninh" in body["aliases"]

    merged = admin.post("/api/v1/agencies/TN-STP/merge", json={"successor": "TN-SNV"})
    assert merged.status_code == 200, merged.get_data(as_text=True)
    result = merged.get_json()
    assert result["agency"]["code"] == "TN-STP" and result["agency"]["active"] is False
    assert result["agency"]["successor_code"] == "TN-SNV"
    assert result["moved"]
    moved = admin.get(f"/api/v1/assignments/{result['moved'][0]}").get_json()
    assert moved["agency"]["code"] == "TN-SNV"
    events = admin.get(f"/api/v1/assignments/{result['moved'][0]}/history").get_json()["items"]
    assert events[0]["action"] == "assignment.reassign"
    assert events[0]["before"]["agency"] == "TN-STP" and events[0]["after"]["agency"] == "TN-SNV"
    assert db.session.scalar(sa.select(Agency.active).where(Agency.code == "TN-STP")) is False
    assert_problem(admin.post("/api/v1/agencies/TN-STP/merge", json={"successor": "TN-SNV"}), 409)
    assert_problem(admin.post("/api/v1/agencies/TN-SNV/merge", json={"successor": "NOPE"}), 422, field="successor")
    assert_problem(admin.post("/api/v1/agencies/NOPE/rename", json={"name_vi": "X"}), 404, field="code")


def test_issue_dates_are_kept(api):
    body = (
        api("office.tamdiep")
        .post(
            "/api/v1/directives",
            json={
                "number": "77",
                "symbol": "UBND-VP",
                "issued_on": "2026-03-02",
                "subject": "Thông báo lịch tiếp công dân",
                "doc_type": "thong_bao",
                "addressees": ["UBND các phường, xã"],
                "monitor_agency": "TD-CA",
                "tasks": [{"label": "1", "text": "Niêm yết lịch.", "assignments": [{"all_addressees": True}]}],
            },
        )
        .get_json()
    )
    assert body["issued_on"] == date(2026, 3, 2).isoformat()
    assert body["issuer"]["code"] == "TD-UBND"
    assert len(body["tasks"][0]["assignments"]) == 9
    assert {a["role"] for a in body["tasks"][0]["assignments"]} == {"lead"}


def test_a_draft_without_work_cannot_be_activated(api):
    office = api("office.tayninh")
    body = {**BODY, "tasks": [], "addressees": ["TN-STP"]}
    draft = office.post("/api/v1/directives", json=body).get_json()
    problem = assert_problem(office.post(f"/api/v1/directives/{draft['id']}/activate"), 422, field="tasks")
    assert problem["detail"] == "Văn bản chưa giao nhiệm vụ cho cơ quan nào."
    patched = office.patch(
        f"/api/v1/directives/{draft['id']}",
        json={
            "addressees": ["Các sở, ban, ngành tỉnh"],
            "tasks": [{"label": "1", "text": "Rà soát.", "assignments": [{"all_addressees": True}]}],
        },
    )
    assert patched.status_code == 200, patched.get_data(as_text=True)
    assert [a["group"]["name"] for a in patched.get_json()["addressees"]] == ["Các sở, ban, ngành tỉnh"]
    assert len(patched.get_json()["tasks"][0]["assignments"]) == len(_members("Các sở, ban, ngành tỉnh"))
    assert office.post(f"/api/v1/directives/{draft['id']}/activate").status_code == 200
    assert_problem(office.post(f"/api/v1/directives/{draft['id']}/activate"), 409)
