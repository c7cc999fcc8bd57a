"""API schema of an export job: its state, its progress and its links."""

from __future__ import annotations

from marshmallow import fields

from coordination.api.schemas import ApiSchema


class ProgressSchema(ApiSchema):
    done = fields.Integer(metadata={"description": "assignments processed"})
    total = fields.Integer(allow_none=True, metadata={"description": "the scope's assignments; null until counted"})
    percent = fields.Float()
    text = fields.String(metadata={"description": '"đã xử lý 12.345/70.123 việc", in the request\'s language'})


class JobLinksSchema(ApiSchema):
    self = fields.String()
    file = fields.String(allow_none=True, metadata={"description": "the file, once done and until it expires"})


class ExportJobSchema(ApiSchema):
    """An export made by the worker: poll `links.self` until `status` is done (then `links.file`) or failed."""

    id = fields.Integer()
    status = fields.String(metadata={"description": "queued, running, done or failed"})
    status_label = fields.String()
    format = fields.String()
    progress = fields.Nested(ProgressSchema)
    error = fields.String(allow_none=True, metadata={"description": "why it failed"})
    file_name = fields.String(allow_none=True)
    file_size = fields.Integer(allow_none=True)
    created_at = fields.DateTime()
    finished_at = fields.DateTime(allow_none=True)
    expires_at = fields.DateTime(metadata={"description": "the file is deleted after this (then 410)"})
    expired = fields.Boolean()
    links = fields.Nested(JobLinksSchema)
