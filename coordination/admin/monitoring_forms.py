"""The forms of the monitoring pages: explanations, measurements; dates typed dd/mm/yyyy."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import Field, MultipleFileField, SelectField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, ValidationError
from wtforms.widgets import TextInput

from coordination.admin.forms import VNDateField
from coordination.i18n import TranslatedFlaskForm


class NotInThePast:
    """The day is today or later (as the users' clock says)."""

    def __call__(self, form: FlaskForm, field: Field) -> None:
        from coordination.db import today

        if field.data is not None and field.data < today():
            raise ValidationError(_l("Ngày đã qua."))


class NotInTheFuture:
    def __call__(self, form: FlaskForm, field: Field) -> None:
        from coordination.db import today

        if field.data is not None and field.data > today():
            raise ValidationError(_l("Không được là ngày trong tương lai."))


REQUIRED = _l("Bắt buộc.")


class ExplanationRequestForm(TranslatedFlaskForm):
    question = TextAreaField(
        _l("Nội dung yêu cầu giải trình"),
        validators=[DataRequired(REQUIRED), Length(max=5000, message=_l("Tối đa %(max)s ký tự."))],
    )
    due_on = VNDateField(_l("Hạn trả lời (dd/mm/yyyy)"), validators=[InputRequired(REQUIRED), NotInThePast()])


class ExplanationAnswerForm(TranslatedFlaskForm):
    answer = TextAreaField(
        _l("Nội dung giải trình (lý do chậm trễ)"),
        validators=[DataRequired(REQUIRED), Length(max=10000, message=_l("Tối đa %(max)s ký tự."))],
    )
    expected_finish_on = VNDateField(_l("Dự kiến hoàn thành ngày (dd/mm/yyyy)"), validators=[Optional()])
    files = MultipleFileField(_l("Tệp kèm theo (PDF, ảnh, văn bản)"))


#: the largest value a measurement may hold (the column is NUMERIC(18, 2))
VALUE_MAX = Decimal(10**15)
_THOUSANDS_VI = re.compile(r"\d{1,3}(\.\d{3})+")
_THOUSANDS_EN = re.compile(r"\d{1,3}(,\d{3})+")


def parse_number(text: str, locale: str) -> Decimal | None:
    """A number as the user's language writes it: 37.075 and 73,3 in Vietnamese; 37,075 and 73.3 in English."""
    text = text.strip().replace(" ", "").replace("\u00a0", "")
    if locale == "en":
        if _THOUSANDS_EN.fullmatch(text) or "," in text:
            text = text.replace(",", "")
    elif "," in text:
        text = text.replace(".", "").replace(",", ".")
    elif _THOUSANDS_VI.fullmatch(text):
        text = text.replace(".", "")
    if not re.fullmatch(r"-?\d+(\.\d+)?", text):
        return None
    try:
        return Decimal(text)
    except InvalidOperation:
        return None


class NumberField(Field):
    """A number typed the way the user's language writes it; shown the same way."""

    widget = TextInput()

    def __init__(self, label: Any = None, validators: Any = None, **kwargs: Any) -> None:
        kwargs.setdefault("render_kw", {"inputmode": "decimal", "autocomplete": "off"})
        super().__init__(label, validators, **kwargs)

    def _value(self) -> str:
        if self.raw_data:
            return self.raw_data[0]
        return "" if self.data is None else str(self.data)

    def process_formdata(self, valuelist: list[str]) -> None:
        from flask_babel import get_locale

        raw = (valuelist[0] if valuelist else "").strip()
        if not raw:
            self.data = None
            return
        self.data = parse_number(raw, str(get_locale()))
        if self.data is None:
            raise ValueError(_l("Phải là một số (ví dụ 37.075 hoặc 73,3)."))


class MeasurementForm(TranslatedFlaskForm):
    measured_on = VNDateField(_l("Ngày số liệu (dd/mm/yyyy)"), validators=[InputRequired(REQUIRED), NotInTheFuture()])
    value = NumberField(
        _l("Giá trị đạt được"),
        validators=[InputRequired(REQUIRED), NumberRange(0, VALUE_MAX, _l("Không được âm, tối đa %(max)s."))],
    )
    of_value = NumberField(
        _l("Trên tổng số (nếu có)"),
        validators=[Optional(), NumberRange(Decimal("0.01"), VALUE_MAX, _l("Phải lớn hơn 0."))],
    )
    agency = SelectField(_l("Cơ quan (để trống: số liệu tổng)"), validate_choice=True)
