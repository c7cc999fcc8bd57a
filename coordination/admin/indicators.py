"""Chỉ tiêu: targets with plan, actual, 7-day rate, projection and rating (red first); measurements entered here."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask import abort, flash, redirect, request, url_for
from flask_admin import expose
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms.fields.choices import SelectChoice

from coordination.access import found_or_404
from coordination.admin.base import SecureBaseView, current
from coordination.admin.dashboard import parse_id
from coordination.admin.monitoring_forms import MeasurementForm
from coordination.api.schemas import MAX_ID
from coordination.auth.models import User
from coordination.db import today as local_today
from coordination.directives.models import Directive
from coordination.extensions import db
from coordination.formatting import format_date
from coordination.indicators.models import Indicator
from coordination.indicators.operations import add_measurement
from coordination.indicators.queries import (
    IndicatorRow,
    get_indicator,
    indicator_rows,
    measurement_agencies,
    measurement_percent,
)
from coordination.indicators.trajectory import Outcome, Rating, Trajectory, compute
from coordination.permissions import Permission, can, visible_directives

#: the rating in words and a symbol; the colour only helps
RATING_LABELS = {
    Rating.red: _l("Nguy cơ không đạt"),
    Rating.amber: _l("Chậm so với kế hoạch"),
    Rating.green: _l("Đạt kế hoạch"),
}
RATING_STYLES = {Rating.red: ("danger", "✕"), Rating.amber: ("warning", "!"), Rating.green: ("success", "✓")}
#: a target whose deadline has passed is met or not, never at risk
OUTCOME_LABELS = {Outcome.met: _l("Đạt"), Outcome.missed: _l("Không đạt")}


def rating_label(value: Trajectory | Rating | str) -> str:
    """ "Đạt" / "Không đạt" for a closed target, else the rating in words."""
    if isinstance(value, Trajectory):
        if value.outcome is not None:
            return str(OUTCOME_LABELS[value.outcome])
        value = value.rating
    return str(RATING_LABELS[Rating(value)])


def rating_style(value: Trajectory | Rating | str) -> tuple[str, str]:
    return RATING_STYLES[Rating(value.rating if isinstance(value, Trajectory) else value)]


def directive_choices(user: User | None) -> list[tuple[int, str]]:
    """The directives with targets that the user may see."""
    rows = db.session.execute(
        sa.select(Directive.id, Directive.ref, Directive.subject)
        .where(visible_directives(user), Directive.id.in_(sa.select(Indicator.directive_id)))
        .order_by(Directive.issued_on.desc(), Directive.id.desc())
    )
    return [(r.id, f"{r.ref} — {r.subject[:60]}") for r in rows]


def _measurement_form(indicator: Indicator) -> MeasurementForm:
    form = MeasurementForm()
    form.agency.choices = [SelectChoice("", _("— Số liệu tổng —"))] + [
        SelectChoice(a.code, a.name_vi) for a in measurement_agencies(indicator)
    ]
    if request.method == "GET" and indicator.agency is not None:
        # Measurements already kept per agency continue per agency: a total would replace the agencies' series.
        form.agency.data = indicator.agency.code
    return form


class IndicatorView(SecureBaseView):
    @expose("/")
    def index(self) -> Any:
        user = current()
        directive_id = parse_id(request.args.get("directive"))
        rows = indicator_rows(user, directive_id=directive_id)
        return self.render(
            "indicators/list.html",
            rows=rows,
            directives=directive_choices(user),
            directive_id=directive_id,
        )

    def _load(self, indicator_id: int) -> Indicator:
        return found_or_404(get_indicator(current(), indicator_id))

    def _render_detail(self, indicator: Indicator, form: MeasurementForm | None, status: int = 200) -> Any:
        row = IndicatorRow(indicator, compute(indicator, local_today()))
        measurements = sorted(indicator.measurements, key=lambda m: (m.measured_on, m.id), reverse=True)
        recorders = {
            u.id: u
            for u in db.session.scalars(
                sa.select(User).where(User.id.in_({m.recorded_by_id for m in measurements if m.recorded_by_id}))
            )
        }
        return self.render(
            "indicators/detail.html",
            row=row,
            indicator=indicator,
            measurements=measurements,
            recorders=recorders,
            percent_of=lambda m: measurement_percent(m, indicator),
            form=form,
        ), status

    @expose(f"/<int(max={MAX_ID}):indicator_id>")
    def detail(self, indicator_id: int) -> Any:
        indicator = self._load(indicator_id)
        form = _measurement_form(indicator) if can(current(), Permission.indicator_measure, indicator) else None
        return self._render_detail(indicator, form)

    @expose(f"/<int(max={MAX_ID}):indicator_id>/measurements", methods=["POST"])
    def add(self, indicator_id: int) -> Any:
        user = current()
        indicator = self._load(indicator_id)
        if not can(user, Permission.indicator_measure, indicator):
            abort(403, _("Bạn không có quyền nhập số liệu cho chỉ tiêu này."))
        form = _measurement_form(indicator)
        if not form.validate_on_submit():
            return self._render_detail(indicator, form, 422)
        agency = next((a for a in measurement_agencies(indicator) if a.code == form.agency.data), None)
        add_measurement(
            indicator, form.measured_on.data, form.value.data, actor=user, of_value=form.of_value.data, agency=agency
        )
        flash(_("Đã ghi số liệu ngày %(date)s.", date=format_date(form.measured_on.data)), "success")
        return redirect(url_for(".detail", indicator_id=indicator.id))
