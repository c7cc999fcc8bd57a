"""API schemas of directives and their tasks."""

from __future__ import annotations

from typing import Any

from marshmallow import ValidationError, fields, validate, validates_schema

from coordination.api.schemas import N_, AgencyRefSchema, ApiSchema, Id, PageArgs, Text, long_text, short_text
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
    deadline_working_days = fields.Integer(
        allow_none=True, metadata={"description": "N when the deadline was written as N working days from receipt"}
    )
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


# Bodies of the changes: what POST and PATCH accept. Codes and group names are resolved by the
# operations, which name the field of an unknown one.


def _at_most(count: int) -> validate.Length:
    return validate.Length(max=count, error=N_("Tối đa %(max)s mục."))


class AssignmentSpecSchema(ApiSchema):
    """Who does a task: one agency (its code), a group (its name), or every addressee of the directive."""

    agency = short_text(40, metadata={"description": "agency code"})
    group = short_text(255, metadata={"description": "group name as printed: UBND các huyện, thị xã, thành phố"})
    all_addressees = fields.Boolean(metadata={"description": "true: every agency the directive addresses"})
    role = fields.Enum(AssignmentRole, by_value=True, metadata={"description": "lead (default) or coordinate"})

    @validates_schema
    def _one_target(self, data: dict[str, Any], **kwargs: Any) -> None:
        named = [key for key in ("agency", "group", "all_addressees") if data.get(key)]
        if len(named) != 1:
            raise ValidationError(
                str(N_("Mỗi phân công cần một cơ quan, một nhóm hoặc tất cả nơi nhận.")), field_name="agency"
            )


_WORKING_DAYS_DESCRIPTION = (
    "the deadline written as N working days from receipt (trong N ngày làm việc kể từ ngày nhận được văn bản): "
    "the deadline is then the N-th working day after the issue date (a deadline given too must be that day)"
)


def _working_days_field() -> fields.Integer:
    return fields.Integer(
        strict=True,
        allow_none=True,
        validate=validate.Range(min=1, max=400, error=N_("Phải từ %(min)s đến %(max)s.")),
        metadata={"description": _WORKING_DAYS_DESCRIPTION},
    )


class _TaskFieldsSchema(ApiSchema):
    label = short_text(20, required=True, metadata={"description": "as printed: 1, 2.a, a), -"})
    text = short_text(20_000, required=True)
    deadline = fields.Date(allow_none=True)
    deadline_working_days = _working_days_field()
    recurrence = fields.Enum(Recurrence, by_value=True, allow_none=True)
    recurrence_day = fields.Integer(
        strict=True,
        allow_none=True,
        validate=validate.Range(min=1, max=31, error=N_("Phải từ %(min)s đến %(max)s.")),
        metadata={"description": "due on this day of the period: 1-7 weekly (Monday 1), 1-31 monthly or quarterly"},
    )
    assignments = fields.List(fields.Nested(AssignmentSpecSchema), validate=_at_most(500))

    @validates_schema
    def _weekday(self, data: dict[str, Any], **kwargs: Any) -> None:
        if data.get("recurrence") == Recurrence.weekly and (data.get("recurrence_day") or 1) > 7:
            raise ValidationError(N_("Phải từ %(min)s đến %(max)s.").format(min=1, max=7), "recurrence_day")


class SubSubtaskInSchema(_TaskFieldsSchema):
    """A sub-item of a sub-item: the deepest level a directive uses."""


class SubtaskInSchema(_TaskFieldsSchema):
    subtasks = fields.List(fields.Nested(SubSubtaskInSchema), validate=_at_most(200))


class TaskInSchema(_TaskFieldsSchema):
    """A task of the body; a sub-item that names no agency belongs to its parent's agencies."""

    subtasks = fields.List(fields.Nested(SubtaskInSchema), validate=_at_most(200))


class TaskAddSchema(TaskInSchema):
    parent_id = Id(allow_none=True, metadata={"description": "add as the last sub-item of this task"})


class TaskPatchSchema(ApiSchema):
    label = short_text(20)
    text = short_text(20_000)
    deadline = fields.Date(allow_none=True, metadata={"description": "reaches the assignments not extended"})
    deadline_working_days = _working_days_field()


class AssignmentsAddSchema(ApiSchema):
    assignments = fields.List(
        fields.Nested(AssignmentSpecSchema),
        required=True,
        validate=validate.Length(min=1, max=500, error=N_("Từ %(min)s đến %(max)s mục.")),
    )


class SignerInSchema(ApiSchema):
    name = short_text(120, allow_none=True)
    title = short_text(120, allow_none=True)
    authority = short_text(200, allow_none=True, metadata={"example": "TM. Ủy ban nhân dân, KT. Chủ tịch"})


class DirectivePatchSchema(ApiSchema):
    """Header fields to change; `tasks` replaces every task, and only while the directive is a draft."""

    number = short_text(20)
    symbol = short_text(60)
    doc_type = fields.Enum(DocType, by_value=True)
    issued_on = fields.Date()
    subject = short_text(5_000)
    place = long_text(120, allow_none=True)
    legal_basis = fields.List(short_text(2_000), validate=_at_most(50))
    signer = fields.Nested(SignerInSchema, allow_none=True)
    addressees = fields.List(
        short_text(255), validate=_at_most(200), metadata={"description": "agency codes or group names"}
    )
    monitor_agency = short_text(40, allow_none=True, metadata={"description": "agency code"})
    report_to_agency = short_text(40, allow_none=True, metadata={"description": "agency code"})
    deadline = fields.Date(allow_none=True)
    source_text = long_text(200_000, allow_none=True)
    tasks = fields.List(fields.Nested(TaskInSchema), validate=_at_most(500))


class DirectiveCreateSchema(DirectivePatchSchema):
    """The whole directive in one body; the issuer is your own agency."""

    number = short_text(20, required=True, metadata={"example": "2157"})
    symbol = short_text(60, required=True, metadata={"example": "UBND-KSTT"})
    issued_on = fields.Date(required=True)
    subject = short_text(5_000, required=True)
