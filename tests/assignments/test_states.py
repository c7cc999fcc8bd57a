"""The state machine and timeliness: every transition, and Python and SQL agree."""

from __future__ import annotations

import itertools
from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from coordination.assignments.states import (
    TRANSITIONS,
    Action,
    Status,
    Timeliness,
    TransitionError,
    allowed_actions,
    next_status,
    timeliness,
    timeliness_sql,
)
from coordination.extensions import db

EXPECTED = {
    (Action.start, Status.not_started): Status.in_progress,
    (Action.report_done, Status.in_progress): Status.reported_done,
    (Action.accept, Status.reported_done): Status.done,
    (Action.return_, Status.reported_done): Status.returned,
    (Action.resume, Status.returned): Status.in_progress,
    (Action.cancel, Status.not_started): Status.cancelled,
    (Action.cancel, Status.in_progress): Status.cancelled,
    (Action.cancel, Status.reported_done): Status.cancelled,
    (Action.cancel, Status.returned): Status.cancelled,
}


@pytest.mark.parametrize(("action", "status"), list(itertools.product(Action, Status)))
def test_every_transition_allowed_or_refused(action: Action, status: Status) -> None:
    if (action, status) in EXPECTED:
        assert next_status(action, status) == EXPECTED[(action, status)]
    else:
        with pytest.raises(TransitionError):
            next_status(action, status)


def test_transition_table_is_exactly_the_documented_one() -> None:
    assert TRANSITIONS == EXPECTED


def test_closed_work_allows_nothing() -> None:
    assert allowed_actions(Status.done) == []
    assert allowed_actions(Status.cancelled) == []
    assert set(allowed_actions(Status.reported_done)) == {Action.accept, Action.return_, Action.cancel}


TODAY = date(2026, 11, 25)
D = timedelta(days=1)

# (status, deadline, reported_done_on, completed_on) -> expected, today = TODAY, due soon = 3 days
CASES = [
    (Status.not_started, None, None, None, Timeliness.no_deadline),
    (Status.in_progress, TODAY + 10 * D, None, None, Timeliness.on_time),
    (Status.in_progress, TODAY + 4 * D, None, None, Timeliness.on_time),
    (Status.in_progress, TODAY + 3 * D, None, None, Timeliness.due_soon),
    (Status.not_started, TODAY, None, None, Timeliness.due_soon),
    (Status.not_started, TODAY - D, None, None, Timeliness.overdue),
    (Status.returned, TODAY - 30 * D, None, None, Timeliness.overdue),
    (Status.reported_done, TODAY - 5 * D, TODAY - 6 * D, None, Timeliness.on_time),
    (Status.reported_done, TODAY - 5 * D, TODAY - 5 * D, None, Timeliness.on_time),
    (Status.reported_done, TODAY - 5 * D, TODAY - 4 * D, None, Timeliness.overdue),
    (Status.reported_done, TODAY + 10 * D, TODAY, None, Timeliness.on_time),
    # reported on time, accepted late: done on time
    (Status.done, TODAY - 10 * D, TODAY - 11 * D, TODAY - 2 * D, Timeliness.done_on_time),
    (Status.done, TODAY - 10 * D, TODAY - 10 * D, TODAY - 9 * D, Timeliness.done_on_time),
    (Status.done, TODAY - 10 * D, TODAY - 9 * D, TODAY - 9 * D, Timeliness.done_late),
    (Status.done, TODAY - 10 * D, None, TODAY - 9 * D, Timeliness.done_late),
    (Status.done, TODAY - 10 * D, None, TODAY - 10 * D, Timeliness.done_on_time),
    (Status.done, None, TODAY, TODAY, Timeliness.done_on_time),
    (Status.cancelled, TODAY - D, None, None, None),
    (Status.cancelled, None, None, None, None),
]


@pytest.mark.parametrize(("status", "deadline", "reported", "completed", "expected"), CASES)
def test_timeliness_python(status, deadline, reported, completed, expected) -> None:  # type: ignore[no-untyped-def]
    assert timeliness(status, deadline, reported, completed, TODAY, 3) == expected


def test_timeliness_sql_agrees_with_python(app) -> None:  # type: ignore[no-untyped-def]
    """Evaluate the SQL CASE on every case at once, in the real database, and compare."""
    rows = [
        sa.select(
            sa.literal(i).label("i"),
            sa.literal(status.value, sa.String).label("status"),
            sa.literal(deadline, sa.Date).label("deadline"),
            sa.literal(reported, sa.Date).label("reported"),
            sa.literal(completed, sa.Date).label("completed"),
        )
        for i, (status, deadline, reported, completed, _expected) in enumerate(CASES)
    ]
    cases = sa.union_all(*rows).subquery()
    expression = timeliness_sql(cases.c.status, cases.c.deadline, cases.c.reported, cases.c.completed, TODAY, 3)
    got = dict(db.session.execute(sa.select(cases.c.i, expression)).all())
    for i, case in enumerate(CASES):
        expected = case[-1]
        assert got[i] == (expected.value if expected else None), case


def test_timeliness_hybrid_filters_like_python(app) -> None:  # type: ignore[no-untyped-def]
    """The hybrid on Assignment: SQL filter and Python property agree on the demo data."""
    from coordination.assignments.models import Assignment

    for day in (date(2021, 5, 1), date(2022, 9, 28), TODAY):
        expression = Assignment.timeliness_on(day, 3)
        in_sql = dict(db.session.execute(sa.select(Assignment.id, expression)).all())
        for assignment in db.session.scalars(sa.select(Assignment)):
            python_value = assignment.timeliness_on(day, 3)
            assert in_sql[assignment.id] == (python_value.value if python_value else None)


@pytest.mark.parametrize("wanted", list(Timeliness))
def test_prefilter_never_drops_a_row_of_its_timeliness(app, wanted: Timeliness) -> None:  # type: ignore[no-untyped-def]
    """The index-friendly prefilter is implied by the timeliness it narrows (on the cases and the demo)."""
    from coordination.assignments.models import Assignment
    from coordination.assignments.states import timeliness_prefilter_sql

    rows = [
        sa.select(
            sa.literal(i).label("i"),
            sa.literal(status.value, sa.String).label("status"),
            sa.literal(deadline, sa.Date).label("deadline"),
            sa.literal(reported, sa.Date).label("reported"),
            sa.literal(completed, sa.Date).label("completed"),
        )
        for i, (status, deadline, reported, completed, _expected) in enumerate(CASES)
    ]
    cases = sa.union_all(*rows).subquery()
    case = timeliness_sql(cases.c.status, cases.c.deadline, cases.c.reported, cases.c.completed, TODAY, 3)
    prefilter = timeliness_prefilter_sql(wanted, cases.c.status, cases.c.deadline, TODAY, 3)
    matching = sa.select(sa.func.count()).select_from(cases).where(case == wanted.value)
    assert db.session.scalar(matching.where(sa.not_(prefilter))) == 0
    assert db.session.scalar(matching) == sum(1 for c in CASES if c[-1] == wanted)
    # the demo as of today: every report lies in the past, as in real use
    of_this_kind = sa.select(sa.func.count(Assignment.id)).where(Assignment.timeliness_on(TODAY, 3) == wanted.value)
    narrowed = of_this_kind.where(timeliness_prefilter_sql(wanted, Assignment.status, Assignment.deadline, TODAY, 3))
    assert db.session.scalar(narrowed) == db.session.scalar(of_this_kind)
