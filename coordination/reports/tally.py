"""Reading the dashboards' counts from `assignment_tally`, which database triggers keep in step.

The table (migration 0014_assignment_tally, model assignments.models.AssignmentTally) holds, for the work of published
directives, counts by (issuer, monitor, assignee agency, kind, deadline). A kind other than "open" is the
timeliness itself, fixed once the work is done or reported; "open" work keeps its deadline, and this
module decides overdue / due soon / on time against the day asked, exactly as `states.timeliness_sql`
does. So the office's dashboard sums a few ten thousand rows instead of reading 430,000 assignments.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from coordination.assignments.models import Assignment, AssignmentTally, TallyRoll
from coordination.assignments.states import Timeliness, soon_limit
from coordination.auth.models import User
from coordination.db import today
from coordination.directives.models import Directive, DirectiveStatus
from coordination.extensions import db
from coordination.permissions import dashboard_tally_scope

OPEN = "open"
#: the deadline kept for the kinds that do not depend on it
NO_DEADLINE = date(1, 1, 1)


def timeliness(day: date, due_soon: int | date) -> sa.ColumnElement[str]:
    """A tally row's timeliness on `day`: its kind, or for open work the deadline's place against the day.

    `due_soon` as `states.timeliness_sql` takes it: the last deadline that is due soon (the app passes the
    working-day calendar's `due_soon_limit(day)`), or a number of calendar days.
    """
    t = AssignmentTally
    return sa.case(
        (t.kind != OPEN, t.kind),
        (t.deadline < day, Timeliness.overdue.value),
        (t.deadline <= soon_limit(day, due_soon), Timeliness.due_soon.value),
        else_=Timeliness.on_time.value,
    )


def grouped(user: User, agency_id: int | None, day: date, due_soon: int | date) -> list[tuple[int, str | None, int]]:
    """(agency id, timeliness, count) of the work in the user's dashboard scope, optionally one agency's."""
    t = AssignmentTally
    column = timeliness(day, due_soon).label("t")
    total = sa.func.sum(t.n)
    query = sa.select(t.agency_id, column, total).where(dashboard_tally_scope(user))
    if agency_id is not None:
        query = query.where(t.agency_id == agency_id)
    # rows brought to zero by later changes stay until a rebuild: a group of none is no group
    query = query.group_by(t.agency_id, column).having(total > 0)
    return [(agency, kind, int(number)) for agency, kind, number in db.session.execute(query)]


def agency_ids(user: User) -> sa.Select:
    """The agencies with counted work in the user's dashboard scope (the dashboard's agency choices)."""
    t = AssignmentTally
    return sa.select(t.agency_id).where(dashboard_tally_scope(user)).group_by(t.agency_id).having(sa.func.sum(t.n) > 0)


def _kind(a: type[Assignment] | sa.Table) -> sa.ColumnElement[str]:
    finished = sa.func.coalesce(a.reported_done_on, a.completed_on)
    return sa.case(
        (
            a.status == "done",
            sa.case(
                (sa.or_(a.deadline.is_(None), finished.is_(None), finished <= a.deadline), "done_on_time"),
                else_="done_late",
            ),
        ),
        (a.deadline.is_(None), "no_deadline"),
        (
            sa.and_(a.status == "reported_done", a.reported_done_on.is_not(None)),
            sa.case((a.reported_done_on <= a.deadline, "on_time"), else_="overdue"),
        ),
        else_=OPEN,
    )


def _counted() -> sa.Select:
    """(issuer, monitor, agency, kind, deadline, count) counted from the assignments: what the tally must hold."""
    a = Assignment
    kind = _kind(a)
    deadline = sa.case((kind == OPEN, a.deadline), else_=sa.literal(NO_DEADLINE, sa.Date))
    monitor = sa.func.coalesce(Directive.monitor_agency_id, 0)
    return (
        sa.select(Directive.issuer_id, monitor, a.agency_id, kind, deadline, sa.func.count())
        .select_from(a)
        .join(Directive, Directive.id == a.directive_id)
        .where(Directive.status != DirectiveStatus.draft, a.status != "cancelled")
        .group_by(Directive.issuer_id, monitor, a.agency_id, kind, deadline)
    )


def rolled_before() -> date | None:
    """The day the last roll merged open rows before; the tally answers for that day and later only."""
    return db.session.scalar(sa.select(TallyRoll.rolled_before))


def answers_for(day: date) -> bool:
    """Whether the tally's counts hold on `day` (not a day before its last roll)."""
    rolled = rolled_before()
    return rolled is None or day >= rolled


