"""GET /api/v1/dashboard: the dashboard's numbers, the same functions as the page."""

from __future__ import annotations

from datetime import date
from typing import Any

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from coordination.agencies.lookup import agency_by_code
from coordination.agencies.models import Agency
from coordination.api.core import Blueprint, reads_only
from coordination.api.schemas import PAGE_SIZE_DEFAULT
from coordination.db import today as local_today
from coordination.directives.models import Directive
from coordination.errors import Invalid
from coordination.extensions import db
from coordination.permissions import visible_directives
from coordination.replica import replica_reads
from coordination.reports.dashboard import DashboardFilters, dump_overdue_row, overdue_rows, summary
from coordination.reports.dashboard_schemas import DashboardArgsSchema, DashboardSchema

blp = Blueprint("api_dashboard", __name__, url_prefix="/api/v1/dashboard", description="The monitoring dashboard")


def _directive_id(user: Any, directive_id: int | None) -> int | None:
    if directive_id is None:
        return None
    seen = db.session.scalar(sa.select(Directive.id).where(Directive.id == directive_id, visible_directives(user)))
    if seen is None:
        # The same answer for a directive that does not exist and one the user may not see.
        raise Invalid(
            _("Không tìm thấy văn bản số %(id)s.", id=directive_id),
            errors={"directive": [_("Không có văn bản này, hoặc bạn không được xem.")]},
        )
    return directive_id


@blp.get("")
@reads_only
@blp.arguments(DashboardArgsSchema, location="query", as_kwargs=True)
@blp.response(200, DashboardSchema)
def dashboard(
    directive: int | None = None,
    agency: str | None = None,
    issued_from: date | None = None,
    issued_to: date | None = None,
) -> Response:
    """Counts by timeliness, the agency table (worst first) and the first page of the overdue list.

    A monitor sees the directives it monitors, the office those of its issuer, an officer its own
    agency's work, an admin everything published.
    """
    # the token was checked on the primary (a revoked one is refused at once), before the replica's phase
    user = current_user._get_current_object()
    with replica_reads():  # issue 14: only reads; REPLICA_DATABASE_URL set, from the standby
        return _dashboard(user, directive, agency, issued_from, issued_to)


def _dashboard(
    user: Any, directive: int | None, agency: str | None, issued_from: date | None, issued_to: date | None
) -> Response:
    filters = DashboardFilters(
        directive_id=_directive_id(user, directive),
        agency_id=agency_by_code(agency, field="agency").id if agency else None,
        issued_from=issued_from,
        issued_to=issued_to,
    )
    numbers, table = summary(user, filters)
    day = local_today()
    body = {
        "counts": numbers,
        "agencies": [
            {
                "agency": agency_ref(row.agency),
                **row.counts,
                "total": row.total,
                "percent_on_time": row.percent_on_time,
            }
            for row in table
        ],
        "overdue": [dump_overdue_row(row, day) for row in overdue_rows(user, filters, PAGE_SIZE_DEFAULT, day=day)],
    }
    # Already DashboardSchema's JSON, written out (marshmallow took ~40 ms of the request at province scale;
    # tests/reports prove the two dumps equal): sent as is, not dumped again.
    return current_app.json.response(body)


def agency_ref(agency: Agency) -> dict[str, Any]:
    """`AgencyRefSchema().dump(agency)`, written out."""
    return {
        "id": agency.id,
        "code": agency.code,
        "name_vi": agency.name_vi,
        "name_en": agency.name_en,
        "short_name": agency.short_name,
    }
