"""Bảng theo dõi: what the monitor and the office open each morning; officers see their own agency's numbers.

All numbers come from coordination.reports.dashboard (aggregated in SQL); this view only parses the
filters, sorts the agency table and renders.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

import sqlalchemy as sa
from flask import request
from flask_admin import expose
from flask_babel import gettext as _
from sqlalchemy.orm import joinedload

from coordination.admin.base import SecureBaseView, current
from coordination.agencies.models import Agency
from coordination.assignments.models import Assignment
from coordination.assignments.states import TIMELINESS_LABELS, Timeliness
from coordination.auth.models import User
from coordination.collation import vi_key, vi_order, vi_sorted
from coordination.db import today as local_today
from coordination.directives.models import Directive, Task
from coordination.extensions import db
from coordination.formatting import parse_date_or_none
from coordination.indicators.queries import indicator_rows
from coordination.permissions import Permission, can, dashboard_counts_own_agency, dashboard_scope, leads_agency
from coordination.reminders.models import ExplanationRequest
from coordination.reminders.queries import overdue_page
from coordination.reports.dashboard import (
    TIMELINESS_KEYS,
    AgencyRow,
    DashboardFilters,
    summary,
    unanswered_explanations,
    work_by_handler,
)

OVERDUE_PAGE_SIZE = 20
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
    """The dashboard's query string, checked: filters, the agency table's sort, the overdue list's page."""

    filters: DashboardFilters
    sort: str | None = None
    descending: bool = True
    page: int = 1
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
        page = _positive_int(args.get("page")) or 1
        return cls(
            filters=DashboardFilters(
                directive_id=ids["directive"],
                agency_id=ids["agency"],
                issued_from=days["issued_from"],
                issued_to=days["issued_to"],
            ),
            sort=sort if sort in LEAGUE_COLUMNS else None,
            descending=descending,
            page=max(page, 1),
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


def _scoped_ids(user: User) -> sa.Select:
    """The ids of the directives the user's dashboard covers (officers: those with their agency's work)."""
    return (
        sa.select(Directive.id)
        .join(Task, Task.directive_id == Directive.id)
        .join(Assignment, Assignment.task_id == Task.id)
        .where(dashboard_scope(user))
    )


def directive_choices(user: User) -> list[tuple[int, str]]:
    rows = db.session.execute(
        sa.select(Directive.id, Directive.ref, Directive.subject)
        .where(Directive.id.in_(_scoped_ids(user)))
        .order_by(Directive.issued_on.desc(), Directive.id.desc())
    )
    return [(r.id, f"{r.ref} — {r.subject[:60]}") for r in rows]


def agency_choices(user: User) -> list[tuple[int, str]]:
    agency_ids = (
        sa.select(Assignment.agency_id)
        .join(Task, Task.id == Assignment.task_id)
        .join(Directive, Directive.id == Task.directive_id)
        .where(dashboard_scope(user))
    )
    rows = db.session.execute(
        sa.select(Agency.id, Agency.name_vi).where(Agency.id.in_(agency_ids)).order_by(vi_order(Agency.name_vi))
    )
    return [(r.id, r.name_vi) for r in rows]


class DashboardView(SecureBaseView):
    """Counts by timeliness, the agency table, the overdue list, unanswered explanations and the targets."""

    @expose("/")
    def index(self) -> Any:
        user = current()
        args = DashboardArgs.parse(request.args)
        context: dict[str, Any] = {
            "args": args,
            "directives": directive_choices(user),
            "agencies": agency_choices(user),
            "may_remind": can(user, Permission.reminder_send),
            "timeliness_labels": TIMELINESS_LABELS,
            "columns": LEAGUE_COLUMNS,
            "list_link_args": list_link_args,
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
        pages = max(1, -(-numbers["overdue"] // OVERDUE_PAGE_SIZE))
        page = min(args.page, pages)
        overdue = overdue_page(user, filters, OVERDUE_PAGE_SIZE, page)
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
            overdue=overdue,
            overdue_page=page,
            overdue_pages=pages,
            unanswered=unanswered,
            indicators=indicator_rows(user, directive_id=filters.directive_id),
            # issue 15: the agency's head sees its open work by handler
            by_handler=work_by_handler(user) if leads_agency(user) else None,
        )
        return self.render("monitoring/dashboard.html", **context)
