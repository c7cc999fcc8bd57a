"""The queue in the API: which section, one page of its rows, and how many wait in each."""

from __future__ import annotations

from marshmallow import fields

from coordination.api.schemas import AgencyRefSchema, ApiSchema, PageArgs, PageSchema, UserRefSchema
from coordination.queue.queries import QueueKind


class QueueArgsSchema(PageArgs):
    kind = fields.Enum(
        QueueKind,
        required=True,
        metadata={
            "description": "review: work reported done awaiting acceptance; extension: extension requests awaiting "
            "a decision; explanation: explanations answered and not yet read"
        },
    )


class QueueDirectiveSchema(ApiSchema):
    id = fields.Integer()
    ref = fields.String(metadata={"example": "2157/UBND-KSTT"})


class QueueItemSchema(ApiSchema):
    """One row waiting for the user's decision, and where the decision is made."""

    kind = fields.String(metadata={"description": "review, extension or explanation"})
    id = fields.Integer(metadata={"description": "the assignment's id (review), else the request's id"})
    assignment_id = fields.Integer()
    directive = fields.Nested(QueueDirectiveSchema)
    task_label = fields.String(metadata={"description": "the task's label as printed, sub-items named readably"})
    agency = fields.Nested(AgencyRefSchema)
    waiting_since = fields.Date(
        metadata={"description": "reported done on (review), asked on (extension), answered on (explanation)"}
    )
    deadline = fields.Date(allow_none=True, metadata={"description": "the assignment's deadline now"})
    requested_deadline = fields.Date(allow_none=True, metadata={"description": "extension: the date asked for"})
    reason = fields.String(allow_none=True, metadata={"description": "extension: why"})
    question = fields.String(allow_none=True, metadata={"description": "explanation: what was asked"})
    answer = fields.String(allow_none=True, metadata={"description": "explanation: the agency's answer"})
    expected_finish_on = fields.Date(allow_none=True, metadata={"description": "explanation: by when it will finish"})
    by = fields.Nested(UserRefSchema, allow_none=True, metadata={"description": "who asked or answered"})
    decide = fields.String(
        metadata={
            "description": "the API call that decides it: POST /api/v1/assignments/{id}/review, "
            "POST /api/v1/extension-requests/{id}/decision or POST /api/v1/explanation-requests/{id}/read"
        }
    )


class QueueCountsSchema(ApiSchema):
    """How many wait in each section, counted up to `limit` (QUEUE_COUNT_LIMIT): past it, the count is `limit`."""

    review = fields.Integer()
    extension = fields.Integer()
    explanation = fields.Integer()
    limit = fields.Integer(metadata={"description": "where counting stops (the server's QUEUE_COUNT_LIMIT)"})
    over_limit = fields.List(
        fields.String(),
        metadata={"description": "the sections with more than `limit` waiting (their count says `limit`)"},
    )


class QueuePageSchema(PageSchema):
    """One page of a section, oldest first, with the count of every section."""

    items = fields.List(fields.Nested(QueueItemSchema), required=True)
    counts = fields.Nested(QueueCountsSchema)


class ExplanationReadSchema(ApiSchema):
    id = fields.Integer()
    answer_read_at = fields.DateTime()
