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
from coordination.permissions import leads_agency


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
        return queries.WorkFilters.from_args(request.args).apply(query, current())

    def _shows_handlers(self) -> bool:
        """Issue 15: the agency's own list shows who handles what (delegation stays inside the agency)."""
        user = current()
        listed = queries.list_agency(user, request.args)
        return user is not None and listed is not None and listed.id == user.agency_id

    def get_query(self) -> Any:
        # The work the user handles comes first ("Việc của tôi"), then the most urgent.
        query, not_mine = queries.mine_first(super().get_query(), current())
        options = queries.work_list_options(with_handlers=self._shows_handlers())
        # populate_existing: rows already in the session (a test's, or a page's second query) get the handler names
        return query.options(*options).populate_existing().order_by(not_mine, *queries.urgency_order())

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
        filters = queries.WorkFilters.from_args(request.args)
        self._template_args.update(
            filters=filters,
            directives=queries.directive_filter_choices(user, filters.directive_id),
            statuses=STATUS_LABELS,
            timeliness_labels=TIMELINESS_LABELS,
            roles=ASSIGNMENT_ROLE_LABELS,
            own_agency=queries.list_agency(user, request.args),
            shows_handlers=self._shows_handlers(),
            handler_choices=self._handler_choices(filters),
        )
        return super().index_view()

    def _handler_choices(self, filters: queries.WorkFilters) -> list[tuple[str, str]]:
        """The handler filter: do tôi xử lý, chưa phân công, and for the agency's head each of its users."""
        user = current()
        choices = [(queries.MINE, str(_l("Do tôi xử lý"))), (queries.UNHANDLED, str(_l("Chưa phân công")))]
        if user is not None and user.agency_id is not None and (leads_agency(user) or filters.handler_id):
            choices += [(str(u.id), u.full_name) for u in queries.agency_handlers(user.agency_id)]
        return choices
