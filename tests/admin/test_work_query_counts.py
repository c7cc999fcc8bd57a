"""Query-count guards: the assignment page and the extension list run a fixed number of queries, whatever their rows."""

from __future__ import annotations

import io
from datetime import timedelta

from flask import g

from coordination.assignments.operations import report_progress, request_extension
from coordination.db import today
from coordination.evidence.operations import add_evidence
from coordination.extensions import db
from tests.conftest import assignment_of, count_queries, get_user, tiny_pdf


def _get(client, url: str) -> int:
    # As in tests/admin/test_query_counts.py: each request starts with an empty session, as in production.
    db.session.expunge_all()
    g.pop("_login_user", None)
    with count_queries() as statements:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(statements)


def test_assignment_page_queries_do_not_grow_with_its_history(client, login):
    assignment = assignment_of("2157/UBND-KSTT", "5", "TN-STP")
    url = f"/app/assignment/details/?id={assignment.id}"
    login("monitor.tayninh")
    few = _get(client, url)
    officer = get_user("justice.tayninh")
    assignment = assignment_of("2157/UBND-KSTT", "5", "TN-STP")
    assignment.deadline = today() + timedelta(days=5)
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
    for label, code, username in (
        ("5", "TN-STP", "justice.tayninh"),
        ("1", "TN-SGDDT", "education.tayninh"),
        ("7", "TN-SGDDT", "education.tayninh"),
    ):
        assignment = assignment_of("2157/UBND-KSTT", label, code)
        assignment.deadline = today() + timedelta(days=5)
        request_extension(assignment, today() + timedelta(days=9), f"Chờ {label}.", actor=get_user(username))
    db.session.commit()
    some = _get(client, "/app/extensions/")
    assert some == none
