"""Văn bản chỉ đạo: the list with its search box, and the page that reads like the document."""

from __future__ import annotations

from typing import Any

from flask import abort, request
from flask_admin import expose
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import joinedload

from coordination.admin import history, queries
from coordination.admin.base import SecureModelView, current
from coordination.admin.directive_editing import DirectiveEditing
from coordination.admin.directive_forms import ConfirmForm
from coordination.admin.directive_import import DirectiveImporting
from coordination.admin.labels import DIRECTIVE_STATUS_LABELS
from coordination.directives.models import Directive
from coordination.extensions import db
from coordination.permissions import Permission, can, visible_directives


class DirectiveView(DirectiveImporting, DirectiveEditing, SecureModelView):
    """The list and the page that reads like the document; the office's edits are in DirectiveEditing."""

    list_template = "directives/list.html"
    details_template = "directives/details.html"
    can_view_details = True
    column_list = ["ref", "doc_type", "issued_on", "subject", "issuer", "monitor_agency", "status"]
    column_sortable_list: list[str] = []
    column_default_sort = [("issued_on", True), ("id", True)]
    column_labels = {
        "ref": _l("Số, ký hiệu"),
        "doc_type": _l("Loại văn bản"),
        "issued_on": _l("Ngày ban hành"),
        "subject": _l("Trích yếu"),
        "issuer": _l("Cơ quan ban hành"),
        "monitor_agency": _l("Đơn vị theo dõi"),
        "status": _l("Trạng thái"),
    }

    def scope(self, query: Any) -> Any:
        return query.filter(visible_directives(current()))

    def filter_list(self, query: Any) -> Any:
        return queries.DirectiveFilters.from_args(request.args, current()).apply(query)

    def base_query(self) -> Any:
        return db.session.query(Directive).options(joinedload(Directive.issuer), joinedload(Directive.monitor_agency))

    def get_one(self, id: Any) -> Any:
        """The directive with all its page shows, if the user may see it; 404 otherwise."""
        try:
            key = int(id)
        except (TypeError, ValueError):
            abort(404)
        directive = queries.load_directive_document(current(), key)
        if directive is None:
            abort(404)
        return directive

    @expose("/")
    def index_view(self) -> Any:
        user = current()
        self._template_args.update(
            filters=queries.DirectiveFilters.from_args(request.args, current()),
            issuers=queries.directive_issuers(user),
            statuses=DIRECTIVE_STATUS_LABELS,
            may_register=user is not None and user.agency_id is not None and can(user, Permission.directive_create),
        )
        return super().index_view()

    @expose("/details/")
    def details_view(self) -> Any:
        id = request.args.get("id")
        if id is None:
            return super().details_view()
        directive = self.get_one(id)
        return self.render(
            self.details_template,
            directive=directive,
            model=directive,
            tasks=queries.flatten(queries.task_tree(directive.tasks)),
            indicators=queries.directive_indicators(directive),
            history_items=history.directive_history(current(), directive),
            may_edit=can(current(), Permission.directive_edit, directive),
            confirm_form=ConfirmForm(),
            return_url=self.get_url(".index_view"),
        )
