"""The maintained tally behind the dashboards (assignment_tally) stays in step with every write, and the
dashboard read from it equals the count made from the assignments themselves."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from coordination.agencies.models import Agency
from coordination.assignments.models import Assignment, AssignmentTally
from coordination.assignments.operations import decide_extension, report_progress, request_extension, review_assignment
from coordination.assignments.states import Action
from coordination.db import today
from coordination.directives.operations import activate_directive, remove_assignment
from coordination.extensions import db
from coordination.reminders.queries import overdue_page
from coordination.reports import tally
from coordination.reports.dashboard import DashboardFilters, _grouped_live, summary
from coordination.reports.dashboard_schemas import DashboardSchema
from coordination.workdays.calendar import due_soon_limit
from tests.conftest import USERS, get_user
from tests.factories import make_directive
from tests.reports.test_dashboard import _generate

NONE = tally.NO_DEADLINE


def _rows() -> dict[tuple, int]:
    t = AssignmentTally
    query = sa.select(t.issuer_id, t.monitor_agency_id, t.agency_id, t.kind, t.deadline, t.n)
    return {tuple(r[:5]): r[5] for r in db.session.execute(query)}


def _delta(before: dict[tuple, int]) -> dict[tuple, int]:
    """What changed since `before`, by (agency code, kind, deadline); keys netting to zero left out."""
    codes = dict(db.session.execute(sa.select(Agency.id, Agency.code)).all())
    after = _rows()
    changed: dict[tuple, int] = {}
    for key in before.keys() | after.keys():
        diff = after.get(key, 0) - before.get(key, 0)
        if diff:
            short = (codes[key[2]], key[3], key[4])
            changed[short] = changed.get(short, 0) + diff
    return {k: v for k, v in changed.items() if v}


def test_the_tally_follows_each_operation(app) -> None:
    day = today()
    due, later = day + timedelta(days=10), day + timedelta(days=40)
    office, monitor = get_user("office.tayninh"), get_user("monitor.tayninh")
    start = _rows()

    draft = make_directive({"1": ["TN-SGDDT"], "2": ["TN-STP"]}, activate=False)
    assert _delta(start) == {}, "a draft's work is not counted"
    activate_directive(draft, actor=office)
    db.session.flush()
    assert _delta(start) == {("TN-SGDDT", "open", due): 1, ("TN-STP", "open", due): 1}

    education = draft.tasks[0].assignments[0]
    justice = draft.tasks[1].assignments[0]
    report_progress(education, actor=get_user("education.tayninh"), action=Action.start, note="bắt đầu")
    report_progress(education, actor=get_user("education.tayninh"), action=Action.report_done, note="xong")
    db.session.flush()
    assert _delta(start) == {("TN-SGDDT", "on_time", NONE): 1, ("TN-STP", "open", due): 1}

    review_assignment(education, "accept", "", actor=monitor)
    db.session.flush()
    assert _delta(start) == {("TN-SGDDT", "done_on_time", NONE): 1, ("TN-STP", "open", due): 1}

    request = request_extension(justice, later, "Cần thêm thời gian.", actor=get_user("justice.tayninh"))
    decide_extension(request, "approve", "", actor=monitor)
    db.session.flush()
    assert _delta(start) == {("TN-SGDDT", "done_on_time", NONE): 1, ("TN-STP", "open", later): 1}

    report_progress(justice, actor=get_user("justice.tayninh"), action=Action.start, note="bắt đầu")
    remove_assignment(justice, actor=office, reason="Giao lại cho cơ quan khác.")
    db.session.flush()
    assert _delta(start) == {("TN-SGDDT", "done_on_time", NONE): 1}, "cancelled work counts nowhere"
    assert tally.differences() == []

    # the database's own cascade (directive -> task -> assignment) takes the directive's work away too
    db.session.execute(sa.text("DELETE FROM directive WHERE id = :id"), {"id": draft.id})
    db.session.expunge_all()
    assert _delta(start) == {}


def test_a_monitor_change_moves_the_directives_work(app) -> None:
    directive = make_directive({"1": ["TN-SGDDT", "TN-STP"]}, deadline_in_days=None)
    start = _rows()
    ca, tp = (db.session.scalar(sa.select(Agency.id).where(Agency.code == c)) for c in ("TN-CA", "TN-STP"))
    directive.monitor_agency_id = tp
    db.session.flush()
    t = AssignmentTally
    moved = db.session.execute(
        sa.select(t.monitor_agency_id, sa.func.sum(t.n)).where(t.kind == "no_deadline").group_by(t.monitor_agency_id)
    ).all()
    before = {m: sum(n for k, n in start.items() if k[1] == m and k[3] == "no_deadline") for m in (ca, tp)}
    assert dict(moved)[tp] - before[tp] == 2
    assert dict(moved).get(ca, 0) - before[ca] == -2


@pytest.mark.parametrize("shift", [0, -40, 30])
def test_the_tally_counts_what_the_assignments_count(app, shift) -> None:
    """For every demo role, on generated work of every status and deadline, and on several days."""
    _generate()
    day = today() + timedelta(days=shift)
    for username in USERS:
        user = get_user(username)
        for agency_id in (None, db.session.scalar(sa.select(Agency.id).where(Agency.code == "TN-HGD"))):
            live = sorted(_grouped_live(user, DashboardFilters(agency_id=agency_id), day))
            kept = sorted(tally.grouped(user, agency_id, day, due_soon_limit(day)))
            assert kept == live, (username, agency_id, shift)


def test_the_cli_checks_the_tally_and_rebuilds_it(app) -> None:
    _generate()
    runner = app.test_cli_runner()
    result = runner.invoke(args=["report", "tally"])
    assert result.exit_code == 0 and "in step" in result.output, result.output
    t = AssignmentTally
    db.session.execute(sa.update(t).where(t.kind == "done_late").values(n=t.n + 1))
    result = runner.invoke(args=["report", "tally"])
    assert result.exit_code == 1 and "done_late" in result.output, result.output
    result = runner.invoke(args=["report", "tally", "--rebuild"])
    assert result.exit_code == 0, result.output
    assert tally.differences() == []


def test_a_rebuild_writes_what_the_triggers_kept(app) -> None:
    _generate()
    kept = {k: n for k, n in _rows().items() if n}
    tally.rebuild()
    assert _rows() == kept


def test_the_api_sends_the_documented_schemas_dump(app, api) -> None:
    """The dashboard's JSON is written out by hand: it must equal DashboardSchema's dump of the same numbers."""
    _generate()
    user = get_user("monitor.tayninh")
    numbers, table = summary(user, DashboardFilters())
    expected = DashboardSchema().dump(
        {
            "counts": numbers,
            "agencies": [
                {"agency": r.agency, **r.counts, "total": r.total, "percent_on_time": r.percent_on_time} for r in table
            ],
            "overdue": overdue_page(user, DashboardFilters(), 50).rows,
        }
    )
    body = api("monitor.tayninh").get("/api/v1/dashboard").get_json()
    assert body == expected
    assert body["overdue"] and body["agencies"]


def test_the_dashboards_counts_never_read_the_assignments(app) -> None:
    """PostgreSQL's plan of the office's counts: the tally's rows only, never a scan of assignment."""
    if db.engine.dialect.name != "postgresql":
        pytest.skip("EXPLAIN plans are PostgreSQL's")
    _generate()
    user = get_user("office.tayninh")
    t = AssignmentTally
    column = tally.timeliness(date(2026, 11, 25), 3)
    query = (
        sa.select(t.agency_id, column, sa.func.sum(t.n))
        .where(t.issuer_id == user.agency_id)
        .group_by(t.agency_id, column)
    )
    compiled = query.compile(db.engine, compile_kwargs={"literal_binds": True})
    plan = "\n".join(r[0] for r in db.session.execute(sa.text(f"EXPLAIN {compiled}")))
    assert "assignment_tally" in plan and " on assignment " not in plan.lower(), plan


