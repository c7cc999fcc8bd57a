"""Query-count guards: the assignment page and the extension list run a fixed number of queries, whatever their rows."""

from __future__ import annotations

import io
from datetime import timedelta

from flask import g

from coordination.assignments.models import Assignment
from coordination.assignments.operations import report_progress, request_extension
from coordination.assignments.states import Status
from coordination.db import today
from coordination.evidence.operations import add_evidence
from coordination.extensions import db
from tests.conftest import count_queries, get_user, tiny_pdf
from tests.factories import make_assignment


def _get(client, url: str) -> int:
    # As in tests/admin/test_query_counts.py: each request starts with an empty session, as in production.
    db.session.expunge_all()
    g.pop("_login_user", None)
    with count_queries() as statements:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(statements)


def test_assignment_page_queries_do_not_grow_with_its_history(client, login):
    assignment = make_assignment("TN-STP", officer="justice.tayninh", status=Status.in_progress, deadline_in_days=5)
    db.session.commit()
    assignment_id = assignment.id
    url = f"/app/assignment/details/?id={assignment_id}"
    login("monitor.tayninh")
    few = _get(client, url)
    officer = get_user("justice.tayninh")
    assignment = db.session.get(Assignment, assignment_id)
    for i in range(6):
        update = report_progress(assignment, actor=officer, note=f"Ghi chú {i}", progress_percent=70 + i)
        add_evidence(assignment, io.BytesIO(tiny_pdf() + bytes([i])), f"tep-{i}.pdf", actor=officer, update=update)
    request_extension(assignment, today() + timedelta(days=9), "Chờ.", actor=officer)
    db.session.commit()
    many = _get(client, url)
    # the extension request adds its own box, not queries per row; nothing grows with notes or files
    assert many == few


def test_extension_list_queries_do_not_grow_with_rows(client, login):
    login("monitor.tayninh")
    none = _get(client, "/app/extensions/")
    for n, (code, username) in enumerate(
        (("TN-STP", "justice.tayninh"), ("TN-SGDDT", "education.tayninh"), ("TN-SGDDT", "education.tayninh"))
    ):
        assignment = make_assignment(code, officer=username, status=Status.in_progress, deadline_in_days=5)
        request_extension(assignment, today() + timedelta(days=9), f"Chờ {n}.", actor=get_user(username))
    db.session.commit()
    some = _get(client, "/app/extensions/")
    assert some == none
