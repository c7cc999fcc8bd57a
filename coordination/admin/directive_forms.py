"""The office's forms: a directive with its tasks (a draft), one task, more agencies, removing an assignment.

Forms only validate what a person typed; `*_data()` turn them into the `data` shapes of
coordination.directives.operations, and `*_form_data()` turn a directive back into form values.
"""

from __future__ import annotations

import re
from typing import Any

import sqlalchemy as sa
from flask import g
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import FieldList, FormField, HiddenField, SelectField, SelectMultipleField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Optional, ValidationError

from coordination.admin.forms import (
    RowForm,
    SmallIntField,
    VNDateField,
    WorkflowForm,
    max_length,
    required,
)
from coordination.admin.labels import ASSIGNMENT_ROLE_LABELS, DOC_TYPE_LABELS, PICKER_LEVEL_LABELS, RECURRENCE_LABELS
from coordination.agencies.models import Agency, AgencyAlias, AgencyGroup, AgencyLevel
from coordination.assignments.models import AssignmentRole
from coordination.collation import vi_order
from coordination.directives.models import Directive, Recurrence, Task
from coordination.directives.queries import issuer_agency_ids
from coordination.extensions import db

#: the value of "tất cả nơi nhận" in the group select (group names never start with "*")
ALL_ADDRESSEES = "*all*"
TOP, SUB = "0", "1"


# --- choices, loaded once per request ----------------------------------------------------------------


def agency_choices() -> list[SelectChoice]:
    """Active agencies the issuer works with (value: code), grouped by level, in Vietnamese order.

    The issuer is set on `g` by the view (none: every agency); agencies already chosen on the directive
    being edited, or found by the importer, stay offered (`keep_agencies`), so that no choice is dropped.
    """
    if "workflow_agency_choices" not in g:
        query = sa.select(Agency.id, Agency.code, Agency.name_vi, Agency.short_name, Agency.level).where(
            Agency.active.is_(True)
        )
        issuer_id = g.get("workflow_issuer_id")
        if issuer_id is not None:
            kept = g.get("workflow_kept_agency_codes", set())
            query = query.where(sa.or_(Agency.id.in_(issuer_agency_ids(issuer_id)), Agency.code.in_(kept)))
        rows = db.session.execute(query.order_by(vi_order(Agency.name_vi))).all()
        # Province before district before commune; Vietnamese order within a level (the sort is stable).
        rows.sort(key=lambda row: _LEVEL_ORDER.index(row.level))
        other_names: dict[int, list[str]] = {row.id: [row.short_name] for row in rows if row.short_name}
        for agency_id, alias in db.session.execute(sa.select(AgencyAlias.agency_id, AgencyAlias.alias)):
            other_names.setdefault(agency_id, []).append(alias)
        g.workflow_agency_choices = [
            SelectChoice(
                row.code,
                row.name_vi,
                # The picker also finds an agency by its short name and aliases (Tom Select reads data-*).
                render_kw={"data-search": " ".join(other_names[row.id])} if row.id in other_names else {},
                optgroup=str(PICKER_LEVEL_LABELS[row.level]),
            )
            for row in rows
        ]
    return g.workflow_agency_choices


_LEVEL_ORDER = [AgencyLevel.central, AgencyLevel.province, AgencyLevel.district, AgencyLevel.commune]


def keep_agencies(codes: set[str]) -> None:
    """Offer these agencies in the pickers too, even where the issuer does not usually address them."""
    g.workflow_kept_agency_codes = g.get("workflow_kept_agency_codes", set()) | codes


def directive_agency_codes(directive: Directive) -> set[str]:
    """The agencies a directive already names: addressees, assignees, monitor and report-to."""
    codes = {a.agency.code for a in directive.addressees if a.agency is not None}
    codes |= {a.agency.code for task in directive.tasks for a in task.assignments}
    codes |= {a.code for a in (directive.monitor_agency, directive.report_to_agency) if a is not None}
    return codes


def _blank_agency_choices() -> list[SelectChoice]:
    return [SelectChoice("", "—"), *agency_choices()]


def group_choices() -> list[SelectChoice]:
    """The issuer's named groups (value: name); the issuer is set on `g` by the view."""
    if "workflow_group_choices" not in g:
        owner_id = g.get("workflow_issuer_id")
        query = sa.select(AgencyGroup.name).order_by(vi_order(AgencyGroup.name))
        if owner_id is not None:
            query = query.where(AgencyGroup.owner_id == owner_id)
        g.workflow_group_choices = [SelectChoice(name, name) for name in db.session.scalars(query)]
    return g.workflow_group_choices


