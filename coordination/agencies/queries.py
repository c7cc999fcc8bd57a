"""Finding agencies: the directory every user may read, filtered by kind, level and words."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import joinedload, selectinload

from coordination.agencies.models import Agency, AgencyAlias, AgencyKind, AgencyLevel
from coordination.extensions import db
from coordination.text import fold


def _matching_ids(q: str) -> list[int]:
    """Agencies whose code, names or aliases hold every word of `q`, diacritics ignored.

    Folding happens in Python: SQLite has no unaccent, and a province has hundreds of agencies, not millions.
    """
    words = fold(q).split()
    names: dict[int, list[str]] = {}
    for agency_id, *texts in db.session.execute(
        sa.select(Agency.id, Agency.code, Agency.name_vi, Agency.name_en, Agency.short_name)
    ):
        names[agency_id] = [t for t in texts if t]
    for agency_id, alias in db.session.execute(sa.select(AgencyAlias.agency_id, AgencyAlias.alias)):
        names.setdefault(agency_id, []).append(alias)
    haystacks = {agency_id: fold(" | ".join(texts)) for agency_id, texts in names.items()}
    return [agency_id for agency_id, text in haystacks.items() if all(w in text for w in words)]


def agency_query(
    *, kind: AgencyKind | None = None, level: AgencyLevel | None = None, q: str | None = None
) -> sa.Select:
    """Agencies by id, with parent, successor, groups and aliases loaded."""
    query = (
        sa.select(Agency)
        .options(
            joinedload(Agency.parent),
            joinedload(Agency.successor),
            selectinload(Agency.groups),
            selectinload(Agency.aliases),
        )
        .order_by(Agency.id)
    )
    if kind is not None:
        query = query.where(Agency.kind == kind)
    if level is not None:
        query = query.where(Agency.level == level)
    if q and fold(q):
        ids = _matching_ids(q)
        query = query.where(Agency.id.in_(ids) if ids else sa.false())
    return query


def agencies_under(agency_id: int, parents: dict[int, int | None]) -> set[int]:
    """The agency and every agency below it, from a map of agency id → parent id (cycles tolerated)."""
    under = {agency_id}
    for candidate in parents:
        seen, current = set(), parents.get(candidate)
        while current is not None and current not in seen:
            if current == agency_id:
                under.add(candidate)
                break
            seen.add(current)
            current = parents.get(current)
    return under
