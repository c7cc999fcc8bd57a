"""The one vocabulary of permissions and the one `can(user, permission, obj)`.

Web views, the JSON API, Flask-Admin and templates all ask here; the SQL filters below say the same
thing for lists, so that a list never shows what `can` would refuse.
"""

from __future__ import annotations

import enum
from typing import Any

import sqlalchemy as sa

from coordination.agencies.models import agency_group_members
from coordination.assignments.models import Assignment
from coordination.auth.models import Role, User
from coordination.directives.models import Directive, DirectiveAddressee, DirectiveStatus


class Permission(enum.StrEnum):
    agency_manage = "agency:manage"
    user_manage = "user:manage"
    directive_create = "directive:create"
    directive_view = "directive:view"
    directive_edit = "directive:edit"
    assignment_view = "assignment:view"
    #: notes and evidence may hold personal data: the owning agency, the monitor and the office only
    assignment_view_private = "assignment:view_private"
    assignment_work = "assignment:work"
    assignment_review = "assignment:review"
    audit_view = "audit:view"
    #: compliance reports and the monitoring dashboard: the office, monitors, admin
    report_view = "report:view"
    # Issue 5 (monitoring): urging, the reminder policy, and measurements of targets.
    #: without an object: may remind anyone at all; with an assignment: as assignment:review
    reminder_send = "reminder:send"
    #: a Directive: its issuer's office (not once closed); None: the global default, admin only
    reminder_policy_edit = "reminder_policy:edit"
    #: an Indicator: users of its agency, the directive's monitor and office, while the directive is active
    indicator_measure = "indicator:measure"
    #: the working-day calendar's corrections (days off, make-up days): admin only
    calendar_manage = "calendar:manage"
    #: issue 15: webhook endpoints, their deliveries, replays and test events: admin only
    webhook_manage = "webhook:manage"
    #: issue 15: load agencies and users from a spreadsheet (admin only, like managing them one by one)
    onboarding_import = "onboarding:import"
    # Issue 15 (delegation inside an agency, phân công xử lý).
    #: an Assignment: name its handlers; the head of the owning agency, while the work is open and active
    assignment_delegate = "assignment:delegate"


def _is_admin(user: User | None) -> bool:
    return user is not None and user.is_authenticated and user.role == Role.admin


def _issues(user: User, directive: Directive) -> bool:
    return user.role == Role.office and user.agency_id is not None and directive.issuer_id == user.agency_id


def _monitors(user: User, directive: Directive) -> bool:
    return (
        user.role == Role.monitor
        and user.agency_id is not None
        and directive.monitor_agency_id == user.agency_id
        and directive.status != DirectiveStatus.draft
    )


def _addressed(user: User, directive: Directive) -> bool:
    if user.agency_id is None or directive.status == DirectiveStatus.draft:
        return False
    from coordination.extensions import db

    return bool(
        db.session.scalar(sa.select(sa.exists().where(_addressed_clause(user.agency_id), Directive.id == directive.id)))
    )


def can(user: User | None, permission: Permission, obj: Any = None) -> bool:
    """Decide whether `user` may do `permission` on `obj` (a Directive, an Assignment or None)."""
    if user is None or not user.is_authenticated or not user.active:
        return False
    if _is_admin(user):
        return True
    match permission:
        case (
            Permission.agency_manage
            | Permission.user_manage
            | Permission.onboarding_import
            | Permission.calendar_manage
            | Permission.webhook_manage
        ):
            return False
        case Permission.report_view:
            return user.role in (Role.office, Role.monitor) and user.agency_id is not None
        case Permission.directive_create:
            return user.role == Role.office and user.agency_id is not None
        case Permission.directive_view:
            return _issues(user, obj) or _monitors(user, obj) or _addressed(user, obj)
        case Permission.directive_edit:
            # Who may edit; whether the directive's state allows it (closed) is the operation's answer, a 409.
            return _issues(user, obj)
        case Permission.assignment_view:
            return can(user, Permission.directive_view, obj.task.directive)
        case Permission.assignment_view_private | Permission.audit_view:
            directive = obj.task.directive
            return (
                _issues(user, directive)
                or _monitors(user, directive)
                or (obj.agency_id == user.agency_id and directive.status != DirectiveStatus.draft)
            )
        case Permission.assignment_work:
            directive = obj.task.directive
            return obj.agency_id == user.agency_id and directive.status == DirectiveStatus.active and obj.is_open
        case Permission.assignment_review:
            directive = obj.task.directive
            return directive.status == DirectiveStatus.active and (
                _issues(user, directive) or _monitors(user, directive)
            )
        case Permission.reminder_send:
            if obj is None:
                return user.role in (Role.monitor, Role.office) and user.agency_id is not None
            return can(user, Permission.assignment_review, obj)
        case Permission.reminder_policy_edit:
            return obj is not None and _issues(user, obj) and obj.status != DirectiveStatus.closed
        case Permission.assignment_delegate:
            directive = obj.task.directive
            return (
                leads_agency(user)
                and obj.agency_id == user.agency_id
                and directive.status == DirectiveStatus.active
                and obj.is_open
            )
        case Permission.indicator_measure:
            directive = obj.directive
            return directive.status == DirectiveStatus.active and (
                (user.agency_id is not None and obj.agency_id == user.agency_id)
                or _issues(user, directive)
                or _monitors(user, directive)
            )
    return False


