"""API schemas of reminders, explanation requests and notifications."""

from __future__ import annotations

from typing import Any

from marshmallow import ValidationError, fields, validate, validates_schema

from coordination.api.schemas import N_, ApiSchema, Id, PageArgs, Text

MESSAGE_MAX = 5000
SELECTION_MAX = 500


class ReminderRequestSchema(ApiSchema):
    """Which assignments to urge: by id, or every overdue one of an agency and/or a directive."""

    assignment_ids = fields.List(
        Id(),
        validate=validate.Length(min=1, max=SELECTION_MAX, error=N_("Từ %(min)s đến %(max)s nhiệm vụ.")),
        metadata={"description": "assignments to remind (or give agency and/or directive instead)"},
    )
    agency = Text(
        validate=validate.Length(min=1, max=40, error=N_("Từ %(min)s đến %(max)s ký tự.")),
        metadata={"description": "every overdue assignment of this agency (code) in your dashboard's scope"},
    )
    directive = Id(metadata={"description": "every overdue assignment of this directive"})
    message = Text(
        validate=validate.Length(min=1, max=MESSAGE_MAX, error=N_("Từ %(min)s đến %(max)s ký tự.")),
        metadata={"description": "the text to send; default: each assignment's own text (see the preview)"},
    )

    @validates_schema
    def _one_selection(self, data: dict[str, Any], **kwargs: Any) -> None:
        by_filter = "agency" in data or "directive" in data
        if "assignment_ids" in data and by_filter:
            raise ValidationError(N_("Dùng assignment_ids hoặc agency/directive, không dùng cả hai."), "assignment_ids")
        if "assignment_ids" not in data and not by_filter:
            raise ValidationError(N_("Hãy chọn nhiệm vụ (assignment_ids) hoặc agency/directive."), "assignment_ids")


class ReminderSchema(ApiSchema):
    id = fields.Integer()
    assignment_id = fields.Integer()
    rule = fields.String(metadata={"description": "manual, before, on_day, overdue or escalation"})
    sent_on = fields.Date()
    sent_at = fields.DateTime()
    recipients = fields.Function(
        lambda r: [u for u in (r.recipients or "").split(", ") if u], metadata={"description": "usernames"}
    )
    message = fields.String()


class ReminderResultSchema(ApiSchema):
    sent = fields.Integer()
    skipped = fields.Integer(metadata={"description": "closed or reported work, or already reminded by hand today"})
    reminders = fields.List(fields.Nested(ReminderSchema))


class ExplanationRequestCreateSchema(ApiSchema):
    question = Text(
        required=True, validate=validate.Length(min=1, max=MESSAGE_MAX, error=N_("Từ %(min)s đến %(max)s ký tự."))
    )
    due_on = fields.Date(required=True, metadata={"description": "the agency answers by this day (YYYY-MM-DD)"})


class ExplanationAnswerCreateSchema(ApiSchema):
    answer = Text(required=True, validate=validate.Length(min=1, max=10000, error=N_("Từ %(min)s đến %(max)s ký tự.")))
    expected_finish_on = fields.Date(allow_none=True, metadata={"description": "by when the work will be done"})


class ExplanationFileSchema(ApiSchema):
    id = fields.Integer()
    filename = fields.String()
    content_type = fields.String()
    size = fields.Integer()
    sha256 = fields.String()


class ExplanationSchema(ApiSchema):
    id = fields.Integer()
    assignment_id = fields.Integer()
    question = fields.String()
    due_on = fields.Date()
    requested_at = fields.DateTime()
    requested_by = fields.String(allow_none=True, metadata={"description": "username"})
    answer = fields.String(allow_none=True)
    expected_finish_on = fields.Date(allow_none=True)
    answered_at = fields.DateTime(allow_none=True)
    answered_by = fields.String(allow_none=True, metadata={"description": "username"})
    days_late = fields.Integer(
        allow_none=True, metadata={"description": "days the answer came after due_on (0 on time); null if unanswered"}
    )
    files = fields.List(fields.Nested(ExplanationFileSchema))


class NotificationArgsSchema(PageArgs):
    unread = fields.Boolean(metadata={"description": "true: unread only; false: read only"})


class NotificationSchema(ApiSchema):
    id = fields.Integer()
    kind = fields.String(
        metadata={
            "description": "reminder, escalation, explanation, explanation_answer, assignment, accepted, returned, "
            "extension_approved, extension_rejected, reported_done, extension_request"
        }
    )
    message = fields.String()
    assignment_id = fields.Integer(allow_none=True)
    created_at = fields.DateTime()
    read_at = fields.DateTime(allow_none=True)


class MarkReadSchema(ApiSchema):
    ids = fields.List(
        Id(),
        validate=validate.Length(min=1, max=1000, error=N_("Từ %(min)s đến %(max)s mã.")),
        metadata={"description": "notification ids"},
    )
    all = fields.Boolean(metadata={"description": "true: mark every notification read"})

    @validates_schema
    def _one_of(self, data: dict[str, Any], **kwargs: Any) -> None:
        if "ids" in data and "all" in data:
            raise ValidationError(N_("Dùng ids hoặc all, không dùng cả hai."), "ids")
        if "ids" not in data and data.get("all") is not True:
            raise ValidationError(N_("Hãy gửi ids, hoặc all: true."), "all" if "all" in data else "ids")


class MarkReadResultSchema(ApiSchema):
    marked = fields.Integer(metadata={"description": "how many changed from unread to read"})
    unread = fields.Integer(metadata={"description": "how many remain unread"})
