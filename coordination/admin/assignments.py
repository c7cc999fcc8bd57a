"""Việc của đơn vị: an agency's assignments, most urgent first, and the page of one assignment."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask import abort, request, url_for
from flask_admin import expose
from flask_babel import lazy_gettext as _l

from coordination import keyset
from coordination.admin import queries
from coordination.admin.assignment_actions import AssignmentActions
from coordination.admin.base import SecureModelView, current
from coordination.admin.labels import ASSIGNMENT_ROLE_LABELS
from coordination.assignments.models import Assignment
from coordination.assignments.states import STATUS_LABELS, TIMELINESS_LABELS
from coordination.extensions import db
from coordination.permissions import leads_agency

#: the work list's cursors are signed for it alone
WORK_CURSOR = "work-list"


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
        """The count, and one keyset page: the ids and sort keys of its rows chosen first, then the rows loaded.

        Sorting the wide rows (task text, directive, agency) of a 50,000-row list took a second at province
        scale; the ids alone sort in a fraction of that. The page continues after the sort key in its `cursor`
        (Flask-Admin's `page`, an OFFSET, is not read: an old link shows the first page), so that a page
        1,000 deep costs what the first costs. Still one statement for the rows.
        """
        count = self.get_count_query().scalar()
        size = page_size or self.page_size
        cursor = keyset.decode(request.args.get(keyset.CURSOR_ARG), WORK_CURSOR, queries.WORK_KEY_KINDS)
        if isinstance(cursor, keyset.Refusal):
            self._template_args["page_notice"] = cursor
            cursor = None
        ids, not_mine = queries.mine_first(self.filter_list(self.scope(db.session.query(Assignment.id))), current())
        win = keyset.window(ids, queries.work_sort_key(not_mine), cursor, size)
        options = queries.work_list_options(with_handlers=self._shows_handlers())
        query = (
            super()
            .get_query()
            .join(win.chosen, win.chosen.c.id == Assignment.id)
            .add_columns(*win.order)
            .options(*options)
            # populate_existing: rows already in the session (a test's) get the handler names
            .populate_existing()
            .order_by(*win.order)
        )
        if not execute:
            return count, query
        work_page = keyset.page(query.all(), cursor, size, WORK_CURSOR, ascending=True)
        self._template_args.update(
            work_page=work_page, pager_links=keyset.links(work_page, url_for(".index_view"), request.args)
        )
        return count, work_page.rows

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
            shows_handlers=self._shows_handlers(),
            handler_choices=self._handler_choices(filters),
            count_cap=queries.WORK_COUNT_CAP,
        )
        return super().index_view()

    def _handler_choices(self, filters: queries.WorkFilters) -> list[tuple[str, str]]:
        """The handler filter: do tôi xử lý, chưa phân công, and for the agency's head each of its users."""
        user = current()
        choices = [(queries.MINE, str(_l("Do tôi xử lý"))), (queries.UNHANDLED, str(_l("Chưa phân công")))]
        if user is not None and user.agency_id is not None and (leads_agency(user) or filters.handler_id):
            choices += [(str(u.id), u.full_name) for u in queries.agency_handlers(user.agency_id)]
        return choices
