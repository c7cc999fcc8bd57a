"""The assignment page's actions: who may post them (403 and nothing changes otherwise), stale versions,
evidence downloads and their privacy, removal of evidence, extension decisions, and bad input."""

from __future__ import annotations

import io
from datetime import timedelta
from urllib.parse import quote

import pytest
import sqlalchemy as sa
from werkzeug.datastructures import FileStorage, MultiDict
from werkzeug.test import encode_multipart

from coordination.assignments.models import Assignment, ExtensionRequest, ExtensionStatus, ProgressUpdate
from coordination.assignments.operations import report_progress, request_extension
from coordination.assignments.states import Action, Status
from coordination.db import today
from coordination.directives.operations import update_task
from coordination.evidence.models import Evidence
from coordination.evidence.operations import add_evidence
from coordination.extensions import db
from tests.conftest import assignment_of, get_user, tiny_pdf
from tests.factories import make_assignment
from tests.support.web import event_count, fresh, text, vn

KSTT = "2157/UBND-KSTT"


def _justice() -> Assignment:
    """Sở Tư pháp's task 5 of 2157/UBND-KSTT: in progress, overdue, its own notes."""
    return assignment_of(KSTT, "5", "TN-STP")


def _fresh_work() -> Assignment:
    """New work of Sở Tư pháp, in progress, with a deadline ahead (so that an extension can be asked)."""
    assignment = make_assignment("TN-STP", officer="justice.tayninh", status=Status.in_progress, deadline_in_days=10)
    db.session.commit()
    return assignment


def _with_file(assignment: Assignment, name: str = "Báo cáo tiến độ tháng 9.pdf") -> Evidence:
    evidence = add_evidence(assignment, io.BytesIO(tiny_pdf()), name, actor=get_user("justice.tayninh"))
    db.session.commit()
    return evidence


def _counts(assignment: Assignment) -> tuple:
    db.session.expire_all()
    a = db.session.get(Assignment, assignment.id)
    return (
        a.status,
        a.version,
        a.deadline,
        a.progress_percent,
        event_count(),
        db.session.scalar(sa.select(sa.func.count(ProgressUpdate.id))),
        db.session.scalar(sa.select(sa.func.count(Evidence.id)).where(Evidence.removed_at.is_(None))),
        db.session.scalar(sa.select(sa.func.count(ExtensionRequest.id))),
    )


# --- who may do what ------------------------------------------------------------------------------------


def _attempts(assignment: Assignment, evidence: Evidence, request: ExtensionRequest) -> list[tuple[str, dict]]:
    return [
        (f"/app/assignment/{assignment.id}/report/", {"note": "x", "action": "", "version": str(assignment.version)}),
        (f"/app/assignment/{assignment.id}/extension/", {"requested_deadline": "01/01/2100", "reason": "x"}),
        (f"/app/assignment/evidence/{evidence.id}/remove/", {"reason": "x"}),
        (f"/app/assignment/{assignment.id}/review/", {"decision": "return", "note": "x", "version": "1"}),
        (f"/app/assignment/extension/{request.id}/decide/", {"decision": "approve", "note": ""}),
    ]


@pytest.mark.parametrize(
    "username, allowed",
    [
        # another agency's officer, on the same directive: may see the status, not touch the work
        ("education.tayninh", set()),
        # an officer of the other province
        ("bacson.tamdiep", set()),
        # the monitor of the other province
        ("monitor.tamdiep", set()),
        # the office of the other province
        ("office.tamdiep", set()),
    ],
)
def test_others_get_403_and_nothing_changes(client, login, username, allowed):
    assignment = _fresh_work()
    evidence = _with_file(assignment)
    request = request_extension(
        assignment, today() + timedelta(days=20), "Chờ số liệu.", actor=get_user("justice.tayninh")
    )
    db.session.commit()
    before = _counts(assignment)
    login(username)
    for url, data in _attempts(fresh(assignment), evidence, request):
        assert client.post(url, data=data).status_code == 403, (username, url)
    assert _counts(assignment) == before
    assert fresh(request).status == ExtensionStatus.pending


