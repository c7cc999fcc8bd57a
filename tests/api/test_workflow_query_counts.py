"""The assignment page and its history cost the same number of statements however long the record is."""

from __future__ import annotations

import io

from coordination.assignments.models import Assignment
from coordination.assignments.operations import report_progress, request_extension
from coordination.assignments.states import Status
from coordination.evidence.operations import add_evidence
from coordination.extensions import db
from tests.conftest import SETUP, count_queries, get_user
from tests.factories import make_assignment
from tests.support.workflow import PDF

MAX_QUERIES = 10


def _count(client, url: str) -> int:  # type: ignore[no-untyped-def]
    client.get(url)  # the token's first use writes its last use
    db.session.expunge_all()
    with count_queries() as statements:
        response = client.get(url)
    assert response.status_code == 200, response.get_data(as_text=True)
    return len(statements)


def test_the_record_and_the_history_do_not_grow_with_rows(api, store_dir):
    work = make_assignment("TN-STP", officer="justice.tayninh", status=Status.in_progress, deadline_in_days=20)
    db.session.commit()
    work_id = work.id
    client = api("monitor.tayninh")
    urls = [f"/api/v1/assignments/{work_id}", f"/api/v1/assignments/{work_id}/history?page_size=100"]
    small = [_count(client, url) for url in urls]
    work = db.session.get(Assignment, work_id)  # the requests' commits expired what the test held
    officer = get_user("justice.tayninh")
    for i in range(6):
        report_progress(work, actor=officer if i % 2 else SETUP, note=f"Bước {i}", progress_percent=10 + i)
        add_evidence(work, io.BytesIO(PDF + bytes([i])), f"bc-{i}.pdf", actor=officer)
    request_extension(work, work.deadline.replace(year=work.deadline.year + 1), "Thêm thời gian.", actor=officer)
    db.session.commit()
    large = [_count(client, url) for url in urls]
    # The record reads its files and extension requests once there are some (one query each, whatever their
    # number); the history reads the same.
    assert large == [small[0] + 2, small[1]]
    assert max(large) <= MAX_QUERIES
