"""The base of every API schema, its translated messages, and the shared fields and page schemas."""

from __future__ import annotations

import base64
import binascii
from typing import Any

import marshmallow as ma
from flask_babel import gettext
from marshmallow import fields, validate

#: the largest id a page token or an id filter may carry (PostgreSQL's integer)
MAX_ID = 2**31 - 1
PAGE_SIZE_DEFAULT = 50
PAGE_SIZE_MAX = 500


class Message(str):
    """A Vietnamese msgid that marshmallow formats when it refuses a value: translated then.

    marshmallow builds its messages at import time and calls `.format(**kwargs)` on them while
    validating, inside the request: that is when the request's language is known.
    """

    __slots__ = ()

    def format(self, *args: Any, **kwargs: Any) -> str:
        return gettext(str.__str__(self), **kwargs)

    def __str__(self) -> str:
        return gettext(str.__str__(self))


def N_(msgid: str) -> Message:
    """Mark `msgid` for extraction (pybabel knows N_); it is translated when shown."""
    return Message(msgid)


_FIELD_MESSAGES: list[tuple[type[fields.Field], dict[str, Message]]] = [
    (
        fields.Field,
        {
            "required": N_("Bắt buộc."),
            "null": N_("Không được để trống."),
            "validator_failed": N_("Giá trị không hợp lệ."),
        },
    ),
    (fields.String, {"invalid": N_("Phải là một chuỗi ký tự.")}),
    (fields.Integer, {"invalid": N_("Phải là một số nguyên.")}),
    (fields.Number, {"invalid": N_("Phải là một số."), "too_large": N_("Số quá lớn.")}),
    (fields.Boolean, {"invalid": N_("Phải là true hoặc false.")}),
    (fields.DateTime, {"invalid": N_("Phải là thời điểm dạng ISO 8601 (YYYY-MM-DDTHH:MM:SS).")}),
    (fields.Date, {"invalid": N_("Phải là một ngày dạng YYYY-MM-DD.")}),
    (fields.Enum, {"unknown": N_("Phải là một trong: %(choices)s.")}),
    (fields.List, {"invalid": N_("Phải là một danh sách.")}),
    (fields.Nested, {"type": N_("Phải là một đối tượng.")}),
]


def _defaults(field: fields.Field) -> dict[str, Any]:
    merged: dict[str, Any] = {}
    for cls in reversed(type(field).__mro__):
        merged.update(getattr(cls, "default_error_messages", {}))
    return merged


class ApiSchema(ma.Schema):
    """Every API schema: marshmallow's stock English messages replaced by translated ones."""

    error_messages = {"unknown": N_("Trường không được hỗ trợ."), "type": N_("Dữ liệu phải là một đối tượng JSON.")}

    def on_bind_field(self, field_name: str, field_obj: fields.Field) -> None:
        _translate_messages(field_obj)


def _translate_messages(field_obj: fields.Field) -> None:
    """Replace marshmallow's own messages on the field and on the fields inside it (a list's items)."""
    defaults = _defaults(field_obj)
    for field_class, messages in _FIELD_MESSAGES:
        if not isinstance(field_obj, field_class):
            continue
        for key, message in messages.items():
            # A message given explicitly on the field stays; only marshmallow's own is replaced.
            if key in field_obj.error_messages and field_obj.error_messages[key] == defaults.get(key):
                field_obj.error_messages[key] = message
    for inner in (
        getattr(field_obj, "inner", None),
        getattr(field_obj, "key_field", None),
        getattr(field_obj, "value_field", None),
    ):
        if isinstance(inner, fields.Field):
            _translate_messages(inner)


class Text(fields.String):
    """A string from outside: refuses NUL characters (PostgreSQL cannot store them)."""

    default_error_messages = {"nul": N_("Không được chứa ký tự NUL.")}

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> str:
        text = super()._deserialize(value, attr, data, **kwargs)
        if "\x00" in text:
            raise self.make_error("nul")
        return text


