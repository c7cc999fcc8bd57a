"""Dashboard numbers equal a count made independently in the test, on generated data."""

from __future__ import annotations

import random
from collections import Counter
from datetime import date, timedelta

import sqlalchemy as sa

from coordination.agencies.models import Agency
from coordination.assignments.models import Assignment
from coordination.directives.models import Directive
from coordination.directives.operations import activate_directive, create_directive
from coordination.extensions import db
from coordination.reports.dashboard import DashboardFilters, counts, league, overdue_query
from tests.conftest import get_user

TODAY = date(2026, 11, 25)


def _independent(status: str, deadline, reported, completed) -> str | None:  # type: ignore[no-untyped-def]
    """Written from the glossary, not from coordination.assignments.states."""
    if status == "cancelled":
        return None
    if status == "done":
        when = reported or completed
        return "done_late" if deadline and when and when > deadline else "done_on_time"
    if deadline is None:
        return "no_deadline"
    if status == "reported_done":
        return "overdue" if reported > deadline else "on_time"
    if deadline < TODAY:
        return "overdue"
    return "due_soon" if (deadline - TODAY).days <= 3 else "on_time"


def _generate(seed: int = 7) -> Directive:
    rng = random.Random(seed)
    districts = [a.code for a in db.session.scalars(sa.select(Agency).where(Agency.code.like("TN-H%")))]
    tasks = [
        {
            "label": str(i),
            "text": f"Nhiệm vụ {i}",
            "assignments": [{"agency": code, "role": "lead"} for code in rng.sample(districts, 3)],
        }
        for i in range(1, 31)
    ]
    directive = create_directive(
        {
            "number": "777",
            "symbol": "UBND-TH",
            "issued_on": date(2026, 10, 1),
            "subject": "Dữ liệu thử",
            "monitor_agency": "TN-CA",
            "tasks": tasks,
        },
        actor=get_user("office.tayninh"),
    )
    activate_directive(directive, actor=get_user("office.tayninh"))
    for task in directive.tasks:
        for assignment in task.assignments:
            status = rng.choice(["not_started", "in_progress", "reported_done", "done", "returned", "cancelled"])
            deadline = None if rng.random() < 0.1 else TODAY + timedelta(days=rng.randint(-40, 20))
            reported = completed = None
            if status in ("reported_done", "done"):
                base = deadline or TODAY
                reported = base + timedelta(days=rng.randint(-5, 5))
                completed = reported + timedelta(days=rng.randint(0, 4)) if status == "done" else None
            assignment.status, assignment.deadline = status, deadline
            assignment.reported_done_on, assignment.completed_on = reported, completed
    db.session.flush()
    return directive


def test_counts_and_league_equal_an_independent_count(app) -> None:
    directive = _generate()
    monitor = get_user("monitor.tayninh")
    filters = DashboardFilters(directive_id=directive.id)
    rows = db.session.scalars(
        sa.select(Assignment).join(Assignment.task).where(Assignment.task.has(directive_id=directive.id))
    ).all()
    expected = Counter(
        t for a in rows if (t := _independent(a.status, a.deadline, a.reported_done_on, a.completed_on)) is not None
    )
    got = counts(monitor, filters, day=TODAY)
    assert {k: v for k, v in got.items() if v} == dict(expected)
    table = league(monitor, filters, day=TODAY)
    per_agency: dict[str, Counter] = {}
    for a in rows:
        t = _independent(a.status, a.deadline, a.reported_done_on, a.completed_on)
        if t is not None:
            per_agency.setdefault(a.agency.code, Counter())[t] += 1
    assert {r.agency.code: {k: v for k, v in r.counts.items() if v} for r in table} == {
        code: dict(c) for code, c in per_agency.items()
    }
    for row in table:
        c = per_agency[row.agency.code]
        due = c["done_on_time"] + c["done_late"] + c["overdue"]
        assert row.percent_on_time == (round(100 * c["done_on_time"] / due, 1) if due else None)
    assert [r.counts["overdue"] for r in table] == sorted((r.counts["overdue"] for r in table), reverse=True)
    overdue = db.session.scalars(overdue_query(monitor, filters, day=TODAY)).unique().all()
    assert len(overdue) == expected["overdue"]
    days_late = [(TODAY - a.deadline).days for a in overdue if a.status != "reported_done"]
    assert days_late == sorted(days_late, reverse=True)


def test_scope_follows_the_role(app) -> None:
    _generate()
    assert sum(counts(get_user("monitor.tamdiep"), DashboardFilters(), day=TODAY).values()) == db.session.scalar(
        sa.select(sa.func.count(Assignment.id))
        .join(Assignment.task)
        .join(Directive)
        .where(Directive.ref == "570/UBND-CA", Assignment.status != "cancelled")
    )
    office_total = sum(counts(get_user("office.tayninh"), DashboardFilters(), day=TODAY).values())
    monitor_total = sum(counts(get_user("monitor.tayninh"), DashboardFilters(), day=TODAY).values())
    assert office_total == monitor_total > 0  # both directives of Tây Ninh are monitored by its police
    justice = get_user("justice.tayninh")
    mine = counts(justice, DashboardFilters(), day=TODAY)
    assert sum(mine.values()) == db.session.scalar(
        sa.select(sa.func.count(Assignment.id)).where(
            Assignment.agency_id == justice.agency_id, Assignment.status != "cancelled"
        )
    )


def test_agency_and_period_filters(app) -> None:
    directive = _generate()
    monitor = get_user("monitor.tayninh")
    agency_id = directive.tasks[0].assignments[0].agency_id
    only_one = counts(monitor, DashboardFilters(agency_id=agency_id), day=TODAY)
    assert sum(only_one.values()) == db.session.scalar(
        sa.select(sa.func.count(Assignment.id))
        .join(Assignment.task)
        .join(Directive)
        .where(
            Assignment.agency_id == agency_id,
            Assignment.status != "cancelled",
            Directive.monitor_agency_id == monitor.agency_id,
        )
    )
    in_2022 = counts(monitor, DashboardFilters(issued_from=date(2022, 1, 1), issued_to=date(2022, 12, 31)), day=TODAY)
    assert sum(in_2022.values()) == db.session.scalar(
        sa.select(sa.func.count(Assignment.id))
        .join(Assignment.task)
        .join(Directive)
        .where(Directive.ref == "2157/UBND-KSTT", Assignment.status != "cancelled")
    )
