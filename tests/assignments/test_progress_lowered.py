"""Lowering the progress (70 % → 10 %) needs a reason, in the same report; the history keeps it."""

from __future__ import annotations

import pytest

from coordination.assignments.models import ProgressUpdate
from coordination.assignments.operations import report_progress
from coordination.assignments.states import Status
from coordination.errors import Invalid
from coordination.extensions import db
from tests.conftest import get_user
from tests.factories import make_assignment
from tests.support.api import assert_problem
from tests.support.web import fresh, text
from tests.support.workflow import etag


@pytest.fixture
def at_70(app):  # type: ignore[no-untyped-def]
    with app.test_request_context("/"):
        assignment = make_assignment("TN-SGDDT", status=Status.in_progress)
        report_progress(assignment, actor=get_user("education.tayninh"), note="Đã làm 70 %.", progress_percent=70)
        db.session.flush()
    return assignment


def _notes(assignment) -> list[tuple[str, int | None]]:  # type: ignore[no-untyped-def]
    updates = db.session.scalars(
        db.select(ProgressUpdate).where(ProgressUpdate.assignment_id == assignment.id).order_by(ProgressUpdate.id)
    )
    return [(u.note, u.progress_percent) for u in updates]


def test_the_operation_refuses_a_lower_percentage_without_a_reason(app, at_70):
    with app.test_request_context("/"):
        with pytest.raises(Invalid) as refused:
            report_progress(at_70, actor=get_user("education.tayninh"), progress_percent=10)
        assert refused.value.errors == {"note": ["Hãy ghi lý do giảm tiến độ."]}
        assert refused.value.message == "Tiến độ giảm từ 70 % xuống 10 %: hãy ghi lý do vào nội dung báo cáo."
        # the same or a higher figure needs no reason
        report_progress(at_70, actor=get_user("education.tayninh"), progress_percent=70)
        report_progress(at_70, actor=get_user("education.tayninh"), progress_percent=80)
        report_progress(
            at_70, actor=get_user("education.tayninh"), note="Phát hiện hồ sơ sai, làm lại.", progress_percent=10
        )
    assert fresh(at_70).progress_percent == 10
    assert _notes(at_70)[-1] == ("Phát hiện hồ sơ sai, làm lại.", 10)


def test_the_report_form_asks_for_the_reason(client, login, at_70):
    login("education.tayninh")
    page = text(client.get(f"/app/assignment/details/?id={at_70.id}").get_data(as_text=True))
    assert "Nếu giảm tiến độ (đang là 70 %), hãy ghi lý do ở đây." in page
    version = str(at_70.version)
    response = client.post(
        f"/app/assignment/{at_70.id}/report/", data={"note": "", "progress_percent": "10", "version": version}
    )
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "Tiến độ giảm từ 70 % xuống 10 %: hãy ghi lý do vào nội dung báo cáo." in text(html)
    assert 'name="note"' in html and "Hãy ghi lý do giảm tiến độ." in text(html)
    assert 'value="10"' in html  # what was typed is still there
    assert fresh(at_70).progress_percent == 70
    response = client.post(
        f"/app/assignment/{at_70.id}/report/",
        data={"note": "Số liệu trước bị tính trùng.", "progress_percent": "10", "version": version},
    )
    assert response.status_code == 302
    assert fresh(at_70).progress_percent == 10
    assert _notes(at_70)[-1] == ("Số liệu trước bị tính trùng.", 10)


def test_the_api_refuses_it_with_422_on_the_note(api, at_70):
    officer = api("education.tayninh")
    url = f"/api/v1/assignments/{at_70.id}/updates"
    response = officer.post(
        url, json={"note": "", "progress_percent": 10}, headers={"If-Match": etag(officer, at_70.id)}
    )
    problem = assert_problem(response, 422, field="note")
    assert problem["errors"]["note"] == ["Hãy ghi lý do giảm tiến độ."]
    response = officer.post(
        url,
        json={"note": "Làm lại phần đã báo cáo.", "progress_percent": 10},
        headers={"If-Match": etag(officer, at_70.id)},
    )
    assert response.status_code == 201, response.get_data(as_text=True)
    assert fresh(at_70).progress_percent == 10