def _assign_group_choices() -> list[SelectChoice]:
    return [SelectChoice("", "—"), SelectChoice(ALL_ADDRESSEES, _("Tất cả nơi nhận")), *group_choices()]


def _role_choices() -> list[SelectChoice]:
    return [SelectChoice(role.value, label) for role, label in ASSIGNMENT_ROLE_LABELS.items()]


def _recurrence_choices() -> list[SelectChoice]:
    return [SelectChoice(r.value, label) for r, label in RECURRENCE_LABELS.items()]


#: pickers.js turns a select with this attribute into a type-to-search picker with chips
PICKER = {"data-picker": "agencies"}


def _agencies_field(label: Any) -> SelectMultipleField:
    return SelectMultipleField(label, choices=agency_choices, render_kw={"size": 5, **PICKER})


class _Assigning:
    """Fields that give a task to agencies: lead ones, coordinating ones, a group or all addressees."""

    lead = _agencies_field(_l("Cơ quan chủ trì"))
    coordinate = _agencies_field(_l("Cơ quan phối hợp"))
    group = SelectField(_l("Hoặc giao cho nhóm"), choices=_assign_group_choices, default="")
    group_role = SelectField(_l("Vai trò của nhóm"), choices=_role_choices, default=AssignmentRole.lead.value)


def assignment_specs(form: Any) -> list[dict[str, Any]]:
    """The `assignments` list of the operations, from the assigning fields."""
    specs: list[dict[str, Any]] = [{"agency": code, "role": "lead"} for code in form.lead.data or []]
    lead = set(form.lead.data or [])
    specs += [{"agency": code, "role": "coordinate"} for code in form.coordinate.data or [] if code not in lead]
    if form.group.data == ALL_ADDRESSEES:
        specs.append({"all_addressees": True, "role": form.group_role.data})
    elif form.group.data:
        specs.append({"group": form.group.data, "role": form.group_role.data})
    return specs


# --- the directive (a draft) -------------------------------------------------------------------------


class TaskRowForm(_Assigning, RowForm):
    """One task of the directive form, in document order; a sub-item belongs to the task row above it."""

    level = SelectField(
        _l("Cấp"),
        choices=[SelectChoice(TOP, _l("Nhiệm vụ")), SelectChoice(SUB, _l("Tiểu mục"))],
        default=TOP,
    )
    label = StringField(_l("Số thứ tự"), [max_length(20)], render_kw={"placeholder": "1, 2, a), -"})
    text = TextAreaField(_l("Nội dung nhiệm vụ"), render_kw={"rows": 3})
    deadline = VNDateField(_l("Hạn"))
    # "trong 05 ngày làm việc kể từ ngày nhận được văn bản": the deadline is computed from the issue date
    deadline_working_days = SmallIntField(
        _l("Hoặc: số ngày làm việc"), low=1, high=400, render_kw={"placeholder": _l("kể từ ngày ban hành")}
    )
    recurrence = SelectField(_l("Lặp lại"), choices=_recurrence_choices, default=Recurrence.none.value)
    recurrence_day = SmallIntField(_l("Vào ngày"), low=1, high=92)

    @property
    def is_blank(self) -> bool:
        return not (self.label.data or "").strip() and not (self.text.data or "").strip()


