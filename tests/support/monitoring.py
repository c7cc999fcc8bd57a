"""Monitoring tests: generated work around today, the API client fixtures, and small page readers."""

from __future__ import annotations

import random
import re
from datetime import date, timedelta
from typing import Any

import sqlalchemy as sa
from flask import g

from coordination.agencies.models import Agency
from coordination.assignments.models import Assignment
from coordination.db import today
from coordination.directives.models import Directive
from coordination.directives.operations import activate_directive, create_directive
from coordination.extensions import db
from tests.conftest import get_user
from tests.support.api import assert_problem  # noqa: F401 - the helper, shared with the API tests


def generate_work(*, tasks: int = 20, per_task: int = 3, seed: int = 11, number: str = "888") -> Directive:
    """An active Tây Ninh directive (monitored by TN-CA) with work in every state, deadlines around today."""
    rng = random.Random(seed)
    day = today()
    districts = [a.code for a in db.session.scalars(sa.select(Agency).where(Agency.code.like("TN-H%")))]
    directive = create_directive(
        {
            "number": number,
            "symbol": "UBND-TD",
            "issued_on": day - timedelta(days=60),
            "subject": "Dữ liệu thử cho bảng theo dõi",
            "monitor_agency": "TN-CA",
            "tasks": [
                {
                    "label": str(i),
                    "text": f"Nhiệm vụ thử số {i}",
                    "assignments": [{"agency": c, "role": "lead"} for c in rng.sample(districts, per_task)],
                }
                for i in range(1, tasks + 1)
            ],
        },
        actor=get_user("office.tayninh"),
    )
    activate_directive(directive, actor=get_user("office.tayninh"))
    for task in directive.tasks:
        for a in task.assignments:
            status = rng.choice(["not_started", "in_progress", "reported_done", "done", "returned", "cancelled"])
            deadline = None if rng.random() < 0.1 else day + timedelta(days=rng.randint(-40, 20))
            reported = completed = None
            if status in ("reported_done", "done"):
                reported = min((deadline or day) + timedelta(days=rng.randint(-5, 5)), day)
                completed = min(reported + timedelta(days=rng.randint(0, 4)), day) if status == "done" else None
            a.status, a.deadline, a.reported_done_on, a.completed_on = status, deadline, reported, completed
    db.session.commit()
    return directive


def fresh() -> None:
    """Start the next request as production does: an empty identity map and no cached user."""
    db.session.expunge_all()
    g.pop("_login_user", None)


def data_values(html: str, attribute: str) -> dict[str, str]:
    """{key: data-value} of elements carrying `attribute`="key" and a data-value."""
    pattern = re.compile(rf'{attribute}="([^"]+)"[^>]*?data-value="([^"]*)"')
    return dict(pattern.findall(html))


def league_rows(html: str) -> list[tuple[str, dict[str, str]]]:
    """The dashboard's agency table: [(agency code, {column: value})] in page order."""
    rows = []
    for block in re.findall(r'<tr class="league-row" data-agency="([^"]+)">(.*?)</tr>', html, flags=re.S):
        code, body = block
        rows.append((code, dict(re.findall(r'data-col="([^"]+)" data-value="([^"]*)"', body))))
    return rows


def ids_of(html: str, css_class: str) -> list[int]:
    return [int(v) for v in re.findall(rf'class="{css_class}"[^>]*?data-id="(\d+)"', html)]


def overdue_of(agency_code: str, ref: str = "2157/UBND-KSTT") -> Assignment:
    """An open, overdue assignment (not reported) of the agency on the directive."""
    assignment = db.session.scalar(
        sa.select(Assignment)
        .join(Assignment.task)
        .join(Directive)
        .join(Agency, Agency.id == Assignment.agency_id)
        .where(
            Directive.ref == ref,
            Agency.code == agency_code,
            Assignment.status.in_(["not_started", "in_progress", "returned"]),
            Assignment.deadline < today(),
        )
        .order_by(Assignment.id)
    )
    assert assignment is not None, agency_code
    return assignment


def vn(day: date) -> str:
    return day.strftime("%d/%m/%Y")


def json_of(value: Any) -> Any:
    """A value as the API writes it (dates ISO)."""
    if isinstance(value, dict):
        return {k: json_of(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [json_of(v) for v in value]
    if isinstance(value, date):
        return value.isoformat()
    return value