class Id(fields.Integer):
    """A database id given as a filter: a positive integer the database can hold."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("validate", validate.Range(min=1, max=MAX_ID, error=N_("Phải là một mã số dương hợp lệ.")))
        super().__init__(**kwargs)


def encode_page_token(last_id: int) -> str:
    return base64.urlsafe_b64encode(str(last_id).encode("ascii")).decode("ascii").rstrip("=")


class PageToken(fields.Field):
    """The opaque cursor of a list: where the previous page stopped."""

    default_error_messages = {"invalid": N_("Mã trang (page_token) không hợp lệ.")}

    def _serialize(self, value: Any, attr: str | None, obj: Any, **kwargs: Any) -> str | None:
        return None if value is None else encode_page_token(value)

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> int:
        if not isinstance(value, str) or not 0 < len(value) <= 20:
            raise self.make_error("invalid")
        try:
            text = base64.urlsafe_b64decode(value + "=" * (-len(value) % 4)).decode("ascii")
        except (binascii.Error, UnicodeDecodeError, ValueError):
            raise self.make_error("invalid") from None
        if not text.isdigit() or not 0 < int(text) <= MAX_ID or encode_page_token(int(text)) != value:
            raise self.make_error("invalid")
        return int(text)


class PageArgs(ApiSchema):
    """What every list accepts: a page size and the token of the page to read."""

    page_size = fields.Integer(
        load_default=PAGE_SIZE_DEFAULT,
        strict=False,
        validate=validate.Range(min=1, max=PAGE_SIZE_MAX, error=N_("Phải từ %(min)s đến %(max)s.")),
        metadata={"description": f"items per page, 1 to {PAGE_SIZE_MAX} (default {PAGE_SIZE_DEFAULT})"},
    )
    page_token = PageToken(
        load_default=None,
        metadata={"type": "string", "description": "next_page_token of the previous page; omit for the first page"},
    )


class PageSchema(ApiSchema):
    next_page_token = fields.String(
        allow_none=True, metadata={"description": "pass as page_token for the next page; null on the last page"}
    )
    page_size = fields.Integer()


def page_of(item_schema: type[ma.Schema]) -> type[ma.Schema]:
    """The schema of one page of `item_schema`: {"items": [...], "next_page_token", "page_size"}."""
    name = item_schema.__name__.removesuffix("Schema") + "PageSchema"
    return type(name, (PageSchema,), {"items": fields.List(fields.Nested(item_schema), required=True)})


class ProblemSchema(ma.Schema):
    """An RFC 9457 problem document (application/problem+json), as every API error is."""

    type = fields.String(metadata={"example": "about:blank"})
    title = fields.String(metadata={"example": "Unprocessable Content"})
    status = fields.Integer(metadata={"example": 422})
    detail = fields.String(metadata={"description": "translated (Accept-Language or the user's language)"})
    errors = fields.Dict(
        keys=fields.String(),
        values=fields.List(fields.String()),
        metadata={
            "description": "the fields refused, each with its messages; a nested field by its dotted path"
            " (`tasks.0.label`, `tasks.0.assignments.1.agency`, `ids.2`)",
            "example": {"tasks.0.label": ["Không được để trống."]},
        },
    )


class AgencyRefSchema(ApiSchema):
    """An agency as other objects mention it."""

    id = fields.Integer()
    code = fields.String()
    name_vi = fields.String()
    name_en = fields.String(allow_none=True)
    short_name = fields.String(allow_none=True)


class UserRefSchema(ApiSchema):
    """A user as history and updates mention them."""

    username = fields.String()
    full_name = fields.String()


def _not_blank(value: str) -> None:
    if not value.strip():
        raise ma.ValidationError(str(N_("Không được để trống.")))


def short_text(max_length: int, **kwargs: Any) -> Text:
    """A non-blank line of text from outside (a code, a label, a name)."""
    return Text(validate=[validate.Length(max=max_length, error=N_("Tối đa %(max)s ký tự.")), _not_blank], **kwargs)


def long_text(max_length: int, **kwargs: Any) -> Text:
    """Free text from outside (a note, a reason), possibly empty."""
    return Text(validate=validate.Length(max=max_length, error=N_("Tối đa %(max)s ký tự.")), **kwargs)
