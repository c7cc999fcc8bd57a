"""Việc của đơn vị: an agency's assignments, most urgent first, and the page of one assignment."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask import abort, request
from flask_admin import expose
from flask_babel import lazy_gettext as _l

from coordination.admin import queries
from coordination.admin.assignment_actions import AssignmentActions
from coordination.admin.base import SecureModelView, current
from coordination.admin.labels import ASSIGNMENT_ROLE_LABELS
from coordination.assignments.models import Assignment
from coordination.assignments.states import STATUS_LABELS, TIMELINESS_LABELS
from coordination.extensions import db


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

    def get_list(
        self,
        page: int | None,
        sort_column: Any,
        sort_desc: Any,
        search: Any,
        filters: Any,
        execute: bool = True,
        page_size: int | None = None,
    ) -> tuple[int | None, Any]:
        """The count, and one page of rows: chosen by id in urgency order first, then loaded with what they show.

        Sorting the wide rows (task text, directive, agency) of a 50,000-row list took a second at province
        scale; the ids alone sort in a fraction of that. Still one statement for the rows.
        """
        count = self.get_count_query().scalar()
        size = page_size or self.page_size
        chosen = (
            self.filter_list(self.scope(db.session.query(Assignment.id)))
            .order_by(*queries.urgency_order())
            .limit(size)
            .offset((page or 0) * size)
            .subquery()
        )
        query = self.get_query().filter(Assignment.id.in_(sa.select(chosen.c.id)))
        return count, (query.all() if execute else query)

    def get_count_query(self) -> Any:
        """Exact from the tally for the home page's and dashboard's lists; else counted up to WORK_COUNT_CAP + 1."""
        filters = queries.WorkFilters.from_args(request.args)
        exact = queries.followed_work_count(current(), filters)
        if exact is not None:
            return exact
        ids = self.filter_list(self.scope(db.session.query(Assignment.id))).limit(queries.WORK_COUNT_CAP + 1)
        return db.session.query(sa.func.count()).select_from(ids.subquery())

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
            count_cap=queries.WORK_COUNT_CAP,
        )
        return super().index_view()
