"""Role rules live in coordination/permissions.py only; its named predicates answer as written here."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
import sqlalchemy as sa

from coordination import permissions
from coordination.assignments.models import Assignment
from coordination.auth.models import Role
from coordination.directives.models import Directive, Task
from coordination.extensions import db
from tests.conftest import USERS, directive, get_user

PACKAGE = Path(__file__).resolve().parent.parent / "coordination"
ROLE_NAMES = {"admin", "office", "monitor", "officer"}


def _role_comparisons(tree: ast.AST) -> list[int]:
    """Lines comparing something with a user role: `x.role == Role.office`, `user.role in (...)`, `Role.admin != r`."""
    lines = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Compare):
            continue
        operands = [node.left, *node.comparators]
        for operand in operands:
            names = [operand] if not isinstance(operand, ast.Tuple | ast.List | ast.Set) else operand.elts
            for name in names:
                if (
                    isinstance(name, ast.Attribute)
                    and isinstance(name.value, ast.Name)
                    and name.value.id == "Role"
                    and name.attr in ROLE_NAMES
                ) or (
                    isinstance(name, ast.Attribute)
                    and name.attr == "value"
                    and isinstance(name.value, ast.Attribute)
                    and isinstance(name.value.value, ast.Name)
                    and name.value.value.id == "Role"
                ):
                    lines.append(node.lineno)
    return lines


def test_role_rules_are_only_in_permissions() -> None:
    found = {}
    for source in sorted(PACKAGE.rglob("*.py")):
        if source == PACKAGE / "permissions.py":
            continue
        lines = _role_comparisons(ast.parse(source.read_text(encoding="utf-8")))
        if lines:
            found[str(source.relative_to(PACKAGE))] = lines
    # the demo loader picks its demo users by role (a query, not a rule about who may do what)
    assert found == {}, f"role comparisons outside permissions.py: {found}"


def test_the_scan_finds_a_role_comparison() -> None:
    tree = ast.parse("if user.role == Role.office or Role.admin.value != x or r in (Role.monitor,):\n    pass\n")
    assert len(_role_comparisons(tree)) == 3


@pytest.mark.parametrize(
    ("role", "needs_agency", "administers"),
    [(Role.admin, False, True), (Role.office, True, False), (Role.monitor, True, False), (Role.officer, True, False)],
)
def test_account_rules(role: Role, needs_agency: bool, administers: bool) -> None:
    assert permissions.role_needs_agency(role) is needs_agency
    assert permissions.role_administers(role) is administers


#: user: (sees all work in 2157/UBND-KSTT, in 570/UBND-CA, reports in own name, to issuers, own-agency dashboard)
EXPECTED = {
    "admin": (True, True, False, False, False),
    "office.tayninh": (True, False, True, False, False),
    "monitor.tayninh": (True, False, True, True, False),
    "justice.tayninh": (False, False, False, False, True),
    "education.tayninh": (False, False, False, False, True),
    "office.tamdiep": (False, True, True, False, False),
    "monitor.tamdiep": (False, True, True, True, False),
    "bacson.tamdiep": (False, False, False, False, True),
}


@pytest.mark.parametrize("username", USERS)
def test_named_predicates(app, username: str) -> None:
    user = get_user(username)
    got = (
        permissions.sees_all_work(user, directive("2157/UBND-KSTT")),
        permissions.sees_all_work(user, directive("570/UBND-CA")),
        permissions.reports_in_own_name(user),
        permissions.reports_to_issuers(user),
        permissions.dashboard_counts_own_agency(user),
    )
    assert got == EXPECTED[username]


def test_a_monitor_does_not_see_all_work_of_a_draft(app) -> None:
    kstt = directive("2157/UBND-KSTT")
    kstt.status = "draft"
    assert permissions.sees_all_work(get_user("monitor.tayninh"), kstt) is False
    assert permissions.sees_all_work(get_user("office.tayninh"), kstt) is True


@pytest.mark.parametrize("username", USERS)
def test_dashboard_scope_and_extension_scope_agree_with_their_meaning(app, username: str) -> None:
    user = get_user(username)
    rows = db.session.execute(
        sa.select(Assignment, Directive)
        .join(Task, Task.id == Assignment.task_id)
        .join(Directive, Directive.id == Task.directive_id)
        .where(permissions.dashboard_scope(user))
    ).all()
    refs = {d.ref for _a, d in rows}
    expected_refs = {
        "admin": {"2157/UBND-KSTT", "570/UBND-CA"},
        "office.tayninh": {"2157/UBND-KSTT"},
        "monitor.tayninh": {"2157/UBND-KSTT"},
        "office.tamdiep": {"570/UBND-CA"},
        "monitor.tamdiep": {"570/UBND-CA"},
    }.get(username)
    if expected_refs is not None:
        assert refs == expected_refs
    else:  # an officer: its own agency's work only
        assert rows and {a.agency_id for a, _d in rows} == {user.agency_id}
    # the extension scope's SQL and Python twins agree on every assignment
    everything = db.session.execute(
        sa.select(Assignment.id, sa.func.max(sa.case((permissions.extension_request_scope(user), 1), else_=0)))
        .join(Task, Task.id == Assignment.task_id)
        .join(Directive, Directive.id == Task.directive_id)
        .group_by(Assignment.id)
    ).all()
    for assignment_id, in_scope in everything:
        assignment = db.session.get(Assignment, assignment_id)
        assert permissions.deals_with_extension_request(user, assignment) is bool(in_scope), assignment_id


#: user: (keeps a "Chờ xử lý" queue, the scope its home page and dashboard count) — issue 11
QUEUE_EXPECTED = {
    "admin": (True, "all"),
    "office.tayninh": (True, "issued"),
    "monitor.tayninh": (True, "monitored"),
    "justice.tayninh": (False, "own"),
    "education.tayninh": (False, "own"),
    "office.tamdiep": (True, "issued"),
    "monitor.tamdiep": (True, "monitored"),
    "bacson.tamdiep": (False, "own"),
}


@pytest.mark.parametrize("username", USERS)
def test_queue_predicates(app, username: str) -> None:
    user = get_user(username)
    assert (permissions.keeps_a_queue(user), permissions.followed_scope(user)) == QUEUE_EXPECTED[username]


def test_the_deciders_of_a_directive_are_its_monitors_and_its_issuers_office(app) -> None:
    from coordination.auth.models import User

    def names(ref: str) -> list[str]:
        clause = permissions.deciders_of(directive(ref))
        return list(db.session.scalars(sa.select(User.username).where(clause).order_by(User.username)))

    assert names("2157/UBND-KSTT") == ["monitor.tayninh", "office.tayninh"]
    assert names("570/UBND-CA") == ["monitor.tamdiep", "office.tamdiep"]