class DirectiveForm(WorkflowForm):
    number = StringField(_l("Số"), [required(), max_length(20)], render_kw={"placeholder": "2157"})
    symbol = StringField(_l("Ký hiệu"), [required(), max_length(60)], render_kw={"placeholder": "UBND-KSTT"})
    doc_type = SelectField(
        _l("Loại văn bản"), choices=[SelectChoice(t.value, label) for t, label in DOC_TYPE_LABELS.items()]
    )
    issued_on = VNDateField(_l("Ngày ban hành"), [required()])
    place = StringField(_l("Địa danh"), [Optional(), max_length(120)], render_kw={"placeholder": "Tây Ninh"})
    subject = TextAreaField(_l("Trích yếu (phần sau “V/v”)"), [required()], render_kw={"rows": 2})
    legal_basis = TextAreaField(_l("Căn cứ (mỗi dòng một căn cứ)"), [Optional()], render_kw={"rows": 2})
    addressee_groups = SelectMultipleField(_l("Kính gửi: nhóm cơ quan"), choices=group_choices, render_kw={"size": 4})
    addressee_agencies = _agencies_field(_l("Kính gửi: cơ quan"))
    monitor_agency = SelectField(
        _l("Đơn vị theo dõi, đôn đốc"), choices=_blank_agency_choices, default="", render_kw=PICKER
    )
    report_to_agency = SelectField(
        _l("Báo cáo kết quả về"), choices=_blank_agency_choices, default="", render_kw=PICKER
    )
    deadline = VNDateField(_l("Thời hạn chung"))
    signer_authority = StringField(
        _l("Thẩm quyền ký"),
        [Optional(), max_length(200)],
        render_kw={"placeholder": "TM. Ủy ban nhân dân, KT. Chủ tịch"},
    )
    signer_title = StringField(_l("Chức vụ người ký"), [Optional(), max_length(120)])
    signer_name = StringField(_l("Người ký"), [Optional(), max_length(120)])
    tasks = FieldList(FormField(TaskRowForm), min_entries=1)

    def validate_tasks(self, field: FieldList) -> None:
        seen_top = False
        problems = False
        for entry in field.entries:
            row = entry.form
            if row.is_blank:
                continue
            if not (row.label.data or "").strip():
                row.label.errors.append(_("Bắt buộc."))
                problems = True
            if not (row.text.data or "").strip():
                row.text.errors.append(_("Bắt buộc."))
                problems = True
            if row.level.data == SUB and not seen_top:
                row.level.errors.append(_("Tiểu mục cần một nhiệm vụ ở dòng trên."))
                problems = True
            seen_top = seen_top or row.level.data == TOP
        if problems:
            raise ValidationError(_("Hãy sửa các nhiệm vụ được đánh dấu."))


def directive_data(form: DirectiveForm) -> dict[str, Any]:
    """The `data` of create_directive / update_directive, from a validated form.

    Also fills `form.field_paths`: the data's paths ("tasks.0.subtasks.1.deadline") to the flat rows'
    fields, so that an operation's refusal lands on the row the clerk typed it in.
    """
    tasks: list[dict[str, Any]] = []
    paths: dict[str, Any] = {"issued_on": form.issued_on, "deadline": form.deadline}
    for entry in form.tasks.entries:
        row = entry.form
        if row.is_blank:
            continue
        task = {
            "label": row.label.data.strip(),
            "text": row.text.data.strip(),
            # Written in working days, the date follows from the issue date (the form's date is then ignored).
            "deadline": None if row.deadline_working_days.data else row.deadline.data,
            "deadline_working_days": row.deadline_working_days.data,
            "recurrence": row.recurrence.data or Recurrence.none.value,
            "recurrence_day": row.recurrence_day.data,
            "assignments": assignment_specs(row),
            "subtasks": [],
        }
        if row.level.data == SUB and tasks:
            path = f"tasks.{len(tasks) - 1}.subtasks.{len(tasks[-1]['subtasks'])}"
            tasks[-1]["subtasks"].append(task)
        else:
            path = f"tasks.{len(tasks)}"
            tasks.append(task)
        paths.update({f"{path}.{name}": row[name] for name in ("label", "text", "deadline", "recurrence_day")})
    form.field_paths = paths
    return {
        "number": form.number.data.strip(),
        "symbol": form.symbol.data.strip(),
        "doc_type": form.doc_type.data,
        "issued_on": form.issued_on.data,
        "subject": _without_vv(form.subject.data),
        "place": (form.place.data or "").strip() or None,
        "legal_basis": [line.strip() for line in (form.legal_basis.data or "").splitlines() if line.strip()],
        "signer": {
            "name": (form.signer_name.data or "").strip() or None,
            "title": (form.signer_title.data or "").strip() or None,
            "authority": (form.signer_authority.data or "").strip() or None,
        },
        # "Kính gửi" names the groups first, then single agencies, as directives usually print it.
        "addressees": [*(form.addressee_groups.data or []), *(form.addressee_agencies.data or [])],
        "monitor_agency": form.monitor_agency.data or None,
        "report_to_agency": form.report_to_agency.data or None,
        "deadline": form.deadline.data,
        "tasks": tasks,
    }


_VV = re.compile(r"^\s*v\s*/\s*v\b[\s.:]*", re.IGNORECASE)


def _without_vv(subject: str) -> str:
    """The subject as stored: the page prints "V/v" before it, so a typed "V/v " is dropped."""
    return _VV.sub("", subject).strip()


