"""What every workflow form of the web UI shares: the CSRF base, Vietnamese messages, date and percent fields."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import flash, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from werkzeug.datastructures import CombinedMultiDict
from wtforms import Field, Form
from wtforms.validators import Length, StopValidation
from wtforms.widgets import TextInput

from coordination.admin.base import SecureForm
from coordination.errors import OperationError
from coordination.formatting import DATE_INPUT_PATTERN, format_date, parse_date
from coordination.i18n import TRANSLATIONS, WTFormsTranslations


class WorkflowForm(SecureForm):
    """A form of the workflow pages: CSRF token and WTForms' messages in Vietnamese (SecureForm)."""


class RowForm(Form):
    """A repeated row inside a WorkflowForm: the outer form carries the CSRF token."""

    class Meta:
        csrf = False

        def get_translations(self, form: Form) -> WTFormsTranslations:
            return TRANSLATIONS


def bind(form_class: type[Form], *, files: bool = False, data: dict[str, Any] | None = None) -> Any:
    """The form filled from this request's POST body (and uploads) alone, or from `data` on a GET."""
    if request.method != "POST":
        return form_class(data=data)
    formdata = CombinedMultiDict([request.files, request.form]) if files else request.form
    return form_class(formdata=formdata)


def field_at(form: Form, path: str) -> Field | None:
    """The field an operation's error names: "deadline", or a dotted path ("tasks.0.deadline").

    A form whose rows are not the data's shape (the directive form's sub-items are flat rows) maps
    the paths itself in `field_paths`; otherwise the path walks fields and FieldList entries.
    """
    mapped = getattr(form, "field_paths", None) or {}
    if path in mapped:
        return mapped[path]
    node: Any = form
    for part in path.split("."):
        if part.isdigit() and hasattr(node, "entries"):
            index = int(part)
            node = node.entries[index] if index < len(node.entries) else None
            node = getattr(node, "form", node)
        else:
            node = getattr(getattr(node, "form", node), part, None)
        if node is None:
            return None
    return node if isinstance(node, Field) else None


def show_error(form: Form | None, error: OperationError) -> None:
    """Put an operation's refusal on the fields it names, and say it at the top of the page."""
    for name, messages in (error.errors or {}).items():
        field = field_at(form, name) if form is not None else None
        if isinstance(field, Field):
            field.errors = [*field.errors, *(str(m) for m in messages)]
    flash(str(error.message), "error")


class Required:
    """Something must be entered; unlike DataRequired, a value that could not be read keeps its own message."""

    field_flags = {"required": True}

    def __call__(self, form: Form, field: Field) -> None:
        if field.process_errors:
            raise StopValidation()  # "Ngày không hợp lệ ..." already says what is wrong
        data = field.data
        if data is None or data in ([], ()) or (isinstance(data, str) and not data.strip()):
            raise StopValidation(_("Bắt buộc."))


def required() -> Required:
    return Required()


def max_length(limit: int) -> Length:
    return Length(max=limit, message=_l("Tối đa %(max)d ký tự."))


class VNDateField(Field):
    """A date typed as a Vietnamese office writes it: dd/mm/yyyy."""

    widget = TextInput()

    def __init__(self, label: Any = None, validators: Any = None, **kwargs: Any) -> None:
        render_kw = {
            "placeholder": "dd/mm/yyyy",
            "inputmode": "numeric",
            "autocomplete": "off",
            "maxlength": 10,
            "pattern": DATE_INPUT_PATTERN,
            "title": _l("Ngày theo dạng dd/mm/yyyy"),
            **kwargs.pop("render_kw", {}),
        }
        super().__init__(label, validators, render_kw=render_kw, **kwargs)

    def _value(self) -> str:
        if self.raw_data:
            return self.raw_data[0]
        return format_date(self.data) if isinstance(self.data, date) else ""

    def process_formdata(self, valuelist: list[str]) -> None:
        self.data = None
        if not valuelist or not valuelist[0].strip():
            return
        try:
            self.data = parse_date(valuelist[0])
        except ValueError:
            raise ValueError(_("Ngày không hợp lệ; hãy nhập theo dạng dd/mm/yyyy.")) from None


class PercentField(Field):
    """An optional whole percentage, 0 to 100."""

    widget = TextInput(input_type="number")

    def __init__(self, label: Any = None, validators: Any = None, **kwargs: Any) -> None:
        render_kw = {"min": 0, "max": 100, "step": 1, "inputmode": "numeric", **kwargs.pop("render_kw", {})}
        super().__init__(label, validators, render_kw=render_kw, **kwargs)

    def _value(self) -> str:
        if self.raw_data:
            return self.raw_data[0]
        return "" if self.data is None else str(self.data)

    def process_formdata(self, valuelist: list[str]) -> None:
        self.data = None
        if not valuelist or not valuelist[0].strip():
            return
        try:
            value = int(valuelist[0].strip())
        except ValueError:
            raise ValueError(_("Tiến độ phải là số nguyên từ 0 đến 100.")) from None
        if not 0 <= value <= 100:
            raise ValueError(_("Tiến độ phải là số nguyên từ 0 đến 100."))
        self.data = value


class SmallIntField(Field):
    """An optional whole number within bounds (a day of the period)."""

    widget = TextInput(input_type="number")

    def __init__(self, label: Any = None, validators: Any = None, *, low: int = 1, high: int = 31, **kwargs: Any):
        self.low, self.high = low, high
        render_kw = {"min": low, "max": high, "inputmode": "numeric", **kwargs.pop("render_kw", {})}
        super().__init__(label, validators, render_kw=render_kw, **kwargs)

    def _value(self) -> str:
        if self.raw_data:
            return self.raw_data[0]
        return "" if self.data is None else str(self.data)

    def process_formdata(self, valuelist: list[str]) -> None:
        self.data = None
        if not valuelist or not valuelist[0].strip():
            return
        message = _("Phải là số nguyên từ %(low)s đến %(high)s.", low=self.low, high=self.high)
        try:
            value = int(valuelist[0].strip())
        except ValueError:
            raise ValueError(message) from None
        if not self.low <= value <= self.high:
            raise ValueError(message)
        self.data = value


def reason_required(form: Form, field: Field) -> None:
    """A validator: the text may not be blank."""
    if not (field.data or "").strip():
        raise StopValidation(_("Hãy ghi lý do."))
