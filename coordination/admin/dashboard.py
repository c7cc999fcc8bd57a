"""Bảng theo dõi: what the monitor and the office open each morning; officers see their own agency's numbers.

All numbers come from coordination.reports.dashboard (aggregated in SQL); this view only parses the
filters, sorts the agency table and renders.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

import sqlalchemy as sa
from flask import request, url_for
from flask_admin import expose
from flask_babel import gettext as _
from sqlalchemy.orm import joinedload

from coordination import keyset
from coordination.admin.base import SecureBaseView, current
from coordination.admin.queries import directive_filter_choices
from coordination.agencies.models import Agency
from coordination.assignments.models import Assignment
from coordination.assignments.states import TIMELINESS_LABELS, Timeliness
from coordination.auth.models import User
from coordination.collation import vi_key, vi_order, vi_sorted
from coordination.db import today as local_today
from coordination.directives.models import Task
from coordination.extensions import db
from coordination.formatting import parse_date_or_none
from coordination.indicators.queries import indicator_rows
from coordination.permissions import Permission, can, dashboard_counts_own_agency, leads_agency
from coordination.reminders.models import ExplanationRequest
from coordination.reminders.queries import OVERDUE_KEY_KINDS, overdue_page
from coordination.replica import replica_reads
from coordination.reports import tally
from coordination.reports.dashboard import (
    TIMELINESS_KEYS,
    AgencyRow,
    DashboardFilters,
    summary,
    unanswered_explanations,
    work_by_handler,
)

OVERDUE_PAGE_SIZE = 20
#: the overdue list's cursors are signed for it alone
OVERDUE_CURSOR = "dashboard-overdue"
UNANSWERED_LIMIT = 50

#: the agency table's columns, in order; each is a sort key and links to the list behind its number
LEAGUE_COLUMNS = ["agency", "total", "done_on_time", "done_late", "in_progress", "overdue", "percent_on_time"]

#: which timeliness values the "Việc của đơn vị" list is filtered by, behind each number
LINK_TIMELINESS: dict[str, list[str]] = {
    "total": TIMELINESS_KEYS,
    "done_on_time": [Timeliness.done_on_time.value],
    "done_late": [Timeliness.done_late.value],
    "in_progress": [Timeliness.on_time.value, Timeliness.due_soon.value, Timeliness.no_deadline.value],
    "overdue": [Timeliness.overdue.value],
    **{t: [t] for t in TIMELINESS_KEYS},
}


def _positive_int(value: str | None) -> int | None:
    """None for nothing given, -1 for something that is not an id."""
    if value is None or not value.strip():
        return None
    value = value.strip()
    return int(value) if value.isdigit() and 0 < int(value) < 2**31 else -1


def parse_id(value: str | None) -> int | None:
    """An id from the query string; None when absent or not an id (a filter that is ignored)."""
    number = _positive_int(value)
    return number if number and number > 0 else None


@dataclass
class DashboardArgs:
    """The dashboard's query string, checked: filters and the agency table's sort (the overdue list's cursor aside)."""

    filters: DashboardFilters
    sort: str | None = None
    descending: bool = True
    errors: dict[str, str] = field(default_factory=dict)

    @classmethod
    def parse(cls, args: Any) -> DashboardArgs:
        errors: dict[str, str] = {}
        ids: dict[str, int | None] = {}
        for name, label in (("directive", _("Văn bản")), ("agency", _("Cơ quan"))):
            ids[name] = _positive_int(args.get(name))
            if ids[name] == -1:
                errors[name] = _("%(field)s: mã số không hợp lệ.", field=label)
                ids[name] = None
        days: dict[str, date | None] = {}
        for name, label in (("issued_from", _("Ban hành từ ngày")), ("issued_to", _("đến ngày"))):
            raw = args.get(name) or ""
            days[name] = parse_date_or_none(raw) if raw.strip() else None
            if raw.strip() and days[name] is None:
                errors[name] = _("%(field)s: ngày không hợp lệ, hãy nhập dạng dd/mm/yyyy.", field=label)
        if days["issued_from"] and days["issued_to"] and days["issued_from"] > days["issued_to"]:
            errors["issued_to"] = _("“Đến ngày” phải sau “Ban hành từ ngày”.")
        sort = args.get("sort") or None
        descending = args.get("order", "desc") != "asc"
        return cls(
            filters=DashboardFilters(
                directive_id=ids["directive"],
                agency_id=ids["agency"],
                issued_from=days["issued_from"],
                issued_to=days["issued_to"],
            ),
            sort=sort if sort in LEAGUE_COLUMNS else None,
            descending=descending,
            errors=errors,
        )

    def query_args(self, **changes: Any) -> dict[str, Any]:
        """The current filters as query-string values (for links that keep them), with changes."""
        f = self.filters
        values: dict[str, Any] = {
            "directive": f.directive_id,
            "agency": f.agency_id,
            "issued_from": f.issued_from.strftime("%d/%m/%Y") if f.issued_from else None,
            "issued_to": f.issued_to.strftime("%d/%m/%Y") if f.issued_to else None,
            "sort": self.sort,
            "order": None if self.sort is None else ("desc" if self.descending else "asc"),
        }
        values.update(changes)
        return {k: v for k, v in values.items() if v is not None}


def sort_league(rows: list[AgencyRow], column: str | None, descending: bool) -> list[AgencyRow]:
    """The agency table sorted by a column (None: worst first, as `league` gives it); empty values last."""
    if column is None:
        return rows
    if column == "agency":
        return vi_sorted(rows, lambda r: r.agency.name_vi, reverse=descending)
    present = [r for r in rows if league_value(r, column) is not None]
    missing = [r for r in rows if league_value(r, column) is None]
    present.sort(key=lambda r: (league_value(r, column), vi_key(r.agency.name_vi)), reverse=descending)
    return present + missing


def league_value(row: AgencyRow, column: str) -> Any:
    if column in ("total", "in_progress", "percent_on_time"):
        return getattr(row, column)
    return row.counts.get(column, 0)


#: an agency id no row has, in a link built once per column and completed per row (see `league_links`)
_ANY_AGENCY = 2**31 - 1


def league_links(filters: DashboardFilters) -> dict[str, str]:
    """column -> the URL behind the agency table's numbers, with `_ANY_AGENCY` standing for the row's agency.

    url_for per cell was ~700 calls on a province's table, a fifth of the page's time (make bench); the
    template puts each row's id in place of the stand-in, giving the very URL url_for would have built.
    """
    return {
        column: url_for("assignment.index_view", **list_link_args(filters, column, _ANY_AGENCY))
        for column in LEAGUE_COLUMNS[1:]
        if column in LINK_TIMELINESS
    }


def agency_link(links: dict[str, str], column: str, agency_id: int) -> str:
    return with_agency(links[column], agency_id)


def with_agency(link: str, agency_id: int) -> str:
    """A link built once with `_ANY_AGENCY`, for one agency: what url_for would give with its id."""
    return link.replace(f"agency={_ANY_AGENCY}", f"agency={agency_id}", 1)


def list_link_args(filters: DashboardFilters, column: str, agency_id: int | None) -> dict[str, Any]:
    """The "Việc của đơn vị" list's filters behind one number of the dashboard."""
    values: dict[str, Any] = {
        "agency": agency_id,
        "directive": filters.directive_id,
        "issued_from": filters.issued_from.isoformat() if filters.issued_from else None,
        "issued_to": filters.issued_to.isoformat() if filters.issued_to else None,
        "timeliness": LINK_TIMELINESS[column],
    }
    return {k: v for k, v in values.items() if v is not None}


def directive_choices(user: User, selected_id: int | None) -> list[tuple[int, str]]:
    """The directive filter's embedded choices: the newest few and the chosen one; its picker searches the rest.

    Every followed directive made the monitor's page a megabyte at province scale (make bench).
    """
    return directive_filter_choices(user, selected_id)


def agency_choices(user: User) -> list[tuple[int, str]]:
    """The agencies with counted work in the user's dashboard scope, from the maintained tally."""
    rows = db.session.execute(
        sa.select(Agency.id, Agency.name_vi)
        .where(Agency.id.in_(tally.agency_ids(user)))
        .order_by(vi_order(Agency.name_vi))
    )
    return [(r.id, r.name_vi) for r in rows]


class DashboardView(SecureBaseView):
    """Counts by timeliness, the agency table, the overdue list, unanswered explanations and the targets."""

    @expose("/")
    def index(self) -> Any:
        user = current()  # signed in on the primary (the session's nonce), before the replica's phase
        with replica_reads():  # issue 14: the page only reads; REPLICA_DATABASE_URL set, from the standby
            return self._page(user)

    def _page(self, user: User) -> Any:
        args = DashboardArgs.parse(request.args)
        context: dict[str, Any] = {
            "args": args,
            "directives": directive_choices(user, args.filters.directive_id),
            "agencies": agency_choices(user),
            "may_remind": can(user, Permission.reminder_send),
            "timeliness_labels": TIMELINESS_LABELS,
            "columns": LEAGUE_COLUMNS,
            "list_link_args": list_link_args,
            "agency_link": agency_link,
            "with_agency": with_agency,
            "league_value": league_value,
            "today": local_today(),
            # the count cards link to the list only when it shows one agency's work: the chosen one, or an officer's own
            "card_agency": args.filters.agency_id or (user.agency_id if dashboard_counts_own_agency(user) else None),
            "by_handler": None,
        }
        if args.errors:
            return self.render("monitoring/dashboard.html", **context), 400
        filters = args.filters
        numbers, table = summary(user, filters)
        # keyset pages (issue 14): an old `page=N` link shows the first page; a refused cursor says so
        cursor = keyset.decode(request.args.get(keyset.CURSOR_ARG), OVERDUE_CURSOR, OVERDUE_KEY_KINDS)
        notice = cursor if isinstance(cursor, keyset.Refusal) else None
        overdue = overdue_page(user, filters, OVERDUE_PAGE_SIZE, None if notice else cursor, salt=OVERDUE_CURSOR)
        unanswered = (
            db.session.scalars(
                unanswered_explanations(user, filters)
                .options(
                    joinedload(ExplanationRequest.assignment).joinedload(Assignment.agency),
                    joinedload(ExplanationRequest.assignment)
                    .joinedload(Assignment.task)
                    .options(joinedload(Task.directive), joinedload(Task.parent)),
                )
                .limit(UNANSWERED_LIMIT)
            )
            .unique()
            .all()
        )
        context.update(
            counts=numbers,
            total=sum(numbers.values()),
            league=sort_league(table, args.sort, args.descending),
            overdue=overdue.rows,
            overdue_notice=notice,
            overdue_links=keyset.links_by(
                overdue, lambda c: url_for(".index", **args.query_args(cursor=c)) + "#overdue"
            ),
            league_links=league_links(filters),
            # the row's "Đôn đốc" button, built once (url_for per row was a tenth of the page)
            remind_link=url_for(
                "reminders.preview",
                agency=_ANY_AGENCY,
                directive=filters.directive_id,
                issued_from=args.query_args().get("issued_from"),
                issued_to=args.query_args().get("issued_to"),
            ),
            unanswered=unanswered,
            indicators=indicator_rows(user, directive_id=filters.directive_id),
            # issue 15: the agency's head sees its open work by handler
            by_handler=work_by_handler(user) if leads_agency(user) else None,
        )
        return self.render("monitoring/dashboard.html", **context)
