"""Ngày làm việc: the year's holidays and make-up days for everyone; the admin's corrections (calendar_day)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from flask import Flask, abort, flash, request
from flask_admin import expose
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import SelectField, StringField
from wtforms.fields.choices import SelectChoice

from coordination.admin.base import SecureBaseView, SecureForm, SecureModelView, current
from coordination.admin.forms import VNDateField, max_length, required, show_error
from coordination.db import today
from coordination.errors import OperationError
from coordination.extensions import db
from coordination.formatting import format_date
from coordination.permissions import Permission, can
from coordination.workdays import operations
from coordination.workdays.calendar import day_off_name, next_working_day, work_calendar
from coordination.workdays.models import CalendarDay, DayKind

KIND_LABELS = {DayKind.off: _l("Ngày nghỉ"), DayKind.working: _l("Ngày làm việc (làm bù)")}
WEEKDAY_LABELS = [
    _l("Thứ Hai"),
    _l("Thứ Ba"),
    _l("Thứ Tư"),
    _l("Thứ Năm"),
    _l("Thứ Sáu"),
    _l("Thứ Bảy"),
    _l("Chủ nhật"),
]


def init_working_days(app: Flask) -> None:
    # Templates mark a deadline that falls on a day off: {% set off = day_off_name(d) %}.
    app.jinja_env.globals.update(day_off_name=day_off_name, next_working_day=next_working_day)


def day_off_warning(day: date) -> str | None:
    """A sentence saying that `day` is not a working day, and the next one; None for a working day."""
    name = day_off_name(day)
    if name is None:
        return None
    reason = name or str(WEEKDAY_LABELS[day.weekday()])
    following = work_calendar().next_working_day(day)
    return _(
        "Hạn %(day)s rơi vào ngày nghỉ (%(reason)s); ngày làm việc kế tiếp là %(next)s.",
        day=format_date(day),
        reason=reason,
        next=format_date(following),
    )


def warn_days_off(days: Iterable[date | None]) -> None:
    """Flash one warning per deadline on a day off (saved all the same: the office decides)."""
    for day in sorted({d for d in days if d is not None}):
        warning = day_off_warning(day)
        if warning:
            flash(warning, "warning")


class CalendarDayForm(SecureForm):
    day = VNDateField(_l("Ngày"), [required()])
    kind = SelectField(_l("Loại"), choices=[SelectChoice(k.value, KIND_LABELS[k]) for k in DayKind])
    name = StringField(_l("Tên gọi, căn cứ"), [max_length(operations.NAME_MAX)])


class CalendarDayView(SecureModelView):
    """The table over the holidays library: admins add, correct and remove days; saves go through operations."""

    permission = Permission.calendar_manage
    can_create = True
    can_edit = True
    can_delete = True
    # one row at a time (the row's button asks first); the bulk action's menu needs an inline handler the CSP refuses
    action_disallowed_list = ["delete"]
    column_list = ["day", "kind", "name", "updated_at"]
    column_default_sort = [("day", True)]
    column_sortable_list = ["day", "kind"]
    column_searchable_list = ["name"]
    column_labels = {"day": _l("Ngày"), "kind": _l("Loại"), "name": _l("Tên gọi, căn cứ"), "updated_at": _l("Sửa lúc")}
    column_formatters = {"kind": lambda view, context, model, name: KIND_LABELS[DayKind(model.kind)]}
    form = CalendarDayForm

    def _data(self, form: Any) -> dict[str, Any]:
        return {"day": form.day.data, "kind": form.kind.data, "name": form.name.data}

    def create_model(self, form: Any) -> Any:
        try:
            return operations.save_calendar_day(None, self._data(form), actor=current())
        except OperationError as error:
            db.session.rollback()
            show_error(form, error)
            return False

    def update_model(self, form: Any, model: CalendarDay) -> bool:
        try:
            operations.save_calendar_day(model, self._data(form), actor=current())
        except OperationError as error:
            db.session.rollback()
            show_error(form, error)
            return False
        return True

    def delete_model(self, model: CalendarDay) -> bool:
        try:
            operations.delete_calendar_day(model, actor=current())
        except OperationError as error:
            db.session.rollback()
            show_error(None, error)
            return False
        return True  # the request commits once, after the view

    def after_model_change(self, form: Any, model: Any, is_created: bool) -> None:
        return None


class WorkCalendarView(SecureBaseView):
    """Every signed-in user: the year's days off and make-up working days, where deadlines are chosen."""

    @expose("/")
    def index(self) -> Any:
        raw = request.args.get("year", "")
        if raw and not (raw.isdigit() and 1995 <= int(raw) <= 2100):
            abort(400, _("Năm không hợp lệ."))
        year = int(raw) if raw else today().year
        calendar = work_calendar()
        return self.render(
            "workdays/year.html",
            year=year,
            entries=calendar.days_off(year),
            working_days=calendar.working_days_in(year),
            weekdays=[WEEKDAY_LABELS[d - 1] for d in sorted(calendar.weekdays)],
            weekday_labels=WEEKDAY_LABELS,
            kind_labels=KIND_LABELS,
            can_manage=can(current(), Permission.calendar_manage),
        )
