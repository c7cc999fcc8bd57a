"""GET /api/v1/indicators, GET /api/v1/indicators/{id}, POST /api/v1/indicators/{id}/measurements."""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _
from flask_login import current_user

from coordination.access import found_or_404
from coordination.agencies.lookup import agency_by_code
from coordination.api.core import Blueprint
from coordination.api.schemas import MAX_ID
from coordination.db import today
from coordination.errors import Forbidden, Invalid
from coordination.indicators.models import Indicator, Measurement
from coordination.indicators.operations import add_measurement
from coordination.indicators.queries import get_indicator, indicator_rows, measurement_agencies, measurement_percent
from coordination.indicators.schemas import (
    IndicatorArgsSchema,
    IndicatorDetailSchema,
    IndicatorListSchema,
    MeasurementCreateSchema,
    MeasurementSchema,
)
from coordination.indicators.trajectory import Trajectory, compute
from coordination.permissions import Permission, can

blp = Blueprint("api_indicators", __name__, url_prefix="/api/v1/indicators", description="Targets (chỉ tiêu)")


def _out(indicator: Indicator, trajectory: Trajectory) -> dict[str, Any]:
    return {
        "id": indicator.id,
        "name": indicator.name,
        "unit": indicator.unit,
        "directive": indicator.directive,
        "agency": indicator.agency,
        "target_value": indicator.target_value,
        "baseline_value": indicator.baseline_value or 0,
        "baseline_on": indicator.baseline_on,
        "deadline": indicator.deadline,
        "daily_rate": indicator.daily_rate,
        "trajectory": trajectory.as_dict(),
    }


def _measurement_out(measurement: Measurement, indicator: Indicator) -> dict[str, Any]:
    return {
        "id": measurement.id,
        "measured_on": measurement.measured_on,
        "value": measurement.value,
        "of_value": measurement.of_value,
        "percent": measurement_percent(measurement, indicator),
        "agency": measurement.agency,
        "created_at": measurement.created_at,
    }


def _load(indicator_id: int) -> Indicator:
    return found_or_404(
        get_indicator(current_user, indicator_id),
        _("Không tìm thấy chỉ tiêu số %(id)s.", id=indicator_id),
        errors={"id": [_("Không có chỉ tiêu này, hoặc bạn không được xem.")]},
    )


@blp.get("")
@blp.arguments(IndicatorArgsSchema, location="query", as_kwargs=True)
@blp.response(200, IndicatorListSchema)
def list_indicators(directive: int | None = None) -> dict[str, Any]:
    """The targets of the directives you may see, at risk (red) first; each with its trajectory."""
    return {"items": [_out(r.indicator, r.trajectory) for r in indicator_rows(current_user, directive_id=directive)]}


@blp.get(f"/<int(max={MAX_ID}):indicator_id>")
@blp.response(200, IndicatorDetailSchema)
def get_indicator_detail(indicator_id: int) -> dict[str, Any]:
    """One target: plan, actual, 7-day rate, projected date and rating, as its page shows them; its measurements."""
    indicator = _load(indicator_id)
    measurements = sorted(indicator.measurements, key=lambda m: (m.measured_on, m.id), reverse=True)
    return {
        **_out(indicator, compute(indicator, today())),
        "measurements": [_measurement_out(m, indicator) for m in measurements],
    }


@blp.post(f"/<int(max={MAX_ID}):indicator_id>/measurements")
@blp.arguments(MeasurementCreateSchema)
@blp.response(201, MeasurementSchema)
@blp.alt_response(403, response="FORBIDDEN", description="Not the indicator's agency, the monitor or the office")
@blp.alt_response(404, response="NOT_FOUND", description="No such indicator, or not yours to see")
def create_measurement(data: dict[str, Any], indicator_id: int) -> dict[str, Any]:
    """Record the value reached on a day: in total, or for one agency (`agency`)."""
    indicator = _load(indicator_id)
    if not can(current_user, Permission.indicator_measure, indicator):
        raise Forbidden(_("Bạn không có quyền nhập số liệu cho chỉ tiêu này."))
    agency = None
    if data.get("agency"):
        agency = agency_by_code(data["agency"], field="agency")
        if agency not in measurement_agencies(indicator):
            raise Invalid(
                _("%(agency)s không tham gia chỉ tiêu này.", agency=agency.name_vi),
                errors={"agency": [_("Cơ quan không thực hiện văn bản của chỉ tiêu này.")]},
            )
    measurement = add_measurement(
        indicator,
        data["measured_on"],
        data["value"],
        actor=current_user._get_current_object(),
        of_value=data.get("of_value"),
        agency=agency,
    )
    return _measurement_out(measurement, indicator)