def test_the_agency_may_not_review_its_own_work_nor_decide_its_extension(client, login):
    assignment = _fresh_work()
    officer = get_user("justice.tayninh")
    report_progress(assignment, actor=officer, action=Action.report_done, note="Xong.")
    request = request_extension(assignment, today() + timedelta(days=20), "Thêm thời gian.", actor=officer)
    db.session.commit()
    before = _counts(assignment)
    login("justice.tayninh")
    response = client.post(
        f"/app/assignment/{assignment.id}/review/",
        data={"decision": "accept", "note": "", "version": str(fresh(assignment).version)},
    )
    assert response.status_code == 403
    assert (
        client.post(f"/app/assignment/extension/{request.id}/decide/", data={"decision": "approve"}).status_code == 403
    )
    assert _counts(assignment) == before
    page = client.get(f"/app/assignment/details/?id={assignment.id}").get_data(as_text=True)
    assert "review-form" not in page and "decision-form" not in page


def test_another_agencys_page_shows_no_forms_and_no_private_record(client, login):
    assignment = _justice()
    _with_file(assignment)
    login("education.tayninh")
    page = client.get(f"/app/assignment/details/?id={assignment.id}").get_data(as_text=True)
    for hidden in ("report-form", "extension-form", "evidence-link", "remove-evidence-form", 'id="history"'):
        assert hidden not in page, hidden
    assert "chỉ cơ quan thực hiện, đơn vị theo dõi và cơ quan ban hành được xem" in page


def test_missing_objects_are_404(client, login):
    login("justice.tayninh")
    for url in (
        "/app/assignment/999999/report/",
        "/app/assignment/999999/review/",
        "/app/assignment/999999/extension/",
        "/app/assignment/extension/999999/decide/",
        "/app/assignment/evidence/999999/remove/",
    ):
        assert client.post(url, data={}).status_code == 404, url
    assert client.get("/app/assignment/evidence/999999/").status_code == 404


# --- stale versions ------------------------------------------------------------------------------------


