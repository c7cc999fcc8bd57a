"""Requests for explanation: the monitor requires one, the agency answers with a file; history and dashboard."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
import sqlalchemy as sa

from coordination.audit import AuditEvent
from coordination.db import today
from coordination.evidence.models import Evidence
from coordination.extensions import db
from coordination.reminders.models import ExplanationRequest, Notification
from coordination.reminders.operations import request_explanation
from tests.conftest import SETUP, assignment_of, get_user
from tests.support.monitoring import assert_problem, ids_of, overdue_of, vn

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def _require(client, assignment_id: int, question: str = "Đề nghị giải trình lý do chậm.", days: int = 3):  # type: ignore[no-untyped-def]
    return client.post(
        f"/app/explanations/new?assignment={assignment_id}",
        data={"question": question, "due_on": vn(today() + timedelta(days=days))},
    )


def test_require_answer_with_a_file_history_and_dashboard(app, client, login) -> None:
    assignment = overdue_of("TN-STP")
    login("monitor.tayninh")
    form = client.get(f"/app/explanations/new?assignment={assignment.id}")
    assert form.status_code == 200 and vn(today() + timedelta(days=3)) in form.get_data(as_text=True)
    assert _require(client, assignment.id).status_code == 302
    explanation = db.session.scalar(
        sa.select(ExplanationRequest).where(ExplanationRequest.assignment_id == assignment.id)
    )
    assert explanation.answered_at is None and explanation.due_on == today() + timedelta(days=3)
    justice = get_user("justice.tayninh")
    assert db.session.scalar(
        sa.select(Notification.id).where(Notification.user_id == justice.id, Notification.kind == "explanation")
    )
    dashboard = client.get("/app/dashboard/").get_data(as_text=True)
    assert explanation.id in ids_of(dashboard, "list-group-item unanswered-row")

    client.post("/logout")
    login("justice.tayninh")
    page = client.get(f"/app/assignment/details/?id={assignment.id}").get_data(as_text=True)
    assert f"/app/explanations/{explanation.id}/answer" in page  # the agency is offered to answer
    response = client.post(
        f"/app/explanations/{explanation.id}/answer",
        data={
            "answer": "Do thiếu nhân lực; đã bổ sung cán bộ.",
            "expected_finish_on": vn(today() + timedelta(days=10)),
            "files": [(io.BytesIO(PDF), "giải trình.pdf")],
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 302, response.get_data(as_text=True)[-2000:]
    db.session.refresh(explanation)
    assert explanation.answer == "Do thiếu nhân lực; đã bổ sung cán bộ."
    assert explanation.expected_finish_on == today() + timedelta(days=10)
    (evidence,) = db.session.scalars(sa.select(Evidence).where(Evidence.explanation_request_id == explanation.id))
    assert evidence.filename == "giải trình.pdf" and evidence.content_type == "application/pdf"
    actions = set(db.session.scalars(sa.select(AuditEvent.action).where(AuditEvent.assignment_id == assignment.id)))
    assert {"explanation.request", "explanation.answer", "evidence.add"} <= actions

    page = client.get(f"/app/assignment/details/?id={assignment.id}").get_data(as_text=True)
    assert "Do thiếu nhân lực" in page and "giải trình.pdf" in page and "trả lời đúng hạn" in page
    assert f"/app/assignment/evidence/{evidence.id}/" in page
    with client.get(f"/app/assignment/evidence/{evidence.id}/") as download:
        assert (download.status_code, download.data) == (200, PDF)
    client.post("/logout")
    login("monitor.tayninh")
    dashboard = client.get("/app/dashboard/").get_data(as_text=True)
    assert explanation.id not in ids_of(dashboard, "list-group-item unanswered-row")
    monitor = get_user("monitor.tayninh")
    assert db.session.scalar(
        sa.select(Notification.id).where(Notification.user_id == monitor.id, Notification.kind == "explanation_answer")
    )


def test_a_late_answer_says_how_late(client, login) -> None:
    assignment = overdue_of("TN-STP")
    explanation = request_explanation(assignment, "Vì sao chậm?", today(), actor=get_user("monitor.tayninh"))
    explanation.due_on = today() - timedelta(days=4)  # as if asked long ago
    db.session.commit()
    login("justice.tayninh")
    client.post(f"/app/explanations/{explanation.id}/answer", data={"answer": "Đang khắc phục."})
    page = client.get(f"/app/assignment/details/?id={assignment.id}").get_data(as_text=True)
    assert "trả lời muộn 4 ngày" in page
    event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "explanation.answer"))
    assert event.after["days_late"] == 4


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"question": "", "due_on": "01/01/2099"}, "question"),
        ({"question": "Vì sao?", "due_on": "31/02/2099"}, "due_on"),
        ({"question": "Vì sao?", "due_on": ""}, "due_on"),
        ({"question": "Vì sao?", "due_on": "01/01/2020"}, "due_on"),
    ],
)
def test_web_request_form_names_the_bad_field(client, login, data, field) -> None:
    assignment = overdue_of("TN-STP")
    login("monitor.tayninh")
    response = client.post(f"/app/explanations/new?assignment={assignment.id}", data=data)
    assert response.status_code == 422
    assert f'data-field="{field}"' in response.get_data(as_text=True)


def test_web_who_may(client, login) -> None:
    assignment = overdue_of("TN-STP")
    login("justice.tayninh")
    assert client.get(f"/app/explanations/new?assignment={assignment.id}").status_code == 403
    client.post("/logout")
    login("monitor.tamdiep")
    assert client.get(f"/app/explanations/new?assignment={assignment.id}").status_code == 404
    assert client.get("/app/explanations/new?assignment=abc").status_code == 404
    explanation = request_explanation(assignment, "Vì sao?", today(), actor=SETUP)
    db.session.commit()
    assert client.get(f"/app/explanations/{explanation.id}/answer").status_code == 404
    client.post("/logout")
    login("education.tayninh")  # sees the directive, but this is another agency's work
    assert client.get(f"/app/explanations/{explanation.id}/answer").status_code == 403


def test_api_request_and_answer_json_then_multipart(api) -> None:
    assignment = overdue_of("TN-STP")
    monitor = api("monitor.tayninh")
    due = today() + timedelta(days=2)
    response = monitor.open(
        f"/api/v1/assignments/{assignment.id}/explanation-requests",
        method="POST",
        json={"question": "Giải trình lý do chậm.", "due_on": due.isoformat()},
    )
    assert response.status_code == 201, response.get_json()
    created = response.get_json()
    assert (created["assignment_id"], created["due_on"], created["answered_at"]) == (
        assignment.id,
        due.isoformat(),
        None,
    )
    assert created["requested_by"] == "monitor.tayninh" and created["days_late"] is None

    agency = api("justice.tayninh")
    answered = agency.open(
        f"/api/v1/explanation-requests/{created['id']}/answer",
        method="POST",
        json={"answer": "Thiếu kinh phí.", "expected_finish_on": (today() + timedelta(days=9)).isoformat()},
    )
    assert answered.status_code == 200, answered.get_json()
    body = answered.get_json()
    assert (body["answer"], body["days_late"], body["answered_by"], body["files"]) == (
        "Thiếu kinh phí.",
        0,
        "justice.tayninh",
        [],
    )
    again = agency.open(f"/api/v1/explanation-requests/{created['id']}/answer", method="POST", json={"answer": "x"})
    assert_problem(again, 409)

    second = monitor.open(
        f"/api/v1/assignments/{assignment.id}/explanation-requests",
        method="POST",
        json={"question": "Lần hai.", "due_on": due.isoformat()},
    ).get_json()
    multipart = agency.open(
        f"/api/v1/explanation-requests/{second['id']}/answer",
        method="POST",
        data={"answer": "Kèm báo cáo.", "files": [(io.BytesIO(PDF), "bao-cao.pdf"), (io.BytesIO(b"ghi chu"), "a.txt")]},
        content_type="multipart/form-data",
    )
    assert multipart.status_code == 200, multipart.get_json()
    assert [f["filename"] for f in multipart.get_json()["files"]] == ["bao-cao.pdf", "a.txt"]


def test_api_who_may(api) -> None:
    assignment = overdue_of("TN-STP")
    body = {"question": "Vì sao?", "due_on": today().isoformat()}
    url = f"/api/v1/assignments/{assignment.id}/explanation-requests"
    assert_problem(api("justice.tayninh").open(url, method="POST", json=body), 403)
    assert_problem(api("monitor.tamdiep").open(url, method="POST", json=body), 404, field="id")
    explanation = request_explanation(assignment, "Vì sao?", today(), actor=SETUP)
    db.session.commit()
    answer_url = f"/api/v1/explanation-requests/{explanation.id}/answer"
    assert_problem(api("education.tayninh").open(answer_url, method="POST", json={"answer": "x"}), 403)
    assert_problem(api("monitor.tamdiep").open(answer_url, method="POST", json={"answer": "x"}), 404, field="id")
    assert_problem(
        api("justice.tayninh").open("/api/v1/explanation-requests/999999/answer", method="POST", json={}), 404
    )


def test_api_only_overdue_work_can_be_asked(api) -> None:
    finished = assignment_of("2157/UBND-KSTT", "1", "TN-STP")
    assert finished.status == "done"
    response = api("monitor.tayninh").open(
        f"/api/v1/assignments/{finished.id}/explanation-requests",
        method="POST",
        json={"question": "Vì sao?", "due_on": today().isoformat()},
    )
    assert_problem(response, 409)


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"due_on": "2099-01-01"}, "question"),
        ({"question": "", "due_on": "2099-01-01"}, "question"),
        ({"question": "Vì sao?", "due_on": "01/01/2099"}, "due_on"),
        ({"question": "Vì sao?", "due_on": "2020-01-01"}, "due_on"),
        ({"question": "Vì sao?\x00", "due_on": "2099-01-01"}, "question"),
    ],
)
def test_api_request_bad_input(api, body, field) -> None:
    assignment = overdue_of("TN-STP")
    url = f"/api/v1/assignments/{assignment.id}/explanation-requests"
    assert_problem(api("monitor.tayninh").open(url, method="POST", json=body), 422, field=field)


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"json": {}}, "answer"),
        ({"json": {"answer": ""}}, "answer"),
        ({"json": {"answer": "x", "expected_finish_on": "mai"}}, "expected_finish_on"),
        ({"json": {"answer": "x", "other": 1}}, "other"),
        ({"data": "answer=x", "content_type": "text/plain"}, "body"),
        ({"data": "{not json", "content_type": "application/json"}, "body"),
        ({"data": {"answer": ""}, "content_type": "multipart/form-data"}, "answer"),
    ],
)
def test_api_answer_bad_input(api, kwargs, field) -> None:
    assignment = overdue_of("TN-STP")
    explanation = request_explanation(assignment, "Vì sao?", today(), actor=SETUP)
    db.session.commit()
    response = api("justice.tayninh").open(
        f"/api/v1/explanation-requests/{explanation.id}/answer", method="POST", **kwargs
    )
    assert_problem(response, 422, field=field)


def test_api_answer_with_a_disguised_file_is_refused_and_nothing_is_kept(api) -> None:
    assignment = overdue_of("TN-STP")
    explanation = request_explanation(assignment, "Vì sao?", today(), actor=SETUP)
    db.session.commit()
    response = api("justice.tayninh").open(
        f"/api/v1/explanation-requests/{explanation.id}/answer",
        method="POST",
        data={"answer": "x", "files": [(io.BytesIO(b"<html><script>x</script>"), "a.pdf")]},
        content_type="multipart/form-data",
    )
    assert 400 <= response.status_code < 500 and response.mimetype == "application/problem+json"
    db.session.rollback()
    db.session.refresh(explanation)
    assert explanation.answered_at is None