def roll(day: date) -> int:
    """Merge the open rows whose deadline is before `day` into one row per (issuer, monitor, agency); rows merged.

    Work open past its deadline is overdue on `day` and every day after, whatever its deadline: dated the day
    before `day`, it counts the same from then on. The triggers keep adding and subtracting at exact deadlines
    (an extension, a report of old work); the next roll folds those rows in too. Run daily (the reminders'
    timer: `flask report tally --roll`); rolling to a day before the last roll changes nothing.
    """
    if day > today():
        # the tally would stop answering for today (and the pages assume it answers for today)
        raise ValueError(f"a roll is for today or a day before it, not {day.isoformat()}")
    last = rolled_before()
    if last is not None and day <= last:
        return 0
    t = AssignmentTally.__table__
    old = sa.and_(t.c.kind == OPEN, t.c.deadline < day)
    key = (t.c.issuer_id, t.c.monitor_agency_id, t.c.agency_id)
    merged = db.session.execute(sa.select(*key, sa.func.sum(t.c.n)).where(old).group_by(*key)).all()
    moved = db.session.execute(sa.delete(t).where(old)).rowcount
    dialect = postgresql if db.session.get_bind().dialect.name == "postgresql" else sqlite
    day_before = date.fromordinal(day.toordinal() - 1)
    rows = [
        {"issuer_id": i, "monitor_agency_id": m, "agency_id": a, "kind": OPEN, "deadline": day_before, "n": int(n)}
        for i, m, a, n in merged
        if n
    ]
    if rows:
        insert = dialect.insert(t)
        db.session.execute(
            insert.on_conflict_do_update(
                index_elements=[*key, t.c.kind, t.c.deadline], set_={"n": t.c.n + insert.excluded.n}
            ),
            rows,
        )
    if last is None:
        db.session.add(TallyRoll(id=1, rolled_before=day))
    else:
        db.session.execute(sa.update(TallyRoll).values(rolled_before=day))
    db.session.flush()
    return moved


def differences() -> list[tuple[tuple, int, int]]:
    """(key, tally's count, assignments' count) wherever the two differ (rows at zero count as absent).

    After a roll, open work due before the roll's day is compared as the roll keeps it: dated the day before.
    """
    t = AssignmentTally
    rolled = rolled_before()

    def folded(rows: Iterable[Sequence[Any]]) -> dict[tuple, int]:
        sums: dict[tuple, int] = {}
        for issuer, monitor, agency, kind, deadline, n in rows:
            if rolled is not None and kind == OPEN and deadline < rolled:
                deadline = date.fromordinal(rolled.toordinal() - 1)
            key = (issuer, monitor, agency, kind, deadline)
            sums[key] = sums.get(key, 0) + n
        return {key: n for key, n in sums.items() if n}

    kept = folded(db.session.execute(sa.select(t.issuer_id, t.monitor_agency_id, t.agency_id, t.kind, t.deadline, t.n)))
    counted = folded(db.session.execute(_counted()))
    return sorted(
        (
            (key, kept.get(key, 0), counted.get(key, 0))
            for key in kept.keys() | counted.keys()
            if kept.get(key, 0) != counted.get(key, 0)
        ),
        key=lambda d: tuple(str(k) for k in d[0]),
    )


def rebuild(connection: sa.Connection | None = None) -> int:
    """Count the tally afresh from the assignments (after a bulk load, or to drop rows at zero); rows written.

    On `connection` if given (a loader's), else in the session's transaction.
    """
    run = connection.execute if connection is not None else db.session.execute
    rows = _counted()
    t = AssignmentTally.__table__
    run(sa.delete(t))
    run(sa.delete(TallyRoll.__table__))  # counted afresh at exact deadlines: nothing is rolled any more
    run(sa.insert(t).from_select(["issuer_id", "monitor_agency_id", "agency_id", "kind", "deadline", "n"], rows))
    return int(run(sa.select(sa.func.count()).select_from(t)).scalar_one())
