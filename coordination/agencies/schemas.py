"""API schemas of agencies."""

from __future__ import annotations

from marshmallow import fields, validate

from coordination.agencies.models import AgencyKind, AgencyLevel
from coordination.api.schemas import N_, AgencyRefSchema, ApiSchema, PageArgs, Text, long_text, short_text


class AgencyArgsSchema(PageArgs):
    kind = fields.Enum(AgencyKind, by_value=True, metadata={"description": "only agencies of this kind"})
    level = fields.Enum(AgencyLevel, by_value=True, metadata={"description": "only agencies at this level"})
    q = Text(
        validate=validate.Length(max=200, error=N_("Tối đa %(max)s ký tự.")),
        metadata={"description": "words of the code, name or an alias; diacritics and case ignored"},
    )


class _AliasSchema(ApiSchema):
    alias = fields.String()


class _GroupNameSchema(ApiSchema):
    name = fields.String()


class AgencySchema(AgencyRefSchema):
    kind = fields.Enum(AgencyKind, by_value=True)
    level = fields.Enum(AgencyLevel, by_value=True)
    active = fields.Boolean()
    parent_code = fields.Pluck(AgencyRefSchema, "code", attribute="parent", allow_none=True)
    #: the agency that took over after a merger
    successor_code = fields.Pluck(AgencyRefSchema, "code", attribute="successor", allow_none=True)
    groups = fields.Pluck(_GroupNameSchema, "name", many=True)
    aliases = fields.Pluck(_AliasSchema, "alias", many=True)


class MergeSchema(ApiSchema):
    successor = short_text(40, required=True, metadata={"description": "code of the agency taking over"})


class MergeResultSchema(ApiSchema):
    agency = fields.Nested(AgencySchema)
    successor = fields.Nested(AgencySchema)
    moved = fields.List(fields.Integer(), metadata={"description": "ids of the assignments that moved"})


class RenameSchema(ApiSchema):
    name_vi = short_text(255, required=True)
    name_en = long_text(255, metadata={"description": "omit to keep; an empty string clears it"})
    short_name = long_text(120, metadata={"description": "omit to keep; an empty string clears it"})
