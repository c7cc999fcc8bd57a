"""A kept list page has its values written into its SQL once, when built (api.pagination.paged): no value is
rendered again at each execution, and the page's bounds stay its only parameters."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa

from coordination.api.pagination import paged
from coordination.assignments.models import Assignment
from coordination.assignments.queries import assignment_list_page
from coordination.assignments.states import Status
from coordination.auth.models import User
from coordination.extensions import db


def _compiled(statement: sa.Select) -> sa.engine.Compiled:
    return statement.compile(dialect=db.engine.dialect)


def test_a_kept_page_is_written_once_with_only_its_bounds_as_parameters(app):
    monitor = db.session.scalar(sa.select(User).where(User.username == "monitor.tayninh"))
    statement = assignment_list_page(monitor, {"timeliness": "overdue"}, day=date(2022, 9, 30))
    compiled = _compiled(statement)
    # nothing left for SQLAlchemy to render at each execution
    assert not compiled.literal_execute_params
    assert "POSTCOMPILE" not in compiled.string
    bounds = {"page_after", "page_limit"}
    if db.engine.dialect.name == "sqlite":
        bounds.add("param_1")  # SQLite's LIMIT ? OFFSET ?: an offset of 0, the same for every page
    assert set(compiled.params) == bounds
    assert "'2022-09-30'" in compiled.string
    assert "assignment.status NOT IN ('cancelled', 'done')" in compiled.string
    assert f"= {monitor.agency_id}" in compiled.string


def test_a_value_the_dialect_would_escape_twice_is_rendered_at_execution(app):
    query = sa.select(Assignment.id).where(
        Assignment.status == Status.in_progress,
        sa.literal("50%") != "x",  # the dialect doubles a %, and a literal column would double it again
    )
    compiled = _compiled(paged(query, Assignment.id))
    assert "'in_progress'" in compiled.string
    assert [bind.value for bind in compiled.literal_execute_params] == ["50%"]
    # and run, they give the page as before
    rows = db.session.execute(paged(query, Assignment.id), {"page_after": 0, "page_limit": 5}).all()
    assert len(rows) <= 5