#: another name for assignment in the visibility EXISTS, so that only the directive correlates with an outer
#: query over assignments; made once (an ORM alias made per call cost ~1 ms of column set-up a request)
_WORK = Assignment.__table__.alias("work")


def _addressed_clause(agency_id: int) -> sa.ColumnElement[bool]:
    """Directives that assign work to the agency or address it, directly or through a group."""
    # assignment.directive_id (kept equal to its task's by a foreign key): one probe of
    # ix_assignment_agency_directive, where a join through the directive's tasks cost seconds per page at scale.
    has_assignment = (
        sa.select(_WORK.c.id).where(_WORK.c.directive_id == Directive.id, _WORK.c.agency_id == agency_id).exists()
    )
    addressed = (
        sa.select(DirectiveAddressee.id)
        .where(
            DirectiveAddressee.directive_id == Directive.id,
            sa.or_(
                DirectiveAddressee.agency_id == agency_id,
                DirectiveAddressee.group_id.in_(
                    sa.select(agency_group_members.c.group_id).where(agency_group_members.c.agency_id == agency_id)
                ),
            ),
        )
        .exists()
    )
    return sa.or_(has_assignment, addressed)


def visible_directives(user: User | None) -> sa.ColumnElement[bool]:
    """A WHERE clause on Directive: the directives `user` may see."""
    if user is None or not user.is_authenticated or not user.active:
        return sa.false()
    if _is_admin(user):
        return sa.true()
    if user.agency_id is None:
        return sa.false()
    published = Directive.status != DirectiveStatus.draft
    clauses = [sa.and_(published, _addressed_clause(user.agency_id))]
    # The office's and the monitor's own column first: PostgreSQL tries an OR's terms in order, and that
    # settles most of their rows without the subqueries.
    if user.role == Role.office:
        clauses.insert(0, Directive.issuer_id == user.agency_id)
    if user.role == Role.monitor:
        clauses.insert(0, sa.and_(published, Directive.monitor_agency_id == user.agency_id))
    return sa.or_(*clauses)


def visible_assignments(user: User | None) -> sa.ColumnElement[bool]:
    """A WHERE clause on Assignment (joined to Task and Directive): the assignments `user` may see."""
    return visible_directives(user)


def visible_own_work(user: User) -> sa.ColumnElement[bool]:
    """`visible_assignments(user)` narrowed to the user's own agency, without the per-directive EXISTS.

    An agency sees every published directive it has work in, so for its own rows visibility reduces to
    "published, or (for the office) issued by it". Same rows, far cheaper at province scale (make bench);
    a test proves the two agree.
    """
    if user.agency_id is None:
        return sa.false()
    published = Directive.status != DirectiveStatus.draft
    own = Assignment.agency_id == user.agency_id
    if _is_admin(user):
        return own
    if user.role == Role.office:
        return sa.and_(own, sa.or_(published, Directive.issuer_id == user.agency_id))
    return sa.and_(own, published)


# --- the role rules that pages, reports and forms ask about (each with its SQL twin where a list needs one)


def role_needs_agency(role: Role) -> bool:
    """Every account but an administrator's belongs to an agency."""
    return role != Role.admin


def role_administers(role: Role) -> bool:
    """The role that manages accounts and agencies (and may not take it from itself)."""
    return role == Role.admin


def sees_all_work(user: User | None, directive: Directive) -> bool:
    """Reads every agency's notes and files in the directive: its issuer's office, its monitor once published, admin."""
    if user is None or not user.is_authenticated or not user.active:
        return False
    return _is_admin(user) or _issues(user, directive) or _monitors(user, directive)


def dashboard_scope(user: User) -> sa.ColumnElement[bool]:
    """A WHERE clause on Assignment joined to Directive: the published work a user's dashboard counts.

    The monitor counts what it monitors, the office what it issued, admin everything, an officer its own agency's.
    """
    published = Directive.status != DirectiveStatus.draft
    if _is_admin(user):
        return published
    if user.role == Role.monitor:
        return sa.and_(published, Directive.monitor_agency_id == user.agency_id)
    if user.role == Role.office:
        return sa.and_(published, Directive.issuer_id == user.agency_id)
    return sa.and_(published, Assignment.agency_id == user.agency_id)


