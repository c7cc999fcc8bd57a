"""Issue 11: the demo's current, fictional plan (demo/live.py) shows every state of work and a live target.

The suite's shared demo leaves it out (its counts are written by hand); these tests load it themselves.
"""

from __future__ import annotations

from datetime import date, timedelta

import sqlalchemy as sa

from coordination.agencies.models import Agency
from coordination.assignments.models import Assignment, ExtensionRequest, ExtensionStatus
from coordination.assignments.states import Status, Timeliness
from coordination.db import today
from coordination.demo.live import load_live_directive
from coordination.demo.loader import load_demo
from coordination.directives.models import Directive, Task
from coordination.extensions import db
from coordination.indicators.models import Indicator, Measurement
from coordination.indicators.trajectory import Rating, compute
from tests.support.monitoring import data_values

#: a fixed load day, after the real clock: request_extension refuses a requested day already past
DAY = date(2031, 3, 15)


def _rows(directive: Directive, day: date) -> list[tuple[str, str, str, str | None, int]]:
    """(label, agency, status, timeliness on `day`, deadline in days from `day`) in document order."""
    assignments = db.session.scalars(
        sa.select(Assignment)
        .join(Task)
        .join(Agency, Agency.id == Assignment.agency_id)
        .where(Task.directive_id == directive.id)
        .order_by(Task.position, Agency.code)
    )
    return [
        (
            a.task.display_label,
            a.agency.code,
            a.status.value,
            a.timeliness_on(day, 3).value,
            (a.deadline - day).days,
        )
        for a in assignments
    ]


def _counts() -> dict[str, int]:
    return {
        model.__name__: db.session.scalar(sa.select(sa.func.count()).select_from(model))
        for model in (Directive, Task, Assignment, Indicator, Measurement, ExtensionRequest)
    }


def test_the_live_plan_shows_every_state_dated_from_the_load_day(app) -> None:
    directive = load_live_directive(DAY)
    assert directive is not None and directive.ref == "68/KH-UBND"
    assert (directive.issued_on, directive.deadline) == (date(2031, 2, 13), date(2031, 4, 14))
    assert "văn bản minh họa" in directive.subject
    assert _rows(directive, DAY) == [
        ("1", "TN-CA", "in_progress", "on_time", 30),
        ("1", "TN-TINHDOAN", "not_started", "on_time", 30),
        ("2", "TN-STP", "in_progress", "on_time", 30),
        ("2, ý thứ nhất", "TN-STP", "in_progress", "overdue", -5),
        ("2, ý thứ hai", "TN-STP", "in_progress", "due_soon", 1),
        ("3", "TN-SGDDT", "in_progress", "due_soon", 2),
        ("4", "TN-SNV", "reported_done", "on_time", 10),
        ("5", "TN-STC", "returned", "on_time", 7),
        ("6", "TN-DPTTH", "done", "done_on_time", -8),
        ("7", "TN-BAOTN", "done", "done_late", -20),
        ("8", "TN-TPTAYNINH", "not_started", "on_time", 20),
    ]
    kinds = {a.timeliness_on(DAY, 3) for t in directive.tasks for a in t.assignments}
    assert kinds == {
        Timeliness.on_time,
        Timeliness.due_soon,
        Timeliness.overdue,
        Timeliness.done_on_time,
        Timeliness.done_late,
    }
    statuses = {a.status for t in directive.tasks for a in t.assignments}
    assert {Status.reported_done, Status.returned, Status.done, Status.in_progress, Status.not_started} <= statuses
    pending = db.session.scalars(
        sa.select(ExtensionRequest).join(Assignment).join(Task).where(Task.directive_id == directive.id)
    ).all()
    assert [(r.status, r.current_deadline, r.requested_deadline) for r in pending] == [
        (ExtensionStatus.pending, date(2031, 3, 16), date(2031, 3, 30))
    ]
    done_late = next(a for t in directive.tasks for a in t.assignments if a.agency.code == "TN-BAOTN")
    assert (done_late.reported_done_on, done_late.completed_on) == (date(2031, 3, 3), date(2031, 3, 4))


def test_the_live_target_is_on_a_live_trajectory(app) -> None:
    directive = load_live_directive(DAY)
    indicator = db.session.scalar(sa.select(Indicator).where(Indicator.directive_id == directive.id))
    trajectory = compute(indicator, DAY)
    assert (trajectory.target, trajectory.baseline, trajectory.actual) == (120000, 30000, 74600)
    assert trajectory.actual_on == DAY - timedelta(days=2)
    assert (trajectory.rating, trajectory.outcome, trajectory.percent) == (Rating.green, None, 62.1)
    assert trajectory.planned == 72000  # 30.000 + 90.000 x 28/60: ahead of plan
    assert trajectory.projected_on == date(2031, 4, 10)  # before the deadline, 14/04/2031
    # still open in the last days of the plan; met or missed only after it
    assert compute(indicator, date(2031, 4, 14)).outcome is None


def test_loading_again_adds_nothing(app) -> None:
    load_live_directive(DAY)
    before = _counts()
    assert load_live_directive(DAY) is None
    assert load_live_directive(DAY + timedelta(days=40)) is None  # a later day: still the same plan
    assert "0 directives added" in load_demo(live_on=DAY)
    assert _counts() == before


def test_flask_demo_load_adds_the_live_plan_once(app) -> None:
    runner = app.test_cli_runner()
    first = runner.invoke(args=["demo", "load", "--today", "2031-03-15"])
    assert first.exit_code == 0, first.output
    assert first.output.strip() == "demo: 0 agencies/groups, 0 users, 1 directives added"
    second = runner.invoke(args=["demo", "load", "--today", "2031-03-16"])
    assert second.output.strip() == "demo: 0 agencies/groups, 0 users, 0 directives added"
    assert db.session.scalar(sa.select(sa.func.count()).where(Directive.ref == "68/KH-UBND")) == 1


def test_the_pages_show_the_live_plan(client, login) -> None:
    """Loaded on the real day, as `flask demo load` does: the monitor's dashboard, queue and targets."""
    directive = load_live_directive(today())
    db.session.commit()
    login("monitor.tayninh")
    html = client.get("/app/dashboard/", query_string={"directive": directive.id}).get_data(as_text=True)
    counts = {k: int(v) for k, v in data_values(html, "data-count").items()}
    assert {k: counts[k] for k in ("on_time", "due_soon", "overdue", "done_on_time", "done_late")} == {
        "on_time": 6,
        "due_soon": 2,
        "overdue": 1,
        "done_on_time": 1,
        "done_late": 1,
    }
    assert "Tài khoản định danh điện tử mức độ 2 được kích hoạt" in html
    queue = client.get("/app/queue/").get_data(as_text=True)
    assert "68/KH-UBND" in queue and "Sở Nội vụ tỉnh Tây Ninh" in queue
    assert "Nhiệm vụ 2, ý thứ hai" in queue  # the extension request, named readably
    page = client.get(f"/app/indicators/?directive={directive.id}").get_data(as_text=True)
    assert 'data-rating="green"' in page and "Đạt kế hoạch" in page and "Không đạt" not in page
