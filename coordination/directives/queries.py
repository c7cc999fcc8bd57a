"""Finding directives: the list a user may see, filtered and searched, and one directive with its tasks.

Plain functions returning SQL, shared by the API and the web UI; scoped by `visible_directives`.
"""

from __future__ import annotations

import re
from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import joinedload, selectinload

from coordination.agencies.lookup import agency_by_code
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
