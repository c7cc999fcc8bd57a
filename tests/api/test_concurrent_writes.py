"""Two people saving the same assignment through the API at the same moment (PostgreSQL, real row locks):
both pass the If-Match check with the same ETag, one saves, the other gets the 409 with what was saved."""

from __future__ import annotations

import os
import threading

import pytest
import sqlalchemy as sa

import coordination.assignments.api as assignments_api
from coordination.assignments.models import Assignment, ProgressUpdate
from coordination.auth.models import User
from coordination.extensions import db
from tests.conftest import DEMO_PASSWORD

pytestmark = pytest.mark.skipif(
    not os.environ.get("TEST_DATABASE_URL"), reason="concurrent sessions need PostgreSQL (row locks)"
)


def test_the_second_concurrent_update_is_a_409_with_the_winner(scratch_demo_app, monkeypatch):  # type: ignore[no-untyped-def]
    app = scratch_demo_app
    with app.app_context():
        assignment_id = db.session.scalar(
            sa.select(Assignment.id)
            .join(User, User.agency_id == Assignment.agency_id)
            .where(User.username == "justice.tayninh", Assignment.status == "in_progress")
            .order_by(Assignment.id)
        )
        updates_before = db.session.scalar(
            sa.select(sa.func.count(ProgressUpdate.id)).where(ProgressUpdate.assignment_id == assignment_id)
        )
    client = app.test_client()
    token = client.post("/api/v1/tokens", json={"username": "justice.tayninh", "password": DEMO_PASSWORD}).get_json()
    auth = {"Authorization": f"Bearer {token['token']}"}
    etag = client.get(f"/api/v1/assignments/{assignment_id}", headers=auth).headers["ETag"]

    # Both requests pass the If-Match check before either writes.
    both_checked = threading.Barrier(2)
    real = assignments_api.report_progress

    def report_after_both_checked(*args, **kwargs):  # type: ignore[no-untyped-def]
        both_checked.wait(timeout=10)
        return real(*args, **kwargs)

    monkeypatch.setattr(assignments_api, "report_progress", report_after_both_checked)
    responses: dict[int, object] = {}

    def save(percent: int) -> None:
        response = app.test_client().post(
            f"/api/v1/assignments/{assignment_id}/updates",
            json={"note": f"Đạt {percent}%", "progress_percent": percent},
            headers={**auth, "If-Match": etag},
        )
        responses[percent] = (response.status_code, response.get_json(), response.headers.get("ETag"))

    threads = [threading.Thread(target=save, args=(percent,)) for percent in (81, 93)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    statuses = sorted(status for status, _, _ in responses.values())
    assert statuses == [201, 409], responses
    (winner,) = [p for p, (status, _, _) in responses.items() if status == 201]
    (_, problem, current_etag) = next(r for r in responses.values() if r[0] == 409)
    assert problem["current"]["progress_percent"] == winner  # the loser sees what the winner saved
    assert problem["current"]["etag"] == current_etag == responses[winner][2]
    with app.app_context():
        assignment = db.session.get(Assignment, assignment_id)
        assert assignment.progress_percent == winner
        updates = db.session.scalar(
            sa.select(sa.func.count(ProgressUpdate.id)).where(ProgressUpdate.assignment_id == assignment_id)
        )
        assert updates == updates_before + 1  # no lost update, no half-saved second one
        db.session.remove()
        db.engine.dispose()
