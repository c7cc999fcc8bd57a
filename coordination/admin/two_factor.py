"""Xác thực hai bước: each user sets up, checks and switches off its own TOTP second factor (issue 15)."""

from __future__ import annotations

from typing import Any

from flask import flash, redirect, request, url_for
from flask_admin import expose
from flask_babel import gettext as _

from coordination.admin.base import SecureBaseView, current
from coordination.auth import operations, totp
from coordination.auth.forms import CodeForm, DisableTotpForm
from coordination.auth.views import totp_setup_context
from coordination.errors import OperationError
from coordination.extensions import db


class TwoFactorView(SecureBaseView):
    """Any signed-in user, on its own account only (reached from the navbar, not the menu)."""

    def is_visible(self) -> bool:
        return False

    def _page(self, status: int = 200, *, codes: list[str] | None = None, **forms: Any) -> Any:
        user = current()
        secret = operations.pending_totp_secret(user)
        context = {
            "user": user,
            "required": totp.is_required(user),
            "codes": codes,
            "codes_left": operations.recovery_codes_left(user) if user.has_totp else 0,
            "setup": totp_setup_context(user, secret) if secret else None,
            "confirm_form": forms.get("confirm_form") or CodeForm(formdata=None),
            "regenerate_form": forms.get("regenerate_form") or CodeForm(formdata=None),
            "disable_form": forms.get("disable_form") or DisableTotpForm(formdata=None),
        }
        return self.render("auth/two_factor.html", **context), status

    @expose("/")
    def index(self) -> Any:
        return self._page()

    @expose("/start", methods=["POST"])
    def start(self) -> Any:
        user = current()
        try:
            operations.start_totp_enrolment(user, actor=user)
        except OperationError as error:
            flash(error.message, "error")
        return redirect(url_for(".index"))

    @expose("/confirm", methods=["POST"])
    def confirm(self) -> Any:
        user = current()
        form = CodeForm()
        if not form.validate_on_submit():
            return self._page(422, confirm_form=form)
        try:
            codes = operations.confirm_totp_enrolment(user, form.code.data, actor=user)
        except OperationError as error:
            form.code.errors = [*form.code.errors, error.message]
            return self._page(error.status, confirm_form=form)
        flash(_("Đã bật xác thực hai bước."), "success")
        # Shown once, in this answer: never stored in clear, never put in the session cookie.
        return self._page(codes=codes)

    @expose("/recovery-codes", methods=["POST"])
    def recovery_codes(self) -> Any:
        user = current()
        form = CodeForm()
        if not form.validate_on_submit():
            return self._page(422, regenerate_form=form)
        try:
            codes = operations.regenerate_recovery_codes(
                user, form.code.data, actor=user, remote_addr=request.remote_addr
            )
        except OperationError as error:
            db.session.commit()  # nothing changed but the failed attempt, which the login limit counts
            form.code.errors = [*form.code.errors, error.message]
            return self._page(error.status, regenerate_form=form)
        flash(_("Đã tạo mã khôi phục mới; các mã cũ không còn dùng được."), "success")
        return self._page(codes=codes)

    @expose("/disable", methods=["POST"])
    def disable(self) -> Any:
        user = current()
        form = DisableTotpForm()
        if not form.validate_on_submit():
            return self._page(422, disable_form=form)
        try:
            operations.disable_totp(
                user, form.password.data, form.code.data, actor=user, remote_addr=request.remote_addr
            )
        except OperationError as error:
            db.session.commit()  # nothing changed but the failed attempt, which the login limit counts
            field = form.password if "password" in (error.errors or {}) else form.code
            field.errors = [*field.errors, error.message]
            return self._page(error.status, disable_form=form)
        flash(_("Đã tắt xác thực hai bước."), "success")
        return redirect(url_for(".index"))
