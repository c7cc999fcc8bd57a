"""API schemas of assignments."""

from __future__ import annotations

from marshmallow import fields, validate

from coordination.api.schemas import N_, AgencyRefSchema, ApiSchema, Id, PageArgs, Text
from coordination.assignments.models import AssignmentRole
from coordination.assignments.states import Status, Timeliness


class AssignmentArgsSchema(PageArgs):
    agency = Text(
        validate=validate.Length(min=1, max=40, error=N_("Từ %(min)s đến %(max)s ký tự.")),
        metadata={"description": "agency code"},
    )
    directive = Id(metadata={"description": "directive id"})
    status = fields.Enum(Status, by_value=True)
    open = fields.Boolean(metadata={"description": "true: not done or cancelled; false: done or cancelled"})
    timeliness = fields.Enum(Timeliness, by_value=True, metadata={"description": "as of today"})
    due_before = fields.Date(metadata={"description": "deadline on or before (YYYY-MM-DD)"})
    due_after = fields.Date(metadata={"description": "deadline on or after (YYYY-MM-DD)"})


class _DirectiveRefSchema(ApiSchema):
    id = fields.Integer()
    ref = fields.String()


class _DirectiveSummarySchema(_DirectiveRefSchema):
    subject = fields.String()


class _TaskRefSchema(ApiSchema):
    id = fields.Integer()
    label = fields.String()


class _TaskSummarySchema(_TaskRefSchema):
    text = fields.String()


class AssignmentSchema(ApiSchema):
    """An assignment as a list shows it."""

    id = fields.Integer()
    directive = fields.Nested(_DirectiveRefSchema, attribute="task.directive")
    task = fields.Nested(_TaskRefSchema)
    agency = fields.Nested(AgencyRefSchema)
    role = fields.Enum(AssignmentRole, by_value=True)
    status = fields.Enum(Status, by_value=True)
    timeliness = fields.Enum(Timeliness, by_value=True, allow_none=True, metadata={"description": "null if cancelled"})
    deadline = fields.Date(allow_none=True)
    reported_done_on = fields.Date(allow_none=True)
    completed_on = fields.Date(allow_none=True)
    progress_percent = fields.Integer(allow_none=True)
    version = fields.Integer(metadata={"description": "optimistic lock; the ETag of the assignment"})


class AssignmentDetailSchema(AssignmentSchema):
    directive = fields.Nested(_DirectiveSummarySchema, attribute="task.directive")
    task = fields.Nested(_TaskSummarySchema)
    updated_at = fields.DateTime()
