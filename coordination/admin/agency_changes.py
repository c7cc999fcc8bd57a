"""An agency's page: who it is, its history, and (for admins) renaming it or merging it into its successor."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask import abort, flash, redirect, request, url_for
from flask_admin import expose
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import selectinload
from wtforms import BooleanField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Optional

from coordination.access import found_or_404, get_or_404
from coordination.admin import history
from coordination.admin.base import current
from coordination.admin.forms import WorkflowForm, bind, max_length, required, show_error
from coordination.agencies.models import Agency
from coordination.agencies.operations import merge_agency, rename_agency
from coordination.collation import vi_order
from coordination.errors import OperationError
from coordination.extensions import db
from coordination.permissions import Permission, can


class RenameAgencyForm(WorkflowForm):
    name_vi = StringField(_l("Tên mới"), [required(), max_length(255)])
    short_name = StringField(_l("Tên viết tắt"), [Optional(), max_length(120)])
    name_en = StringField(_l("Tên tiếng Anh"), [Optional(), max_length(255)])


class MergeAgencyForm(WorkflowForm):
    successor = SelectField(_l("Sáp nhập vào (cơ quan tiếp nhận)"), [required()], default="")
    confirm = BooleanField(
        _l("Tôi hiểu: nhiệm vụ đang mở chuyển sang cơ quan tiếp nhận, cơ quan này ngừng hoạt động."),
        [DataRequired(message=_l("Hãy đánh dấu xác nhận."))],
    )

    def set_successors(self, agency: Agency) -> None:
        rows = db.session.execute(
            sa.select(Agency.id, Agency.name_vi)
            .where(Agency.active.is_(True), Agency.id != agency.id)
            .order_by(vi_order(Agency.name_vi))
        )
        self.successor.choices = [SelectChoice("", "—"), *(SelectChoice(str(i), name) for i, name in rows)]


class AgencyChanges:
    """Routes of AgencyView: the details page, rename and merge (admins only, through the operations)."""

    details_template = "admin/agency_details.html"

    def _agency_page(self, agency: Agency, status: int = 200, **given: Any) -> Any:
        may_manage = can(current(), Permission.agency_manage)
        rename_form = merge_form = None
        if may_manage:
            rename_form = given.get("rename_form") or RenameAgencyForm(
                data={"name_vi": agency.name_vi, "short_name": agency.short_name, "name_en": agency.name_en}
            )
            if agency.active:
                merge_form = given.get("merge_form") or MergeAgencyForm()
                merge_form.set_successors(agency)
        predecessors = list(
            db.session.scalars(
                sa.select(Agency).where(Agency.successor_id == agency.id).order_by(vi_order(Agency.name_vi))
            )
        )
        html = self.render(  # type: ignore[attr-defined]
            self.details_template,
            agency=agency,
            model=agency,
            predecessors=predecessors,
            history_items=history.agency_history(agency),
            rename_form=rename_form,
            merge_form=merge_form,
            return_url=self.get_url(".index_view"),  # type: ignore[attr-defined]
        )
        return html, status

    @expose("/details/")
    def details_view(self) -> Any:
        try:
            agency_id = int(request.args.get("id", ""))
        except ValueError:
            return redirect(url_for(".index_view"))
        agency = db.session.scalar(
            sa.select(Agency).where(Agency.id == agency_id).options(selectinload(Agency.aliases))
        )
        return self._agency_page(found_or_404(agency))

    @expose("/<int:agency_id>/rename/", methods=("POST",))
    def rename_view(self, agency_id: int) -> Any:
        agency = get_or_404(Agency, agency_id)
        if not can(current(), Permission.agency_manage):
            abort(403)
        form = bind(RenameAgencyForm)
        if not form.validate():
            return self._agency_page(agency, 422, rename_form=form)
        old_name = agency.name_vi
        try:
            rename_agency(
                agency,
                name_vi=form.name_vi.data,
                short_name=form.short_name.data or "",
                name_en=form.name_en.data or "",
                actor=current(),
            )
        except OperationError as error:
            db.session.rollback()
            show_error(form, error)
            return self._agency_page(get_or_404(Agency, agency_id), error.status, rename_form=form)
        message = _("Đã đổi tên “%(old)s” thành “%(new)s”; tên cũ vẫn được nhận ra.", old=old_name, new=agency.name_vi)
        flash(message, "success")
        return redirect(url_for(".details_view", id=agency.id))

    @expose("/<int:agency_id>/merge/", methods=("POST",))
    def merge_view(self, agency_id: int) -> Any:
        agency = get_or_404(Agency, agency_id)
        if not can(current(), Permission.agency_manage):
            abort(403)
        form = bind(MergeAgencyForm)
        form.set_successors(agency)
        if not form.validate():
            return self._agency_page(agency, 422, merge_form=form)
        successor = get_or_404(Agency, int(form.successor.data))
        try:
            moved = merge_agency(agency, successor, actor=current())
        except OperationError as error:
            db.session.rollback()
            show_error(form, error)
            return self._agency_page(get_or_404(Agency, agency_id), error.status, merge_form=form)
        flash(
            _(
                "Đã sáp nhập %(agency)s vào %(successor)s; %(count)s nhiệm vụ đang mở đã chuyển sang.",
                agency=agency.name_vi,
                successor=successor.name_vi,
                count=len(moved),
            ),
            "success",
        )
        return redirect(url_for(".details_view", id=agency.id))
