"""API schemas of the dashboard: the filters, and the numbers as the dashboard page shows them."""

from __future__ import annotations

from typing import Any

from marshmallow import ValidationError, fields, validate, validates_schema

from coordination.api.schemas import N_, AgencyRefSchema, ApiSchema, Id, Text
from coordination.assignments.schemas import AssignmentSchema


class DashboardArgsSchema(ApiSchema):
    directive = Id(metadata={"description": "directive id"})
    agency = Text(
        validate=validate.Length(min=1, max=40, error=N_("Từ %(min)s đến %(max)s ký tự.")),
        metadata={"description": "agency code"},
    )
    issued_from = fields.Date(metadata={"description": "directives issued on or after (YYYY-MM-DD)"})
    issued_to = fields.Date(metadata={"description": "directives issued on or before (YYYY-MM-DD)"})

    @validates_schema
    def _period(self, data: dict[str, Any], **kwargs: Any) -> None:
        if data.get("issued_from") and data.get("issued_to") and data["issued_from"] > data["issued_to"]:
            raise ValidationError(N_("Phải từ issued_from trở về sau."), field_name="issued_to")


class CountsSchema(ApiSchema):
    """Assignments (not cancelled) by timeliness, as of today."""

    on_time = fields.Integer()
    due_soon = fields.Integer()
    overdue = fields.Integer()
    done_on_time = fields.Integer()
    done_late = fields.Integer()
    no_deadline = fields.Integer()


class AgencyNumbersSchema(CountsSchema):
    agency = fields.Nested(AgencyRefSchema)
    total = fields.Integer()
    percent_on_time = fields.Float(
        allow_none=True, metadata={"description": "done on time / (done + overdue), one decimal; null if none fell due"}
    )


class OverdueSchema(AssignmentSchema):
    days_late = fields.Integer()


class DashboardSchema(ApiSchema):
    counts = fields.Nested(CountsSchema)
    agencies = fields.List(fields.Nested(AgencyNumbersSchema), metadata={"description": "worst first"})
    overdue = fields.List(
        fields.Nested(OverdueSchema),
        metadata={"description": "the overdue list's first page, most days late first"},
    )
