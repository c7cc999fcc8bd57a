"""Cơ quan, đơn vị: the list, the tree of parents and children, and the named groups; edited by admins only."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask_admin import expose
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import joinedload, selectinload
from wtforms import SelectField
from wtforms.fields.choices import SelectChoice

from coordination.admin.agency_changes import AgencyChanges
from coordination.admin.base import AuditedModelView, SecureBaseView, current
from coordination.admin.fields import QuerySelectField, QuerySelectMultipleField
from coordination.admin.labels import AGENCY_KIND_LABELS, AGENCY_LEVEL_LABELS, agency_kind_label, agency_level_label
from coordination.agencies.models import Agency, AgencyGroup, AgencyKind, AgencyLevel
from coordination.collation import vi_key, vi_order
from coordination.extensions import db
from coordination.permissions import Permission, can


class _AdminEdits:
    """Everyone signed in reads; only an admin creates and edits. Nothing is deleted: history refers to it."""

    @property
    def can_create(self) -> bool:
        return can(current(), Permission.agency_manage)

    @property
    def can_edit(self) -> bool:
        return can(current(), Permission.agency_manage)

    can_delete = False


class AgencyView(AgencyChanges, _AdminEdits, AuditedModelView):
    """The list; the page of one agency with its history, rename and merge in agency_changes.AgencyChanges."""

    can_view_details = True
    audit_entity = "agency"
    audit_fields = ["code", "name_vi", "name_en", "short_name", "kind", "level", "parent_id", "active"]
    column_list = ["code", "name_vi", "short_name", "parent", "kind", "level", "active"]
    column_searchable_list = ["code", "name_vi", "short_name"]
    column_default_sort = [("name_vi", False)]
    column_sortable_list = ["code", "name_vi", "kind", "level"]
    column_labels = {
        "code": _l("Mã"),
        "name_vi": _l("Tên"),
        "name_en": _l("Tên tiếng Anh"),
        "short_name": _l("Tên viết tắt"),
        "parent": _l("Cơ quan cấp trên"),
        "kind": _l("Loại"),
        "level": _l("Cấp"),
        "active": _l("Đang hoạt động"),
        "aliases": _l("Tên gọi khác"),
    }
    column_formatters = {
        "kind": lambda view, context, model, name: agency_kind_label(model.kind),
        "level": lambda view, context, model, name: agency_level_label(model.level),
    }
    # Successor and merges are history: they change through the merge operation, never by hand.
    form_columns = ["code", "name_vi", "name_en", "short_name", "kind", "level", "parent", "active"]
    form_overrides = {"kind": SelectField, "level": SelectField, "parent": QuerySelectField}
    form_args = {
        "kind": {"choices": [SelectChoice(k.value, label) for k, label in AGENCY_KIND_LABELS.items()]},
        "level": {"choices": [SelectChoice(k.value, label) for k, label in AGENCY_LEVEL_LABELS.items()]},
        "parent": {"query_factory": lambda: db.session.query(Agency).order_by(vi_order(Agency.name_vi))},
    }

    def base_query(self) -> Any:
        return db.session.query(Agency).options(joinedload(Agency.parent))


class AgencyGroupView(_AdminEdits, AuditedModelView):
    audit_entity = "agency_group"
    audit_fields = ["name", "name_en", "owner_id", "aliases"]
    column_list = ["name", "owner", "members"]
    column_searchable_list = ["name"]
    column_default_sort = [("name", False)]
    column_labels = {
        "name": _l("Tên nhóm"),
        "name_en": _l("Tên tiếng Anh"),
        "owner": _l("Thuộc"),
        "members": _l("Thành viên"),
        "aliases": _l("Cách gọi khác (mỗi dòng một cách)"),
    }
    form_columns = ["name", "name_en", "owner", "aliases", "members"]
    form_overrides = {"owner": QuerySelectField, "members": QuerySelectMultipleField}
    form_args = {
        "owner": {"query_factory": lambda: db.session.query(Agency).order_by(vi_order(Agency.name_vi))},
        "members": {"query_factory": lambda: db.session.query(Agency).order_by(vi_order(Agency.name_vi))},
    }

    def base_query(self) -> Any:
        return db.session.query(AgencyGroup).options(joinedload(AgencyGroup.owner), selectinload(AgencyGroup.members))


_LEVELS = list(AgencyLevel)
_KINDS = [
    AgencyKind.people_committee,
    AgencyKind.department,
    AgencyKind.police,
    AgencyKind.board,
    AgencyKind.press,
    AgencyKind.mass_organization,
    AgencyKind.other,
]


def _tree_order(agency: Agency) -> tuple:
    """Higher levels first, the People's Committee before its departments, then by name."""
    return (_LEVELS.index(agency.level), _KINDS.index(agency.kind), vi_key(agency.name_vi))


class AgencyTreeView(SecureBaseView):
    """Parents and children, and the groups with their members, on one page."""

    @expose("/")
    def index(self) -> Any:
        agencies = list(db.session.scalars(sa.select(Agency)))
        agencies.sort(key=_tree_order)
        children: dict[int | None, list[Agency]] = {}
        for agency in agencies:
            children.setdefault(agency.parent_id, []).append(agency)
        groups = list(
            db.session.scalars(
                sa.select(AgencyGroup)
                .options(joinedload(AgencyGroup.owner), selectinload(AgencyGroup.members))
                .order_by(vi_order(AgencyGroup.name))
            ).unique()
        )
        return self.render("admin/agency_tree.html", roots=children.get(None, []), children=children, groups=groups)