def test_a_stale_report_says_so_and_changes_nothing(client, login):
    assignment = _justice()
    read_version = assignment.version
    # Someone else saves in between.
    report_progress(assignment, actor=get_user("justice.tayninh"), progress_percent=80, note="Người khác cập nhật.")
    db.session.commit()
    assert fresh(assignment).version != read_version
    before = _counts(assignment)
    login("justice.tayninh")
    response = client.post(
        f"/app/assignment/{assignment.id}/report/",
        data={
            "note": "Ghi chú của tôi.",
            "progress_percent": "90",
            "version": str(read_version),
            "files": [(io.BytesIO(tiny_pdf()), "bao-cao.pdf")],
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 409
    html = response.get_data(as_text=True)
    assert "Nhiệm vụ đã được người khác cập nhật; hãy tải lại và thử lại." in text(html)
    assert "Ghi chú của tôi." in html  # what was typed is kept, to send again after a look
    assert f'name="version" type="hidden" value="{fresh(assignment).version}"' in html
    assert _counts(assignment) == before


def test_a_stale_review_says_so_and_changes_nothing(client, login):
    assignment = _fresh_work()
    report_progress(assignment, actor=get_user("justice.tayninh"), action=Action.report_done, note="Xong.")
    db.session.commit()
    read_version = fresh(assignment).version
    # Meanwhile the office moves the task's deadline: the row's version moves on.
    update_task(
        assignment.task, {"deadline": assignment.deadline + timedelta(days=1)}, actor=get_user("office.tayninh")
    )
    db.session.commit()
    before = _counts(assignment)
    login("monitor.tayninh")
    response = client.post(
        f"/app/assignment/{assignment.id}/review/",
        data={"decision": "accept", "note": "Đạt.", "version": str(read_version)},
    )
    assert response.status_code == 409
    assert "Nhiệm vụ đã được người khác cập nhật; hãy tải lại và thử lại." in text(response.get_data(as_text=True))
    assert _counts(assignment) == before


# --- evidence ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("username", ["justice.tayninh", "monitor.tayninh", "office.tayninh", "admin"])
def test_download_is_an_attachment_never_rendered(client, login, username):
    evidence = _with_file(_justice())
    login(username)
    with client.get(f"/app/assignment/evidence/{evidence.id}/") as response:
        assert response.status_code == 200
        assert response.data == tiny_pdf()
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert f"filename*=UTF-8''{quote('Báo cáo tiến độ tháng 9.pdf')}" in disposition
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Content-Security-Policy"] == "sandbox; default-src 'none'; frame-ancestors 'none'"
    assert response.headers["Content-Type"] == "application/pdf"
    assert "no-store" in response.headers["Cache-Control"]


@pytest.mark.parametrize("username", ["education.tayninh", "bacson.tamdiep", "monitor.tamdiep", "office.tamdiep"])
def test_other_agencies_may_not_download(client, login, username):
    evidence = _with_file(_justice())
    login(username)
    with client.get(f"/app/assignment/evidence/{evidence.id}/") as response:
        assert response.status_code in (403, 404)
        assert tiny_pdf() not in response.data


def test_anonymous_download_is_sent_to_login(client):
    evidence = _with_file(_justice())
    response = client.get(f"/app/assignment/evidence/{evidence.id}/")
    assert response.status_code == 302 and response.headers["Location"].startswith("/login?next=")


def test_removing_evidence_needs_a_reason_and_is_in_the_history(client, login):
    assignment = _justice()
    evidence = _with_file(assignment, "nhầm tệp.pdf")
    login("justice.tayninh")
    response = client.post(f"/app/assignment/evidence/{evidence.id}/remove/", data={"reason": "  "})
    assert response.status_code == 422
    assert "Hãy ghi lý do." in text(response.get_data(as_text=True))
    assert fresh(evidence).removed_at is None
    response = client.post(
        f"/app/assignment/evidence/{evidence.id}/remove/", data={"reason": "Gửi nhầm tệp."}, follow_redirects=True
    )
    html = response.get_data(as_text=True)
    assert "Đã gỡ minh chứng “nhầm tệp.pdf”." in html
    assert fresh(evidence).removed_at is not None
    history = text(html[html.index('id="history"') :])
    assert "Gỡ minh chứng" in history and "Gửi nhầm tệp." in history and "nhầm tệp.pdf" in history
    # withdrawn: gone (410, as the API answers), nor removable twice
    gone = client.get(f"/app/assignment/evidence/{evidence.id}/")
    assert gone.status_code == 410 and "Minh chứng này đã được gỡ." in text(gone.get_data(as_text=True))
    response = client.post(f"/app/assignment/evidence/{evidence.id}/remove/", data={"reason": "lại"})
    assert response.status_code == 409 and "Minh chứng này đã được gỡ." in text(response.get_data(as_text=True))


def test_no_evidence_is_removed_once_the_work_is_accepted(client, login):
    assignment = _fresh_work()
    evidence = _with_file(assignment)
    report_progress(assignment, actor=get_user("justice.tayninh"), action=Action.report_done, note="Xong.")
    report_progress(assignment, actor=get_user("monitor.tayninh"), action=Action.accept, note="Đạt.")
    db.session.commit()
    login("justice.tayninh")
    assert client.post(f"/app/assignment/evidence/{evidence.id}/remove/", data={"reason": "x"}).status_code == 403
    assert fresh(evidence).removed_at is None
    assert "remove-evidence-form" not in client.get(f"/app/assignment/details/?id={assignment.id}").get_data(
        as_text=True
    )


# --- bad input: a message on the form, never a 500 -------------------------------------------------------


@pytest.mark.parametrize(
    "data, status, message",
    [
        ({"note": "x", "progress_percent": "-5"}, 422, "Tiến độ phải là số nguyên từ 0 đến 100."),
        ({"note": "x", "progress_percent": "150"}, 422, "Tiến độ phải là số nguyên từ 0 đến 100."),
        ({"note": "x", "progress_percent": "nửa"}, 422, "Tiến độ phải là số nguyên từ 0 đến 100."),
        ({"note": "", "progress_percent": ""}, 422, "Hãy nhập nội dung báo cáo."),
        ({"note": "x", "action": "accept"}, 422, "Lựa chọn không hợp lệ."),
        ({"note": "x", "action": "start"}, 422, "Lựa chọn không hợp lệ."),  # already in progress
        ({"note": "x" * 5001}, 422, "Tối đa 5000 ký tự."),
    ],
)
def test_bad_report_input(client, login, data, status, message):
    assignment = _justice()
    before = _counts(assignment)
    login("justice.tayninh")
    response = client.post(
        f"/app/assignment/{assignment.id}/report/", data={"version": str(assignment.version), **data}
    )
    assert response.status_code == status
    assert message in text(response.get_data(as_text=True))
    assert _counts(assignment) == before


@pytest.mark.parametrize(
    "name, content, status, message",
    [
        ("trang.pdf", b"<!doctype html><script>alert(1)</script>", 415, "không thuộc loại được chấp nhận"),
        ("anh.pdf", b'<svg xmlns="http://www.w3.org/2000/svg"></svg>', 415, "không thuộc loại được chấp nhận"),
        ("rong.pdf", b"", 422, "Tệp “rong.pdf” rỗng."),
    ],
)
def test_bad_files_are_refused_and_nothing_is_kept(client, login, name, content, status, message):
    assignment = _justice()
    before = _counts(assignment)
    login("justice.tayninh")
    response = client.post(
        f"/app/assignment/{assignment.id}/report/",
        data={
            "note": "Kèm tệp.",
            "version": str(assignment.version),
            "files": [(io.BytesIO(tiny_pdf()), "tot.pdf"), (io.BytesIO(content), name)],
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == status
    assert message in text(response.get_data(as_text=True))
    assert _counts(assignment) == before  # the good file went too: all or nothing


def test_a_file_over_the_limit_is_a_413_message_on_the_form(app, client, login, monkeypatch):
    monkeypatch.setitem(app.config, "EVIDENCE_MAX_BYTES", 1024 * 1024)
    assignment = _justice()
    before = _counts(assignment)
    login("justice.tayninh")
    big = tiny_pdf() + b"0" * (1024 * 1024 + 10)
    # Encoded here in memory: the test client would spool a body this large to a file it never closes.
    boundary, body = encode_multipart(
        MultiDict(
            [
                ("note", "Kèm tệp."),
                ("version", str(assignment.version)),
                ("files", FileStorage(io.BytesIO(big), "lon.pdf")),
            ]
        )
    )
    response = client.post(
        f"/app/assignment/{assignment.id}/report/",
        data=body,
        content_type=f"multipart/form-data; boundary={boundary}",
    )
    assert response.status_code == 413
    assert "Tệp “lon.pdf” vượt quá giới hạn 1 MB." in text(response.get_data(as_text=True))
    assert _counts(assignment) == before


def test_a_request_over_the_server_limit_comes_back_with_the_413_message(app, client, login, monkeypatch):
    monkeypatch.setitem(app.config, "MAX_CONTENT_LENGTH", 2048)
    monkeypatch.setitem(app.config, "EVIDENCE_MAX_BYTES", 1024 * 1024)
    assignment = _justice()
    before = _counts(assignment)
    login("justice.tayninh")
    response = client.post(
        f"/app/assignment/{assignment.id}/report/",
        data={"note": "x", "files": [(io.BytesIO(b"%PDF-" + b"0" * 5000), "lon.pdf")]},
        content_type="multipart/form-data",
    )
    assert response.status_code == 303
    assert response.headers["Location"] == f"/app/assignment/details/?id={assignment.id}#report"
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Tệp quá lớn: mỗi tệp tối đa 1 MB; hãy gửi lại với tệp nhỏ hơn." in text(page)
    assert _counts(assignment) == before


@pytest.mark.parametrize(
    "data, message",
    [
        ({"requested_deadline": "30/02/2027", "reason": "x"}, "Ngày không hợp lệ; hãy nhập theo dạng dd/mm/yyyy."),
        ({"requested_deadline": "", "reason": "x"}, "Bắt buộc."),
        ({"requested_deadline": "01/01/2100", "reason": "   "}, "Hãy ghi lý do."),
        ({"requested_deadline": "01/01/2020", "reason": "x"}, "Thời hạn đề nghị phải sau thời hạn hiện tại"),
    ],
)
def test_bad_extension_requests(client, login, data, message):
    assignment = _fresh_work()
    before = _counts(assignment)
    login("justice.tayninh")
    response = client.post(f"/app/assignment/{assignment.id}/extension/", data=data)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert message in text(html)
    assert "extension-request-box" in html and " open>" in html[html.index("extension-request-box") :][:200]
    assert _counts(assignment) == before


def test_a_second_pending_extension_is_refused(client, login):
    assignment = _fresh_work()
    login("justice.tayninh")
    data = {"requested_deadline": vn(today() + timedelta(days=20)), "reason": "Chờ số liệu."}
    assert client.post(f"/app/assignment/{assignment.id}/extension/", data=data).status_code == 302
    response = client.post(f"/app/assignment/{assignment.id}/extension/", data=data)
    assert response.status_code == 409
    assert "Đã có một đề nghị gia hạn đang chờ quyết định." in text(response.get_data(as_text=True))


def test_rejecting_an_extension_needs_a_reason_the_office_decides_too(client, login):
    assignment = _fresh_work()
    old_deadline = assignment.deadline
    request = request_extension(assignment, old_deadline + timedelta(days=5), "Chờ.", actor=get_user("justice.tayninh"))
    db.session.commit()
    login("office.tayninh")
    response = client.post(f"/app/assignment/extension/{request.id}/decide/", data={"decision": "reject", "note": ""})
    assert response.status_code == 422 and "Hãy ghi lý do từ chối." in text(response.get_data(as_text=True))
    response = client.post(
        f"/app/assignment/extension/{request.id}/decide/",
        data={"decision": "reject", "note": "Hạn đã báo cáo Thủ tướng.", "next": "https://evil.example/"},
    )
    assert response.status_code == 302
    assert response.headers["Location"] == f"/app/assignment/details/?id={assignment.id}#extension"  # no open redirect
    assert fresh(request).status == ExtensionStatus.rejected and fresh(assignment).deadline == old_deadline
    client.post("/logout")
    login("justice.tayninh")
    page = client.get(f"/app/assignment/details/?id={assignment.id}").get_data(as_text=True)
    assert "Đã từ chối" in page and "Hạn đã báo cáo Thủ tướng." in page
    response = client.post(f"/app/assignment/extension/{request.id}/decide/", data={"decision": "bogus"})
    assert response.status_code == 403


def test_deciding_twice_says_it_was_decided(client, login):
    assignment = _fresh_work()
    request = request_extension(
        assignment, assignment.deadline + timedelta(days=5), "Chờ.", actor=get_user("justice.tayninh")
    )
    db.session.commit()
    login("monitor.tayninh")
    url = f"/app/assignment/extension/{request.id}/decide/"
    assert client.post(url, data={"decision": "approve"}).status_code == 302
    response = client.post(url, data={"decision": "approve"})
    assert response.status_code == 409
    assert "Đề nghị gia hạn này đã được quyết định." in text(response.get_data(as_text=True))


@pytest.mark.parametrize(
    "username, expected",
    [
        ("monitor.tayninh", True),  # monitors the directive
        ("office.tayninh", True),  # issued it
        ("justice.tayninh", True),  # its own request
        ("education.tayninh", False),  # another agency
        ("monitor.tamdiep", False),  # the other province
    ],
)
def test_the_extension_list_shows_what_each_may_see(client, login, username, expected):
    assignment = _fresh_work()
    request = request_extension(
        assignment, assignment.deadline + timedelta(days=5), "Chờ số liệu.", actor=get_user("justice.tayninh")
    )
    db.session.commit()
    login(username)
    html = client.get("/app/extensions/").get_data(as_text=True)
    assert (f'data-id="{request.id}"' in html) is expected
    deciding = f'action="/app/assignment/extension/{request.id}/decide/"' in html
    assert deciding is (username in ("monitor.tayninh", "office.tayninh"))


def test_a_garbled_version_is_taken_as_stale(client, login):
    assignment = _justice()
    before = _counts(assignment)
    login("justice.tayninh")
    response = client.post(
        f"/app/assignment/{assignment.id}/report/", data={"note": "x", "progress_percent": "75", "version": "abc"}
    )
    assert response.status_code == 409
    assert "Nhiệm vụ đã được người khác cập nhật; hãy tải lại và thử lại." in text(response.get_data(as_text=True))
    assert _counts(assignment) == before
