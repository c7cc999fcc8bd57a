"""API schemas of targets (chỉ tiêu): the list, the detail with its trajectory, and a new measurement."""

from __future__ import annotations

from typing import Any

from marshmallow import ValidationError, fields, validate, validates

from coordination.api.schemas import N_, AgencyRefSchema, ApiSchema, Id, Text
from coordination.indicators.trajectory import Outcome, Rating

#: the largest value the NUMERIC(18, 2) column holds comfortably
VALUE_MAX = 10**15
_NUMBER_MESSAGES = {"invalid": N_("Phải là một số."), "special": N_("Phải là một số hữu hạn.")}


class IndicatorArgsSchema(ApiSchema):
    directive = Id(metadata={"description": "directive id"})


class IndicatorDirectiveSchema(ApiSchema):
    id = fields.Integer()
    ref = fields.String()


class PointSchema(ApiSchema):
    on = fields.Date()
    value = fields.Float()


class TrajectorySchema(ApiSchema):
    """Trajectory.as_dict(): the numbers the indicator page shows."""

    target = fields.Float()
    baseline = fields.Float()
    actual = fields.Float(allow_none=True, metadata={"description": "the latest total"})
    actual_on = fields.Date(allow_none=True)
    planned = fields.Float(
        allow_none=True, metadata={"description": "the plan on actual_on (a per-day target: the rate)"}
    )
    percent = fields.Float(allow_none=True, metadata={"description": "of the target, one decimal, rounded down"})
    rate_7d = fields.Float(allow_none=True, metadata={"description": "average daily increase over the last 7 days"})
    projected_on = fields.Date(allow_none=True, metadata={"description": "the day the target is reached at that rate"})
    reached_on = fields.Date(allow_none=True)
    rating = fields.String(
        metadata={"enum": [r.value for r in Rating], "description": "red: the projection misses the deadline"}
    )
    outcome = fields.String(
        allow_none=True,
        metadata={"enum": [o.value for o in Outcome], "description": "once the deadline has passed: met or missed"},
    )
    points = fields.List(fields.Nested(PointSchema))


class IndicatorSchema(ApiSchema):
    id = fields.Integer()
    name = fields.String()
    unit = fields.String()
    directive = fields.Nested(IndicatorDirectiveSchema)
    agency = fields.Nested(AgencyRefSchema, allow_none=True, metadata={"description": "who enters measurements"})
    target_value = fields.Float()
    baseline_value = fields.Float()
    baseline_on = fields.Date(allow_none=True)
    deadline = fields.Date(allow_none=True)
    daily_rate = fields.Float(allow_none=True, metadata={"description": "for a per-day target"})
    trajectory = fields.Nested(TrajectorySchema)


class IndicatorListSchema(ApiSchema):
    items = fields.List(fields.Nested(IndicatorSchema), metadata={"description": "red first, then amber, then green"})


class MeasurementSchema(ApiSchema):
    id = fields.Integer()
    measured_on = fields.Date()
    value = fields.Float()
    of_value = fields.Float(allow_none=True)
    percent = fields.Float(allow_none=True, metadata={"description": "of of_value if given, else of the target"})
    agency = fields.Nested(AgencyRefSchema, allow_none=True, metadata={"description": "null for the total"})
    created_at = fields.DateTime()


class IndicatorDetailSchema(IndicatorSchema):
    measurements = fields.List(fields.Nested(MeasurementSchema), metadata={"description": "newest first"})


#: the bounds as JSON numbers: apispec writes a Decimal's bounds as strings, which OpenAPI refuses
_DOCUMENTED_BOUNDS = {"minimum": 0, "maximum": float(VALUE_MAX)}


class MeasurementCreateSchema(ApiSchema):
    measured_on = fields.Date(required=True, metadata={"description": "YYYY-MM-DD; not in the future"})
    value = fields.Decimal(
        required=True,
        places=2,
        error_messages=_NUMBER_MESSAGES,
        validate=validate.Range(min=0, max=VALUE_MAX, error=N_("Phải từ %(min)s đến %(max)s.")),
        metadata=_DOCUMENTED_BOUNDS,
    )
    of_value = fields.Decimal(
        places=2,
        allow_none=True,
        error_messages=_NUMBER_MESSAGES,
        validate=validate.Range(min=0, min_inclusive=False, max=VALUE_MAX, error=N_("Phải lớn hơn 0.")),
        metadata={
            "description": "the whole it is counted against (37.075 of 50.527)",
            **_DOCUMENTED_BOUNDS,
            "exclusiveMinimum": True,
        },
    )
    agency = Text(
        allow_none=True,
        validate=validate.Length(min=1, max=40, error=N_("Từ %(min)s đến %(max)s ký tự.")),
        metadata={"description": "agency code; omit for the total"},
    )

    @validates("measured_on")
    def _not_future(self, value: Any, **kwargs: Any) -> None:
        from coordination.db import today

        if value > today():
            raise ValidationError(N_("Không được là ngày trong tương lai."))