# --- the daily roll: open work past its deadline merged into one row per agency


def test_the_roll_merges_overdue_rows_and_counts_stay_the_same(app) -> None:
    _generate()
    day = today()
    t = AssignmentTally
    open_before = db.session.scalar(sa.select(sa.func.count()).where(t.kind == "open", t.deadline < day, t.n != 0))
    assert open_before > 10  # the generated work has many past deadlines, each agency several
    users = [get_user(u) for u in USERS]
    before = {u.username: sorted(tally.grouped(u, None, day, due_soon_limit(day))) for u in users}

    merged = tally.roll(day)
    assert merged >= open_before
    yesterday = day - timedelta(days=1)
    left = db.session.execute(sa.select(t.deadline).where(t.kind == "open", t.deadline < day)).scalars().all()
    assert set(left) == {yesterday}  # one row per (issuer, monitor, agency), dated the day before
    assert len(left) < open_before
    assert tally.rolled_before() == day
    for user in users:
        assert sorted(tally.grouped(user, None, day, due_soon_limit(day))) == before[user.username], user.username
        later = day + timedelta(days=30)
        live = sorted(_grouped_live(user, DashboardFilters(), later))
        assert sorted(tally.grouped(user, None, later, due_soon_limit(later))) == live, user.username
    assert tally.differences() == []
    # rolling again to the same day, or to an earlier one, changes nothing
    assert tally.roll(day) == 0
    assert tally.roll(day - timedelta(days=5)) == 0