def dashboard_counts_own_agency(user: User) -> bool:
    """Whether `dashboard_scope(user)` is the user's own agency's work alone (an officer's dashboard)."""
    return user.role == Role.officer


def extension_request_scope(user: User | None) -> sa.ColumnElement[bool]:
    """A WHERE clause on ExtensionRequest's Assignment joined to Directive: the requests a user deals with.

    Its own agency's requests, and those it decides: the office's issued directives, the monitor's monitored ones.
    """
    if user is None or not user.is_authenticated or not user.active:
        return sa.false()
    if _is_admin(user):
        return sa.true()
    mine = [Assignment.agency_id == user.agency_id]
    if user.role == Role.office:
        mine.append(Directive.issuer_id == user.agency_id)
    if user.role == Role.monitor:
        mine.append(Directive.monitor_agency_id == user.agency_id)
    return sa.or_(*mine)


def deals_with_extension_request(user: User | None, assignment: Assignment) -> bool:
    """The Python twin of `extension_request_scope`, for one request's assignment."""
    if user is None or not user.is_authenticated or not user.active:
        return False
    if _is_admin(user):
        return True
    directive = assignment.task.directive
    return (
        assignment.agency_id == user.agency_id
        or (user.role == Role.office and directive.issuer_id == user.agency_id)
        or (user.role == Role.monitor and directive.monitor_agency_id == user.agency_id)
    )


def reports_in_own_name(user: User | None) -> bool:
    """A compliance report is issued by the reporter's own agency when it is an office or a monitor."""
    return user is not None and user.role in (Role.office, Role.monitor) and user.agency_id is not None


def reports_to_issuers(user: User | None) -> bool:
    """A monitor's report goes to the directives' issuers "for their information" (để báo cáo)."""
    return user is not None and user.role == Role.monitor


# --- the "Chờ xử lý" queue (issue 11): who decides on reported work, extensions, explanations


def keeps_a_queue(user: User | None) -> bool:
    """Roles that decide on other agencies' work and so have a "Chờ xử lý" page: monitor, office, admin."""
    return (
        user is not None
        and user.is_authenticated
        and user.active
        and (_is_admin(user) or (user.role in (Role.monitor, Role.office) and user.agency_id is not None))
    )


def decides_on_work(user: User | None) -> sa.ColumnElement[bool]:
    """A WHERE clause on Assignment joined to Directive: the SQL twin of `can(user, assignment_review, a)`.

    Active directives only; the office's issued ones, the monitor's monitored ones, all for admin.
    """
    if not keeps_a_queue(user):
        return sa.false()
    active = Directive.status == DirectiveStatus.active
    if _is_admin(user):
        return active
    if user.role == Role.office:  # type: ignore[union-attr]
        return sa.and_(active, Directive.issuer_id == user.agency_id)  # type: ignore[union-attr]
    return sa.and_(active, Directive.monitor_agency_id == user.agency_id)  # type: ignore[union-attr]


def deciders_of(directive: Directive) -> sa.ColumnElement[bool]:
    """A WHERE clause on User: who is told when an agency asks for a decision on the directive's work.

    The monitor agency's monitors and the issuer's office: those `assignment_review` lets decide (admin
    is not told: it decides everything and would drown).
    """
    clauses = [User.role == Role.office, User.agency_id == directive.issuer_id]
    monitored = (
        sa.and_(User.role == Role.monitor, User.agency_id == directive.monitor_agency_id)
        if directive.monitor_agency_id is not None
        else sa.false()
    )
    return sa.and_(User.active.is_(True), sa.or_(sa.and_(*clauses), monitored))


def followed_scope(user: User) -> str:
    """Which work `dashboard_scope(user)` is, for the home page to say: all, issued, monitored or own."""
    if _is_admin(user):
        return "all"
    if user.role == Role.office:
        return "issued"
    if user.role == Role.monitor:
        return "monitored"
    return "own"


# --- delegation inside an agency (issue 15): the head names handlers among the agency's own users


def leads_agency(user: User | None) -> bool:
    """The agency's head (lãnh đạo đơn vị): assigns its work to handlers and sees it by handler."""
    return (
        user is not None
        and user.is_authenticated
        and user.active
        and user.is_head
        and user.agency_id is not None
        and not _is_admin(user)
    )


def may_handle(user: User | None, assignment: Assignment) -> bool:
    """Who may be named to handle the assignment: an active user of its own agency (who may work it)."""
    return (
        user is not None
        and user.active
        and not _is_admin(user)
        and user.agency_id is not None
        and user.agency_id == assignment.agency_id
    )


def handler_candidates(agency_id: int) -> sa.ColumnElement[bool]:
    """A WHERE clause on User: the SQL twin of `may_handle` for an assignment of `agency_id` (the form's picker)."""
    return sa.and_(User.active.is_(True), User.agency_id == agency_id, User.role != Role.admin)
