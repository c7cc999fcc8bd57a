"""Who may do what: one table over roles, own and other agencies, and the SQL filters agree with can()."""

from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa

from coordination.assignments.models import Assignment
from coordination.directives.models import Directive, Task
from coordination.directives.operations import create_directive
from coordination.extensions import db
from coordination.permissions import Permission, can, visible_directives
from tests.conftest import USERS, assignment_of, get_user


def _draft() -> Directive:
    office = get_user("office.tayninh")
    return create_directive(
        {
            "number": "99",
            "symbol": "UBND-VP",
            "doc_type": "cong_van",
            "issued_on": date(2026, 11, 20),
            "subject": "Bản nháp thử",
            "monitor_agency": "TN-CA",
            "tasks": [
                {"label": "1", "text": "Sở Tư pháp rà soát.", "assignments": [{"agency": "TN-STP", "role": "lead"}]}
            ],
        },
        actor=office,
    )


VISIBLE = {
    "admin": {"2157/UBND-KSTT", "570/UBND-CA", "99/UBND-VP"},
    "office.tayninh": {"2157/UBND-KSTT", "99/UBND-VP"},
    "monitor.tayninh": {"2157/UBND-KSTT"},
    "justice.tayninh": {"2157/UBND-KSTT"},
    "education.tayninh": {"2157/UBND-KSTT"},
    "office.tamdiep": {"570/UBND-CA"},
    "monitor.tamdiep": {"570/UBND-CA"},
    "bacson.tamdiep": {"570/UBND-CA"},
}


@pytest.mark.parametrize("username", USERS)
def test_each_role_sees_exactly_what_it_may(app, username: str) -> None:
    _draft()
    user = get_user(username)
    in_sql = set(db.session.scalars(sa.select(Directive.ref).where(visible_directives(user))))
    assert in_sql == VISIBLE[username]
    by_can = {d.ref for d in db.session.scalars(sa.select(Directive)) if can(user, Permission.directive_view, d)}
    assert by_can == in_sql


# (user, permission, (directive ref, task label, agency code)) -> allowed
ASSIGNMENT_TABLE = [
    # the officer works its own agency's assignment, not another's
    ("justice.tayninh", Permission.assignment_work, ("2157/UBND-KSTT", "5", "TN-STP"), True),
    ("justice.tayninh", Permission.assignment_work, ("2157/UBND-KSTT", "7", "TN-SGDDT"), False),
    ("education.tayninh", Permission.assignment_work, ("2157/UBND-KSTT", "5", "TN-STP"), False),
    ("bacson.tamdiep", Permission.assignment_work, ("2157/UBND-KSTT", "5", "TN-STP"), False),
    # notes and evidence: owner, monitor and issuer's office only
    ("justice.tayninh", Permission.assignment_view_private, ("2157/UBND-KSTT", "5", "TN-STP"), True),
    ("education.tayninh", Permission.assignment_view_private, ("2157/UBND-KSTT", "5", "TN-STP"), False),
    ("monitor.tayninh", Permission.assignment_view_private, ("2157/UBND-KSTT", "5", "TN-STP"), True),
    ("office.tayninh", Permission.assignment_view_private, ("2157/UBND-KSTT", "5", "TN-STP"), True),
    ("monitor.tamdiep", Permission.assignment_view_private, ("2157/UBND-KSTT", "5", "TN-STP"), False),
    ("office.tamdiep", Permission.assignment_view_private, ("2157/UBND-KSTT", "5", "TN-STP"), False),
    # status and timeliness of others on the same directive: visible
    ("education.tayninh", Permission.assignment_view, ("2157/UBND-KSTT", "5", "TN-STP"), True),
    ("bacson.tamdiep", Permission.assignment_view, ("2157/UBND-KSTT", "5", "TN-STP"), False),
    # review: the monitor of the directive and its issuer's office
    ("monitor.tayninh", Permission.assignment_review, ("2157/UBND-KSTT", "5", "TN-STP"), True),
    ("office.tayninh", Permission.assignment_review, ("2157/UBND-KSTT", "5", "TN-STP"), True),
    ("monitor.tamdiep", Permission.assignment_review, ("2157/UBND-KSTT", "5", "TN-STP"), False),
    ("justice.tayninh", Permission.assignment_review, ("2157/UBND-KSTT", "5", "TN-STP"), False),
    ("office.tamdiep", Permission.assignment_review, ("570/UBND-CA", "2", "TD-PBACSON"), True),
    ("bacson.tamdiep", Permission.assignment_work, ("570/UBND-CA", "2", "TD-PBACSON"), True),
    ("admin", Permission.assignment_review, ("570/UBND-CA", "2", "TD-PBACSON"), True),
]


