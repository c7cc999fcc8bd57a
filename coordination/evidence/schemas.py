"""API schemas of evidence files."""

from __future__ import annotations

from typing import Any

from marshmallow import ValidationError, fields, validate, validates_schema

from coordination.api.schemas import N_, ApiSchema, UserRefSchema, long_text

_FILE = fields.Raw(metadata={"type": "string", "format": "binary"})


class UploadSchema(ApiSchema):
    """One or more files (multipart/form-data), under the field `file` or `files`."""

    file = fields.List(_FILE, validate=validate.Length(max=20, error=N_("Tối đa %(max)s mục.")))
    files = fields.List(_FILE, validate=validate.Length(max=20, error=N_("Tối đa %(max)s mục.")))

    @validates_schema
    def _some_file(self, data: dict[str, Any], **kwargs: Any) -> None:
        if not data.get("file") and not data.get("files"):
            raise ValidationError(N_("Hãy chọn ít nhất một tệp.").format(), "file")
        if len(data.get("file", [])) + len(data.get("files", [])) > 20:
            raise ValidationError(N_("Tối đa %(max)s mục.").format(max=20), "files")


class EvidenceSchema(ApiSchema):
    """An evidence file as stored: its type is the one its content proves, its name cleaned."""

    id = fields.Integer()
    filename = fields.String()
    content_type = fields.String()
    size = fields.Integer(metadata={"description": "bytes"})
    sha256 = fields.String(metadata={"description": "hex SHA-256 of the content"})


class EvidenceDetailSchema(EvidenceSchema):
    uploaded_at = fields.DateTime()
    uploaded_by = fields.Nested(UserRefSchema, allow_none=True)
    removed_at = fields.DateTime(
        allow_none=True, metadata={"description": "when the file was withdrawn (its download answers 410); null if not"}
    )


class RemovalSchema(ApiSchema):
    reason = long_text(5_000, load_default="")
