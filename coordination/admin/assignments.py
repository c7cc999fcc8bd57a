"""Việc của đơn vị: an agency's assignments, most urgent first, and the page of one assignment."""

from __future__ import annotations

from typing import Any

from flask import abort, request
from flask_admin import expose
from flask_babel import lazy_gettext as _l

from coordination.admin import queries
from coordination.admin.assignment_actions import AssignmentActions
from coordination.admin.base import SecureModelView, current
from coordination.admin.labels import ASSIGNMENT_ROLE_LABELS
from coordination.assignments.states import STATUS_LABELS, TIMELINESS_LABELS


class AssignmentView(AssignmentActions, SecureModelView):
    """The list here; the page of one assignment and its actions in assignment_actions.AssignmentActions."""

    list_template = "assignments/list.html"
    can_view_details = True
    column_list = ["task.directive.ref", "task.label", "role", "deadline", "status"]
    column_sortable_list: list[str] = []
    column_labels = {
        "task.directive.ref": _l("Văn bản"),
        "task.label": _l("Nhiệm vụ"),
        "role": _l("Vai trò"),
        "deadline": _l("Hạn"),
        "status": _l("Trạng thái"),
    }

    def scope(self, query: Any) -> Any:
        # The list is the user's own agency's work (or the agency a dashboard link names, among what the
        # user may see); a page by id shows any assignment the user may see.
        filters = queries.WorkFilters.from_args(request.args)
        return queries.work_scope(query, current(), filters.agency_id, followed=filters.followed)

    def filter_list(self, query: Any) -> Any:
        return queries.WorkFilters.from_args(request.args).apply(query)

    def get_query(self) -> Any:
        return super().get_query().options(*queries.work_list_options()).order_by(*queries.urgency_order())

    def get_one(self, id: Any) -> Any:
        """Any assignment on a directive the user may see (other agencies too); 404 otherwise."""
        try:
            key = int(id)
        except (TypeError, ValueError):
            abort(404)
        assignment = queries.load_assignment(current(), key)
        if assignment is None:
            abort(404)
        return assignment

    @expose("/")
    def index_view(self) -> Any:
        user = current()
        self._template_args.update(
            filters=queries.WorkFilters.from_args(request.args),
            directives=queries.visible_directive_choices(user),
            statuses=STATUS_LABELS,
            timeliness_labels=TIMELINESS_LABELS,
            roles=ASSIGNMENT_ROLE_LABELS,
            own_agency=queries.list_agency(user, request.args),
        )
        return super().index_view()
