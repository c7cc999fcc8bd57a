"""Finding agencies and groups by code or name, as directives and API bodies refer to them."""

from __future__ import annotations

import sqlalchemy as sa
from flask_babel import gettext as _

from coordination.agencies.models import Agency, AgencyAlias, AgencyGroup
from coordination.db import prepared
from coordination.errors import Invalid, OperationError
from coordination.extensions import db
from coordination.text import fold


def agency_by_code(code: str, *, field: str = "agency", error: type[OperationError] = Invalid) -> Agency:
    """Return the agency with this code, or raise `error` (Invalid for a body's field, NotFound for a path)."""
    agency = db.session.scalar(sa.select(Agency).where(Agency.code == code))
    if agency is None:
        raise _no_such_code(code, field, error)
    return agency


def agency_id_by_code(code: str, *, field: str = "agency") -> int:
    """The id of the agency with this code (a list's filter needs no more), or Invalid naming `field`."""
    agency_id = db.session.scalar(prepared(sa.select(Agency.id).where(Agency.code == code)))
    if agency_id is None:
        raise _no_such_code(code, field, Invalid)
    return agency_id


def _no_such_code(code: str, field: str, error: type[OperationError]) -> OperationError:
    return error(_("Không có cơ quan mã %(code)s.", code=code), errors={field: [_("Mã cơ quan không tồn tại.")]})


def group_by_name(name: str, *, owner: Agency | None = None, field: str = "group") -> AgencyGroup:
    """Return the group named `name` (or one of its aliases), preferring the owner's groups."""
    wanted = fold(name)
    query = sa.select(AgencyGroup).options(sa.orm.selectinload(AgencyGroup.members))
    candidates = [g for g in db.session.scalars(query) if wanted in {fold(g.name), *map(fold, g.alias_list)}]
    candidates.sort(key=lambda g: 0 if owner is not None and g.owner_id == owner.id else 1)
    if not candidates:
        raise Invalid(_("Không có nhóm cơ quan “%(name)s”.", name=name), errors={field: [_("Nhóm không tồn tại.")]})
    return candidates[0]


def agency_by_name(name: str) -> Agency | None:
    """Match a name as written in a directive against names, short names and aliases (diacritics ignored)."""
    wanted = fold(name)
    agencies = db.session.scalars(sa.select(Agency).options(sa.orm.selectinload(Agency.aliases)))
    for agency in agencies:
        names = {agency.name_vi, agency.short_name or "", *(a.alias for a in agency.aliases)}
        if wanted in {fold(n) for n in names if n}:
            return agency
    return None


__all__ = ["AgencyAlias", "agency_by_code", "agency_by_name", "group_by_name"]
