"""get_or_404: the one load-or-404-then-permission step of the web views."""

from __future__ import annotations

import pytest
from flask_login import login_user
from werkzeug.exceptions import Forbidden, NotFound

from coordination.access import get_or_404
from coordination.assignments.models import Assignment
from coordination.permissions import Permission
from tests.conftest import assignment_of, get_user


@pytest.mark.parametrize(
    ("username", "outcome"),
    [("justice.tayninh", "row"), ("education.tayninh", Forbidden), ("monitor.tayninh", Forbidden)],
)
def test_the_row_or_403(app, username: str, outcome) -> None:  # type: ignore[no-untyped-def]
    work = assignment_of("2157/UBND-KSTT", "5", "TN-STP")
    with app.test_request_context():
        login_user(get_user(username))
        if outcome == "row":
            assert get_or_404(Assignment, work.id, Permission.assignment_work) is work
        else:
            with pytest.raises(outcome):
                get_or_404(Assignment, work.id, Permission.assignment_work)


def test_a_missing_row_is_404_before_any_permission(app) -> None:
    with app.test_request_context():
        login_user(get_user("admin"))
        with pytest.raises(NotFound):
            get_or_404(Assignment, 999_999, Permission.assignment_work)


def test_the_permission_may_be_asked_of_a_related_object(app) -> None:
    work = assignment_of("2157/UBND-KSTT", "5", "TN-STP")
    with app.test_request_context():
        login_user(get_user("office.tayninh"))
        task = get_or_404(type(work.task), work.task_id, Permission.directive_edit, of=lambda t: t.directive)
        assert task is work.task
        login_user(get_user("justice.tayninh"))
        with pytest.raises(Forbidden):
            get_or_404(type(work.task), work.task_id, Permission.directive_edit, of=lambda t: t.directive)


def test_what_a_scoped_loader_did_not_find_is_404() -> None:
    from coordination.access import found_or_404

    assert found_or_404("row") == "row"
    with pytest.raises(NotFound):
        found_or_404(None)


def test_the_api_loaders_404_says_what_was_not_found(app) -> None:
    from coordination.access import found_or_404
    from coordination.errors import NotFound as ProblemNotFound

    with pytest.raises(ProblemNotFound) as refused:
        found_or_404(None, "Không tìm thấy chỉ tiêu số 7.", errors={"id": ["Không có chỉ tiêu này."]})
    assert (refused.value.status, refused.value.message) == (404, "Không tìm thấy chỉ tiêu số 7.")
