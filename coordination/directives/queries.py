"""Finding directives: the list a user may see, filtered and searched, and one directive with its tasks.

Plain functions returning SQL, shared by the API and the web UI; scoped by `visible_directives`.
"""

from __future__ import annotations

import re
from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import joinedload, selectinload

from coordination.agencies.lookup import agency_by_code
from coordination.agencies.models import Agency, AgencyGroup, agency_group_members
from coordination.agencies.queries import agencies_under
from coordination.assignments.models import Assignment
from coordination.auth.models import User
from coordination.directives.models import Directive, DirectiveAddressee, DirectiveStatus, Task
from coordination.extensions import db
from coordination.permissions import visible_directives
from coordination.text import fold

_LIKE_SPECIALS = re.compile(r"([\\%_])")
#: words of a search beyond this many are ignored (each one is a LIKE over every directive)
MAX_SEARCH_WORDS = 10


def search_clause(q: str | None) -> sa.ColumnElement[bool] | None:
    """Every word of `q`, folded ("tu phap" for "Tư pháp"), must occur in Directive.search_text."""
    words = fold(q).split()[:MAX_SEARCH_WORDS]
    if not words:
        return None
    return sa.and_(
        *(Directive.search_text.like("%" + _LIKE_SPECIALS.sub(r"\\\1", w) + "%", escape="\\") for w in words)
    )


def directive_query(
    user: User | None,
    q: str | None = None,
    *,
    status: DirectiveStatus | None = None,
    issuer: str | None = None,
    issued_from: date | None = None,
    issued_to: date | None = None,
) -> sa.Select:
    """The directives `user` may see, filtered; `issuer` is an agency code (unknown: Invalid naming "issuer").

    Dates are inclusive. Issuer and monitor agency are loaded with each directive.
    """
    query = (
        sa.select(Directive)
        .where(visible_directives(user))
        .options(joinedload(Directive.issuer), joinedload(Directive.monitor_agency))
        .order_by(Directive.id)
    )
    search = search_clause(q)
    if search is not None:
        query = query.where(search)
    if status is not None:
        query = query.where(Directive.status == status)
    if issuer:
        query = query.where(Directive.issuer_id == agency_by_code(issuer, field="issuer").id)
    if issued_from is not None:
        query = query.where(Directive.issued_on >= issued_from)
    if issued_to is not None:
        query = query.where(Directive.issued_on <= issued_to)
    return query


def directive_detail_query(user: User | None, directive_id: int) -> sa.Select:
    """One directive if `user` may see it, with its addressees, tasks and their assignments, in a few queries."""
    return (
        sa.select(Directive)
        .where(Directive.id == directive_id, visible_directives(user))
        .options(
            joinedload(Directive.issuer),
            joinedload(Directive.monitor_agency),
            joinedload(Directive.report_to_agency),
            selectinload(Directive.addressees).options(
                joinedload(DirectiveAddressee.agency), joinedload(DirectiveAddressee.group)
            ),
            # Task.parent then comes from the identity map: the parent is one of these tasks.
            selectinload(Directive.tasks).selectinload(Task.assignments).joinedload(Assignment.agency),
        )
    )


def get_directive(user: User | None, directive_id: int) -> Directive | None:
    """The directive with its tasks, or None when it does not exist or `user` may not see it."""
    return db.session.scalar(directive_detail_query(user, directive_id))


# --- pickers ----------------------------------------------------------------------------------------

#: directives per page of the directive picker's JSON (and the few the work list's filter embeds)
CHOICES_PAGE_SIZE = 20


def directive_choices(user: User | None, q: str | None = None, *, page: int = 1) -> tuple[list[Directive], bool]:
    """A page of the directives `user` may see matching `q` (diacritics ignored), newest first; True if more follow."""
    query = sa.select(Directive).where(visible_directives(user))
    search = search_clause(q)
    if search is not None:
        query = query.where(search)
    offset = (max(page, 1) - 1) * CHOICES_PAGE_SIZE
    rows = list(
        db.session.scalars(
            query.order_by(Directive.issued_on.desc(), Directive.id.desc()).offset(offset).limit(CHOICES_PAGE_SIZE + 1)
        )
    )
    return rows[:CHOICES_PAGE_SIZE], len(rows) > CHOICES_PAGE_SIZE


def choice_label(directive: Directive) -> str:
    """How a directive reads in a picker: "2157/UBND-KSTT — V/v thực hiện cao điểm…"."""
    return f"{directive.ref} — {directive.subject[:80]}"


def issuer_agency_ids(issuer_id: int) -> set[int]:
    """The agencies a directive of this issuer may be addressed or assigned to: the pickers offer these.

    The issuer and every agency under it, the members of its named groups, its superiors (a report goes
    up), and the agencies its directives already name (a province's Fatherland Front has no parent, but
    the province addresses it). Another province's agencies are none of these.
    """
    parents: dict[int, int | None] = {
        row.id: row.parent_id for row in db.session.execute(sa.select(Agency.id, Agency.parent_id))
    }
    ids = agencies_under(issuer_id, parents)
    current, seen = parents.get(issuer_id), set()
    while current is not None and current not in seen:
        seen.add(current)
        current = parents.get(current)
    ids |= seen
    members = sa.select(agency_group_members.c.agency_id).join(
        AgencyGroup, AgencyGroup.id == agency_group_members.c.group_id
    )
    ids.update(db.session.scalars(members.where(AgencyGroup.owner_id == issuer_id)))
    own_directives = sa.select(Directive.id).where(Directive.issuer_id == issuer_id)
    ids.update(
        db.session.scalars(
            sa.select(DirectiveAddressee.agency_id).where(
                DirectiveAddressee.directive_id.in_(own_directives), DirectiveAddressee.agency_id.is_not(None)
            )
        )
    )
    for column in (Directive.monitor_agency_id, Directive.report_to_agency_id):
        ids.update(db.session.scalars(sa.select(column).where(Directive.issuer_id == issuer_id, column.is_not(None))))
    return ids