@pytest.mark.parametrize(("username", "permission", "target", "allowed"), ASSIGNMENT_TABLE)
def test_assignment_permission_table(app, username, permission, target, allowed) -> None:  # type: ignore[no-untyped-def]
    assert can(get_user(username), permission, assignment_of(*target)) is allowed


def test_officer_cannot_work_closed_work(app) -> None:
    done = assignment_of("2157/UBND-KSTT", "1", "TN-STP")
    assert done.status == "done"
    assert not can(get_user("justice.tayninh"), Permission.assignment_work, done)


@pytest.mark.parametrize(
    ("username", "allowed"),
    [("admin", True), ("office.tayninh", True), ("monitor.tayninh", False), ("justice.tayninh", False)],
)
def test_directive_create_and_edit(app, username: str, allowed: bool) -> None:
    user = get_user(username)
    assert can(user, Permission.directive_create) is allowed
    directive = db.session.scalar(sa.select(Directive).where(Directive.ref == "2157/UBND-KSTT"))
    assert can(user, Permission.directive_edit, directive) is allowed
    other = db.session.scalar(sa.select(Directive).where(Directive.ref == "570/UBND-CA"))
    assert can(user, Permission.directive_edit, other) is (username == "admin")


def test_anonymous_and_inactive_may_nothing(app) -> None:
    from flask_login import AnonymousUserMixin

    directive = db.session.scalar(sa.select(Directive).where(Directive.ref == "2157/UBND-KSTT"))
    assert not can(AnonymousUserMixin(), Permission.directive_view, directive)  # type: ignore[arg-type]
    assert not can(None, Permission.directive_view, directive)
    user = get_user("justice.tayninh")
    user.active = False
    assert not can(user, Permission.directive_view, directive)
    assert set(db.session.scalars(sa.select(Directive.ref).where(visible_directives(user)))) == set()


@pytest.mark.parametrize("username", ["admin", "office.tayninh", "monitor.tayninh", "justice.tayninh"])
def test_only_admin_manages_users_and_agencies(app, username: str) -> None:
    user = get_user(username)
    assert can(user, Permission.user_manage) is (username == "admin")
    assert can(user, Permission.agency_manage) is (username == "admin")


@pytest.mark.parametrize(
    ("username", "allowed"),
    [
        ("admin", True),
        ("office.tayninh", True),
        ("monitor.tamdiep", True),
        ("justice.tayninh", False),
        ("bacson.tamdiep", False),
    ],
)
def test_who_may_report(app, username: str, allowed: bool) -> None:
    assert can(get_user(username), Permission.report_view) is allowed


@pytest.mark.parametrize("username", [u for u in USERS if u != "admin"])
def test_own_work_shortcut_equals_the_general_rule(app, username: str) -> None:
    """visible_own_work (the work list's fast path) selects exactly the visible rows of the own agency."""
    from coordination.permissions import visible_assignments, visible_own_work

    _draft()  # a draft with work for Sở Tư pháp: only its issuer's office sees it
    user = get_user(username)
    rows = sa.select(Assignment.id).join(Task).join(Directive)
    general = set(db.session.scalars(rows.where(visible_assignments(user), Assignment.agency_id == user.agency_id)))
    fast = set(db.session.scalars(rows.where(visible_own_work(user))))
    assert fast == general
