"""Each role's journey through the web UI, on one directive the office registers itself.

Office: register (a group, sub-items), activate. Officer (Sở Tư pháp): start, report with a PDF, ask for an
extension, report done. Monitor (Công an tỉnh): approve the extension, return the work with a reason, then
accept it. Each page shows what happened, and the histories say every step.
"""

from __future__ import annotations

import io
from datetime import timedelta

from coordination.assignments.models import ExtensionRequest, ExtensionStatus, ProgressUpdate
from coordination.assignments.states import Status
from coordination.db import today
from coordination.evidence.models import Evidence
from coordination.extensions import db
from tests.conftest import tiny_pdf
from tests.support.web import (
    directive_form,
    events,
    fresh,
    get_directive,
    own_assignment,
    section,
    text,
    vn,
)


def switch(client, login, username: str) -> None:  # type: ignore[no-untyped-def]
    client.post("/logout")
    login(username)


def page_of(client, assignment) -> str:  # type: ignore[no-untyped-def]
    response = client.get(f"/app/assignment/details/?id={assignment.id}")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_office_officer_monitor_journey(client, login):
    # The office registers and activates.
    login("office.tayninh")
    assert client.post("/app/directive/register/", data=directive_form()).status_code == 302
    directive = get_directive()
    assert client.post(f"/app/directive/{directive.id}/activate/", data={"confirm": "1"}).status_code == 302
    work = own_assignment(directive, "1", "TN-STP")
    deadline = work.deadline
    assert deadline == today() + timedelta(days=30)

    # The officer finds the work in its list and starts it.
    switch(client, login, "justice.tayninh")
    listing = client.get("/app/assignment/").get_data(as_text=True)
    assert f'data-id="{work.id}"' in listing and f"/app/assignment/details/?id={work.id}#report" in listing
    page = page_of(client, work)
    assert 'enctype="multipart/form-data"' in page and '<option value="start">Bắt đầu thực hiện</option>' in page
    response = client.post(
        f"/app/assignment/{work.id}/report/",
        data={"note": "Đã giao phòng Hộ tịch rà soát.", "action": "start", "version": str(work.version)},
    )
    assert response.status_code == 302 and response.headers["Location"].endswith("#updates")
    assert fresh(work).status == Status.in_progress

    # Progress with two files, one of them a PDF with a Vietnamese name.
    work = fresh(work)
    response = client.post(
        f"/app/assignment/{work.id}/report/",
        data={
            "note": "Đã rà soát 214 hồ sơ.",
            "progress_percent": "40",
            "action": "",
            "version": str(work.version),
            "files": [
                (io.BytesIO(tiny_pdf()), "Danh sách đã cấp lại.pdf"),
                (io.BytesIO(b"so lieu 214\n"), "so-lieu.txt"),
            ],
        },
        content_type="multipart/form-data",
        follow_redirects=True,
    )
    html = response.get_data(as_text=True)
    assert "Đã gửi báo cáo kèm 2 tệp minh chứng." in html
    assert fresh(work).progress_percent == 40
    files = db.session.scalars(db.select(Evidence).where(Evidence.assignment_id == work.id)).all()
    assert sorted(f.filename for f in files) == ["Danh sách đã cấp lại.pdf", "so-lieu.txt"]
    update = db.session.scalars(db.select(ProgressUpdate).where(ProgressUpdate.assignment_id == work.id)).all()[-1]
    assert {f.progress_update_id for f in files} == {update.id}
    updates = section(html, "updates")
    assert "Đã rà soát 214 hồ sơ." in updates and "Danh sách đã cấp lại.pdf" in updates

    # An extension: the date must be after the deadline; then it waits for the monitor.
    response = client.post(
        f"/app/assignment/{work.id}/extension/",
        data={"requested_deadline": vn(deadline - timedelta(days=1)), "reason": "Chờ danh sách từ các xã."},
    )
    assert response.status_code == 422
    assert f"Thời hạn đề nghị phải sau thời hạn hiện tại ({vn(deadline)})." in text(response.get_data(as_text=True))
    new_deadline = deadline + timedelta(days=15)
    response = client.post(
        f"/app/assignment/{work.id}/extension/",
        data={"requested_deadline": vn(new_deadline), "reason": "Chờ danh sách từ các xã."},
    )
    assert response.status_code == 302
    page = page_of(client, work)
    assert "Chờ quyết định" in section(page, "extension") and "extension-request-box" not in page

    # Reported done.
    work = fresh(work)
    response = client.post(
        f"/app/assignment/{work.id}/report/",
        data={"note": "Đã cấp lại toàn bộ.", "action": "report_done", "version": str(work.version)},
    )
    assert response.status_code == 302
    assert fresh(work).status == Status.reported_done and fresh(work).reported_done_on == today()

    # The monitor sees the request in its list and approves it there.
    switch(client, login, "monitor.tayninh")
    listing = client.get("/app/extensions/").get_data(as_text=True)
    request = db.session.scalar(db.select(ExtensionRequest).where(ExtensionRequest.assignment_id == work.id))
    assert f'data-id="{request.id}"' in listing and "Chờ danh sách từ các xã." in listing
    response = client.post(
        f"/app/assignment/extension/{request.id}/decide/",
        data={"decision": "approve", "note": "", "next": "/app/extensions/"},
    )
    assert response.status_code == 302 and response.headers["Location"] == "/app/extensions/"
    assert fresh(request).status == ExtensionStatus.approved and fresh(work).deadline == new_deadline
    assert f'data-id="{request.id}"' not in client.get("/app/extensions/").get_data(as_text=True)
    assert f'data-id="{request.id}"' in client.get("/app/extensions/?show=decided").get_data(as_text=True)

    # It returns the work: a reason is required.
    work = fresh(work)
    page = page_of(client, work)
    assert "Xác nhận kết quả" in page and 'value="accept"' in page and "report-form" not in page
    response = client.post(
        f"/app/assignment/{work.id}/review/", data={"decision": "return", "note": " ", "version": str(work.version)}
    )
    assert response.status_code == 422 and "Hãy ghi lý do trả lại." in text(response.get_data(as_text=True))
    assert fresh(work).status == Status.reported_done
    response = client.post(
        f"/app/assignment/{work.id}/review/",
        data={"decision": "return", "note": "Thiếu danh sách xã Tân Đông.", "version": str(work.version)},
    )
    assert response.status_code == 302
    assert fresh(work).status == Status.returned

    # The agency sees why, resumes and reports again.
    switch(client, login, "justice.tayninh")
    page = page_of(client, work)
    assert "Thiếu danh sách xã Tân Đông." in text(page[page.index("return-note") : page.index("return-note") + 800])
    assert '<option value="resume">Tiếp tục thực hiện</option>' in page
    for action, note in (("resume", "Bổ sung danh sách."), ("report_done", "Đã bổ sung.")):
        work = fresh(work)
        response = client.post(
            f"/app/assignment/{work.id}/report/", data={"note": note, "action": action, "version": str(work.version)}
        )
        assert response.status_code == 302, action

    # The monitor accepts.
    switch(client, login, "monitor.tayninh")
    work = fresh(work)
    response = client.post(
        f"/app/assignment/{work.id}/review/",
        data={"decision": "accept", "note": "Đạt yêu cầu.", "version": str(work.version)},
        follow_redirects=True,
    )
    assert "Đã xác nhận hoàn thành." in response.get_data(as_text=True)
    work = fresh(work)
    assert work.status == Status.done and work.completed_on == today()

    # Every step is in the assignment's history, newest first, and on its page.
    assert events(assignment_id=work.id) == [
        "assignment.start",
        "assignment.progress",
        "evidence.add",
        "evidence.add",
        "extension.request",
        "assignment.report_done",
        "extension.approve",
        "assignment.return",
        "assignment.resume",
        "assignment.report_done",
        "assignment.accept",
    ]
    history = section(response.get_data(as_text=True), "history")
    steps = [
        "Xác nhận hoàn thành",
        "Báo cáo hoàn thành",
        "Tiếp tục thực hiện",
        "Trả lại, yêu cầu bổ sung",
        "Đồng ý gia hạn",
        "Đề nghị gia hạn",
        "Nộp minh chứng",
        "Cập nhật tiến độ",
        "Bắt đầu thực hiện",
    ]
    positions = [history.index(step) for step in steps]
    assert positions == sorted(positions), history
    for detail in (
        "Thiếu danh sách xã Tân Đông.",
        "Chờ danh sách từ các xã.",
        "Danh sách đã cấp lại.pdf",
        vn(new_deadline),
    ):
        assert detail in history, detail
    # Once accepted, nobody works on it and no file is withdrawn.
    assert "report-form" not in response.get_data(as_text=True)

    # The directive's history shows the office's steps and the agencies' work.
    switch(client, login, "office.tayninh")
    directive_page = client.get(f"/app/directive/details/?id={directive.id}").get_data(as_text=True)
    directive_history = section(directive_page, "history")
    for step in ("Tạo văn bản (bản nháp)", "Kích hoạt văn bản", "Xác nhận hoàn thành", "Sở Tư pháp tỉnh Tây Ninh"):
        assert step in directive_history, step