def test_after_a_roll_writes_on_old_work_keep_the_counts_right(app) -> None:
    """Reporting old overdue work subtracts at its own deadline (a row the roll merged away): the sums stay right."""
    directive = _generate()
    day = today()
    tally.roll(day)
    office, monitor = get_user("office.tayninh"), get_user("monitor.tayninh")
    late = [
        a
        for task in directive.tasks
        for a in task.assignments
        if a.status in ("not_started", "in_progress") and a.deadline is not None and a.deadline < day
    ]
    assert len(late) >= 3
    # written straight to the table: the triggers keep the tally whatever writes the row
    a = Assignment.__table__
    done = [x.id for x in late[:2]]
    db.session.execute(sa.update(a).where(a.c.id.in_(done)).values(status="done", completed_on=day))
    moved = late[2]
    db.session.execute(sa.update(a).where(a.c.id == moved.id).values(deadline=day + timedelta(days=9)))
    db.session.expire_all()
    assert tally.differences() == []
    for user in (office, monitor):
        live = sorted(_grouped_live(user, DashboardFilters(), day))
        assert sorted(tally.grouped(user, None, day, due_soon_limit(day))) == live


def test_a_day_before_the_roll_is_counted_from_the_assignments(app) -> None:
    _generate()
    day = today()
    tally.roll(day)
    user = get_user("monitor.tayninh")
    earlier = day - timedelta(days=20)
    numbers, _table = summary(user, DashboardFilters(), day=earlier)
    live = _grouped_live(user, DashboardFilters(), earlier)
    assert numbers["overdue"] == sum(n for _agency, kind, n in live if kind == "overdue")
    assert not tally.answers_for(earlier) and tally.answers_for(day)


def test_the_cli_rolls_and_refuses_a_day_to_come(app) -> None:
    _generate()
    runner = app.test_cli_runner()
    tomorrow = (today() + timedelta(days=1)).isoformat()
    result = runner.invoke(args=["report", "tally", "--roll", "--today", tomorrow])
    assert result.exit_code == 2 and "chưa đến" in result.output, result.output
    assert tally.rolled_before() is None
    result = runner.invoke(args=["report", "tally", "--roll"])
    assert result.exit_code == 0 and "merged" in result.output, result.output
    assert tally.rolled_before() == today()
    assert runner.invoke(args=["report", "tally"]).exit_code == 0
    result = runner.invoke(args=["report", "tally", "--rebuild"])
    assert result.exit_code == 0 and tally.rolled_before() is None