def _task_row_data(task: Task, depth: int) -> dict[str, Any]:
    lead, coordinate, group, group_role = [], [], "", AssignmentRole.lead.value
    for assignment in task.assignments:
        if assignment.period_index:
            continue  # a recurring task's later periods repeat the first one
        if assignment.via_all_addressees or assignment.via_group is not None:
            group = ALL_ADDRESSEES if assignment.via_all_addressees else assignment.via_group.name
            group_role = assignment.role.value
        elif assignment.role == AssignmentRole.lead:
            lead.append(assignment.agency.code)
        else:
            coordinate.append(assignment.agency.code)
    return {
        "level": SUB if depth else TOP,
        "label": task.label,
        "text": task.text,
        "deadline": task.deadline,
        "deadline_working_days": task.deadline_working_days,
        "recurrence": task.recurrence.value,
        "recurrence_day": task.recurrence_day,
        "lead": lead,
        "coordinate": coordinate,
        "group": group,
        "group_role": group_role,
    }


def directive_form_data(directive: Directive, nodes: list[Any]) -> dict[str, Any]:
    """Form values for editing a draft; `nodes` are its tasks flattened in document order (TaskNode)."""
    return {
        "number": directive.number,
        "symbol": directive.symbol,
        "doc_type": directive.doc_type.value,
        "issued_on": directive.issued_on,
        "place": directive.place or "",
        "subject": directive.subject,
        "legal_basis": "\n".join(directive.legal_basis or []),
        "addressee_groups": [a.group.name for a in directive.addressees if a.group is not None],
        "addressee_agencies": [a.agency.code for a in directive.addressees if a.agency is not None],
        "monitor_agency": directive.monitor_agency.code if directive.monitor_agency else "",
        "report_to_agency": directive.report_to_agency.code if directive.report_to_agency else "",
        "deadline": directive.deadline,
        "signer_authority": directive.signer_authority or "",
        "signer_title": directive.signer_title or "",
        "signer_name": directive.signer_name or "",
        # Deeper levels than a sub-item are kept as sub-items of their top task.
        "tasks": [_task_row_data(node.task, min(node.depth, 1)) for node in nodes] or [{}],
    }


# --- an active directive, task by task --------------------------------------------------------------


class TaskEditForm(WorkflowForm):
    label = StringField(_l("Số thứ tự"), [required(), max_length(20)], render_kw={"placeholder": "1, 2, a), -"})
    text = TextAreaField(_l("Nội dung nhiệm vụ"), [required()], render_kw={"rows": 4})
    deadline = VNDateField(_l("Hạn"))
    deadline_working_days = SmallIntField(
        _l("Hoặc: số ngày làm việc"), low=1, high=400, render_kw={"placeholder": _l("kể từ ngày ban hành")}
    )


class AddTaskForm(_Assigning, WorkflowForm):
    parent = SelectField(_l("Vị trí"), default="")
    label = StringField(_l("Số thứ tự"), [required(), max_length(20)], render_kw={"placeholder": "1, 2, a), -"})
    text = TextAreaField(_l("Nội dung nhiệm vụ"), [required()], render_kw={"rows": 4})
    deadline = VNDateField(_l("Hạn"))
    deadline_working_days = SmallIntField(
        _l("Hoặc: số ngày làm việc"), low=1, high=400, render_kw={"placeholder": _l("kể từ ngày ban hành")}
    )
    recurrence = SelectField(_l("Lặp lại"), choices=_recurrence_choices, default=Recurrence.none.value)
    recurrence_day = SmallIntField(_l("Vào ngày"), low=1, high=92)

    def set_parents(self, tasks: list[Task]) -> None:
        self.parent.choices = [SelectChoice("", _("Nhiệm vụ mới ở cuối văn bản"))] + [
            SelectChoice(str(t.id), _("Tiểu mục của nhiệm vụ %(label)s", label=t.display_label)) for t in tasks
        ]


def add_task_data(form: AddTaskForm) -> dict[str, Any]:
    return {
        "label": form.label.data.strip(),
        "text": form.text.data.strip(),
        "deadline": None if form.deadline_working_days.data else form.deadline.data,
        "deadline_working_days": form.deadline_working_days.data,
        "recurrence": form.recurrence.data or Recurrence.none.value,
        "recurrence_day": form.recurrence_day.data,
        "assignments": assignment_specs(form),
    }


class AddAgenciesForm(_Assigning, WorkflowForm):
    def validate_lead(self, field: Any) -> None:
        if not (self.lead.data or self.coordinate.data or self.group.data):
            raise ValidationError(_("Hãy chọn ít nhất một cơ quan hoặc một nhóm."))


class RemoveAssignmentForm(WorkflowForm):
    reason = TextAreaField(_l("Lý do gỡ (bắt buộc khi đơn vị đã báo cáo)"), [max_length(2000)], render_kw={"rows": 2})


class ConfirmForm(WorkflowForm):
    """A button that changes something (activate, close): only the CSRF token."""

    confirm = HiddenField(default="1")
