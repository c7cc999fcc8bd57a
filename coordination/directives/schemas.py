"""API schemas of directives and their tasks."""

from __future__ import annotations

from typing import Any

from marshmallow import fields, validate

from coordination.api.schemas import N_, AgencyRefSchema, ApiSchema, PageArgs, Text
from coordination.assignments.models import AssignmentRole
from coordination.assignments.states import Status, Timeliness
from coordination.directives.models import DirectiveStatus, DocType, Recurrence


class DirectiveArgsSchema(PageArgs):
    q = Text(
        validate=validate.Length(max=200, error=N_("Tối đa %(max)s ký tự.")),
        metadata={"description": "words of the ref, subject or task texts; diacritics and case ignored"},
    )
    status = fields.Enum(DirectiveStatus, by_value=True)
    issuer = Text(
        validate=validate.Length(min=1, max=40, error=N_("Từ %(min)s đến %(max)s ký tự.")),
        metadata={"description": "agency code of the issuer"},
    )
    issued_from = fields.Date(metadata={"description": "issued on or after (YYYY-MM-DD)"})
    issued_to = fields.Date(metadata={"description": "issued on or before (YYYY-MM-DD)"})


class Inline(fields.Nested):
    """Nest some of the object's own attributes under one key ("signer": {name, title, authority})."""

    def get_value(self, obj: Any, attr: str, accessor: Any = None, default: Any = None) -> Any:
        return obj


class SignerSchema(ApiSchema):
    name = fields.String(attribute="signer_name", allow_none=True)
    title = fields.String(attribute="signer_title", allow_none=True)
    #: "TM. Ủy ban nhân dân, KT. Chủ tịch"
    authority = fields.String(attribute="signer_authority", allow_none=True)


class GroupRefSchema(ApiSchema):
    id = fields.Integer()
    name = fields.String()


class AddresseeSchema(ApiSchema):
    position = fields.Integer()
    name = fields.String(metadata={"description": "as printed under Kính gửi"})
    agency = fields.Nested(AgencyRefSchema, allow_none=True)
    group = fields.Nested(GroupRefSchema, allow_none=True)


class DirectiveSchema(ApiSchema):
    """A directive as a list shows it."""

    id = fields.Integer()
    ref = fields.String(metadata={"example": "2157/UBND-KSTT"})
    number = fields.String()
    symbol = fields.String()
    doc_type = fields.Enum(DocType, by_value=True)
    issuer = fields.Nested(AgencyRefSchema)
    issued_on = fields.Date()
    subject = fields.String(metadata={"description": "trích yếu"})
    status = fields.Enum(DirectiveStatus, by_value=True)
    deadline = fields.Date(allow_none=True, metadata={"description": "the campaign-wide deadline"})
    monitor_agency = fields.Nested(AgencyRefSchema, allow_none=True)


class TaskAssignmentSchema(ApiSchema):
    id = fields.Integer()
    agency = fields.Nested(AgencyRefSchema)
    role = fields.Enum(AssignmentRole, by_value=True)
    status = fields.Enum(Status, by_value=True)
    timeliness = fields.Enum(Timeliness, by_value=True, allow_none=True, metadata={"description": "null if cancelled"})
    deadline = fields.Date(allow_none=True)
    progress_percent = fields.Integer(allow_none=True)


class _LabelSchema(ApiSchema):
    label = fields.String()


class TaskSchema(ApiSchema):
    id = fields.Integer()
    label = fields.String(metadata={"description": "as printed: 1, 12, 2.a, -"})
    position = fields.Integer(metadata={"description": "place in the document"})
    parent_id = fields.Integer(allow_none=True)
    parent_label = fields.Pluck(_LabelSchema, "label", attribute="parent", allow_none=True)
    text = fields.String()
    deadline = fields.Date(allow_none=True)
    recurrence = fields.Enum(Recurrence, by_value=True)
    recurrence_day = fields.Integer(allow_none=True)
    assignments = fields.List(fields.Nested(TaskAssignmentSchema))


class DirectiveDetailSchema(DirectiveSchema):
    """A directive as the document reads: header, addressees, signer, tasks in document order."""

    place = fields.String(allow_none=True)
    legal_basis = fields.List(fields.String())
    signer = Inline(SignerSchema)
    report_to_agency = fields.Nested(AgencyRefSchema, allow_none=True)
    addressees = fields.List(fields.Nested(AddresseeSchema))
    activated_at = fields.DateTime(allow_none=True)
    closed_at = fields.DateTime(allow_none=True)
    tasks = fields.List(fields.Nested(TaskSchema))
