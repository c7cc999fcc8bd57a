"""Domain objects made for a test through the real operations, instead of bending the demo's rows.

Each factory writes what a user would (create, activate, report, review) and flushes; the test's
savepoint rolls it all back. Deadlines are relative to today, so a test states its own figures.
"""

from __future__ import annotations

import itertools
from datetime import date, timedelta
from typing import Any

import sqlalchemy as sa

from coordination.agencies.models import Agency, AgencyKind, AgencyLevel
from coordination.assignments.models import Assignment
from coordination.assignments.operations import report_progress, review_assignment
from coordination.assignments.states import Action, Status
from coordination.auth.models import User
from coordination.auth.operations import create_user
from coordination.db import today
from coordination.directives.models import Directive
from coordination.directives.operations import activate_directive, create_directive
from coordination.extensions import db
from tests.conftest import SETUP, get_user

_numbers = itertools.count(9001)


def make_directive(
    tasks: dict[str, list[str]],
    *,
    office: str = "office.tayninh",
    monitor_agency: str = "TN-CA",
    issued_on: date | None = None,
    deadline_in_days: int | None = 10,
    task_deadlines: dict[str, int | None] | None = None,
    activate: bool = True,
    **fields: Any,
) -> Directive:
    """A directive of `office`'s issuer: task label → lead agency codes.

    Each task is due in `deadline_in_days` (None: no deadline), or in `task_deadlines[label]` days where given.
    """
    day = today()

    def due(label: str) -> date | None:
        days = (task_deadlines or {}).get(label, deadline_in_days)
        return day + timedelta(days=days) if days is not None else None

    data = {
        "number": str(next(_numbers)),
        "symbol": "UBND-TEST",
        "issued_on": issued_on or day - timedelta(days=30),
        "subject": "Văn bản thử",
        "monitor_agency": monitor_agency,
        "tasks": [
            {
                "label": label,
                "text": f"Nhiệm vụ {label}",
                "deadline": due(label),
                "assignments": [{"agency": code, "role": "lead"} for code in codes],
            }
            for label, codes in tasks.items()
        ],
        **fields,
    }
    actor = get_user(office)
    directive = create_directive(data, actor=actor)
    if activate:
        activate_directive(directive, actor=actor)
    db.session.flush()
    return directive


#: the actions that bring new work to each status through the state machine (the monitor accepts or returns)
_STEPS: dict[Status, list[Action]] = {
    Status.not_started: [],
    Status.in_progress: [Action.start],
    Status.reported_done: [Action.start, Action.report_done],
    Status.done: [Action.start, Action.report_done, Action.accept],
    Status.returned: [Action.start, Action.report_done, Action.return_],
}


#: the demo's two issuers: the office that registers, the agency that monitors and its user
TAY_NINH = {"office": "office.tayninh", "monitor_agency": "TN-CA", "monitor": "monitor.tayninh"}
TAM_DIEP = {"office": "office.tamdiep", "monitor_agency": "TD-CA", "monitor": "monitor.tamdiep"}


def make_assignment(
    code: str = "TN-SGDDT",
    *,
    officer: str = "education.tayninh",
    office: str = "office.tayninh",
    monitor_agency: str = "TN-CA",
    monitor: str = "monitor.tayninh",
    status: Status = Status.not_started,
    deadline_in_days: int | None = 10,
    beside: tuple[str, ...] = (),
) -> Assignment:
    """One agency's assignment (task "1") on a directive of its own, brought to `status` by its officer and monitor.

    `beside` agencies get task "2" of the same directive, so that they see the directive but not this work.
    """
    tasks = {"1": [code], **({"2": list(beside)} if beside else {})}
    directive = make_directive(tasks, office=office, monitor_agency=monitor_agency, deadline_in_days=deadline_in_days)
    (assignment,) = directive.tasks[0].assignments
    for action in _STEPS[status]:
        if action in (Action.accept, Action.return_):
            decision = "accept" if action == Action.accept else "return"
            review_assignment(
                assignment, decision, "Trả lại để bổ sung." if decision == "return" else "", actor=get_user(monitor)
            )
        else:
            report_progress(assignment, actor=get_user(officer), action=action, note=f"{action.value}")
    db.session.flush()
    return assignment


def make_agency(code: str, name_vi: str, *, parent: str = "TN-UBND") -> Agency:
    """A department of `parent`'s province with no work and no users yet (the demo's agencies all have some)."""
    agency = Agency(
        code=code,
        name_vi=name_vi,
        kind=AgencyKind.department,
        level=AgencyLevel.province,
        parent=db.session.scalar(sa.select(Agency).where(Agency.code == parent)),
    )
    db.session.add(agency)
    db.session.flush()
    return agency


def make_user(username: str, full_name: str, agency: str, *, head: bool = False, role: str = "officer") -> User:
    """An account of `agency` (a code), made as the admin would (password `demo-2026-test`)."""
    return create_user(
        {
            "username": username,
            "full_name": full_name,
            "role": role,
            "agency": agency,
            "is_head": head,
            "password": "demo-2026-test",
        },
        actor=SETUP,
    )
