"""API schemas of assignments."""

from __future__ import annotations

from typing import Any

from marshmallow import fields, validate

from coordination.api.schemas import N_, AgencyRefSchema, ApiSchema, Id, PageArgs, Text, UserRefSchema, long_text
from coordination.assignments.models import AssignmentRole, ExtensionStatus
from coordination.assignments.states import Status, Timeliness
from coordination.evidence.schemas import EvidenceDetailSchema


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
    handler = fields.String(
        validate=validate.OneOf(["me"], error=N_("Phải là một trong: %(choices)s.")),
        metadata={"description": "me: the work you were named to handle (phân công xử lý), not ended"},
    )


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


def _one_of(*choices: str, **kwargs: object) -> fields.String:
    return fields.String(validate=validate.OneOf(choices, error=N_("Phải là một trong: %(choices)s.")), **kwargs)


class ProgressInSchema(ApiSchema):
    note = long_text(20_000, load_default="")
    progress_percent = fields.Integer(
        strict=True,
        allow_none=True,
        validate=validate.Range(min=0, max=100, error=N_("Phải từ %(min)s đến %(max)s.")),
    )
    status = _one_of(
        Status.in_progress.value,
        Status.reported_done.value,
        metadata={
            "description": "the status you want: in_progress starts (or resumes returned work), "
            "reported_done reports the work done; omit to only report progress"
        },
    )


class ProgressUpdateSchema(ApiSchema):
    """One report of progress, or a review note."""

    id = fields.Integer()
    assignment_id = fields.Integer()
    author = fields.Nested(UserRefSchema, allow_none=True)
    created_at = fields.DateTime()
    note = fields.String()
    progress_percent = fields.Integer(allow_none=True)
    status_from = fields.Enum(Status, by_value=True, allow_none=True)
    status_to = fields.Enum(Status, by_value=True, allow_none=True)


class ReviewSchema(ApiSchema):
    decision = _one_of("accept", "return", required=True)
    note = long_text(20_000, load_default="", metadata={"description": "required to return the work"})


class ExtensionRequestInSchema(ApiSchema):
    requested_deadline = fields.Date(required=True)
    reason = long_text(5_000, required=True)


class ExtensionDecisionSchema(ApiSchema):
    decision = _one_of("approve", "reject", required=True)
    note = long_text(5_000, load_default="", metadata={"description": "required to reject"})


class ExtensionRequestSchema(ApiSchema):
    id = fields.Integer()
    assignment_id = fields.Integer()
    status = fields.Enum(ExtensionStatus, by_value=True)
    current_deadline = fields.Date(allow_none=True)
    requested_deadline = fields.Date()
    requested_deadline_is_working_day = fields.Boolean(
        metadata={"description": "false: the date asked for is a weekend, a holiday or an announced day off"}
    )
    working_days_added = fields.Integer(
        allow_none=True, metadata={"description": "working days from the current deadline to the date asked for"}
    )
    reason = fields.String()
    requested_by = fields.Nested(UserRefSchema, allow_none=True)
    requested_at = fields.DateTime()
    decided_by = fields.Nested(UserRefSchema, allow_none=True)
    decided_at = fields.DateTime(allow_none=True)
    decision_note = fields.String(allow_none=True)


class HandlerSchema(ApiSchema):
    """An officer named by the agency's head to handle the assignment (phân công xử lý)."""

    user = fields.Nested(UserRefSchema)
    note = fields.String()
    due_on = fields.Date(allow_none=True, metadata={"description": "the agency's internal due date"})
    assigned_by = fields.Nested(UserRefSchema, allow_none=True)
    assigned_at = fields.DateTime()


class HandlersInSchema(ApiSchema):
    handlers = fields.List(
        Text(validate=validate.Length(min=1, max=80, error=N_("Từ %(min)s đến %(max)s ký tự."))),
        required=True,
        validate=validate.Length(max=20, error=N_("Tối đa %(max)s người.")),
        metadata={
            "description": "usernames of active users of the assignment's agency; they replace the current "
            "handlers, whose rows are ended and kept; an empty list ends the delegation"
        },
    )
    note = long_text(2_000, load_default="")
    due_on = fields.Date(
        allow_none=True,
        load_default=None,
        metadata={"description": "internal due date (YYYY-MM-DD), no later than the assignment's deadline"},
    )


class AssignmentWorkSchema(AssignmentDetailSchema):
    """An assignment with its record: notes, files and extension requests may hold personal data, so they
    are null unless you may see them (the owning agency, the directive's monitor, its issuer's office)."""

    updates = fields.List(
        fields.Nested(ProgressUpdateSchema),
        allow_none=True,
        metadata={"description": "the 20 newest, newest first; every note is in GET /assignments/{id}/history"},
    )
    more_updates = fields.Boolean(
        allow_none=True,
        metadata={"description": "older notes than `updates` exist (in the history); null with `updates`"},
    )
    evidence = fields.List(fields.Nested(EvidenceDetailSchema), allow_none=True)
    extension_requests = fields.List(
        fields.Nested(ExtensionRequestSchema), allow_none=True, metadata={"description": "newest first"}
    )
    handlers = fields.List(
        fields.Nested(HandlerSchema),
        allow_none=True,
        metadata={"description": "who handles it inside the agency now (the trail is in the history)"},
    )


class HistoryEventSchema(ApiSchema):
    """One change, as the audit trail recorded it: never edited, never deleted."""

    id = fields.Integer()
    occurred_at = fields.DateTime()
    actor = fields.Nested(UserRefSchema, allow_none=True, metadata={"description": "null for the system"})
    actor_label = fields.String(metadata={"description": "the username, or the system actor (system:reminders, …)"})
    action = fields.String(metadata={"example": "assignment.report_done"})
    entity_type = fields.String()
    entity_id = fields.Integer()
    before = fields.Dict(allow_none=True)
    after = fields.Dict(allow_none=True)


def dump_list_row(row: Any) -> dict[str, Any]:
    """`AssignmentSchema().dump(...)` of one row of `assignment_list_query`, written out for the hot list endpoint.

    marshmallow spent ~9 ms on a page of 50 (make bench), most of a request the database answers in about
    1 ms; this builds the same dict from plain columns, unpacked by position (a Row's attribute lookup by
    name cost half of it). A test proves it equals the schema's dump of the same assignments, and the schema
    stays the documented one (OpenAPI).
    """
    (
        id_,
        directive_id,
        directive_ref,
        task_id,
        task_label,
        agency_id,
        agency_code,
        agency_name_vi,
        agency_name_en,
        agency_short_name,
        role,
        status,
        deadline,
        reported_done_on,
        completed_on,
        progress_percent,
        version,
        timeliness,
    ) = row
    return {
        "id": id_,
        "directive": {"id": directive_id, "ref": directive_ref},
        "task": {"id": task_id, "label": task_label},
        "agency": {
            "id": agency_id,
            "code": agency_code,
            "name_vi": agency_name_vi,
            "name_en": agency_name_en,
            "short_name": agency_short_name,
        },
        "role": role.value,
        "status": status.value,
        "timeliness": timeliness,
        "deadline": deadline.isoformat() if deadline is not None else None,
        "reported_done_on": reported_done_on.isoformat() if reported_done_on is not None else None,
        "completed_on": completed_on.isoformat() if completed_on is not None else None,
        "progress_percent": progress_percent,
        "version": version,
    }
