"""Người dùng (admins only): accounts, roles, agencies; passwords set through the form, hashed with argon2id."""

from __future__ import annotations

from typing import Any

from flask import flash, redirect, url_for
from flask_admin import expose
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import joinedload
from wtforms import BooleanField, PasswordField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from coordination.access import get_or_404
from coordination.admin.base import SecureForm, SecureModelView, current
from coordination.admin.fields import QuerySelectField
from coordination.admin.labels import ROLE_LABELS, role_label
from coordination.agencies.models import Agency
from coordination.auth import operations
from coordination.auth.models import Role, User
from coordination.auth.sessions import start_session
from coordination.collation import vi_order
from coordination.errors import OperationError
from coordination.extensions import db
from coordination.permissions import Permission, role_needs_agency


def _agencies() -> Any:
    return db.session.query(Agency).filter(Agency.active.is_(True)).order_by(vi_order(Agency.name_vi))


# WTForms orders fields by when they were made: made first, the username comes first on the create form.
_USERNAME = StringField(_l("Tên đăng nhập"), [DataRequired(), Length(max=operations.USERNAME_MAX)])


class _UserFields(SecureForm):
    full_name = StringField(_l("Họ và tên"), [DataRequired(), Length(max=200)])
    email = StringField(_l("Email"), [Optional(), Length(max=255)])
    agency = QuerySelectField(
        _l("Cơ quan, đơn vị"), query_factory=_agencies, get_label="name_vi", allow_blank=True, blank_text="—"
    )
    # The least powerful role first, and the default: an admin is made on purpose, never by a missed field.
    role = SelectField(
        _l("Vai trò"),
        choices=[SelectChoice(r.value, ROLE_LABELS[r]) for r in (Role.officer, Role.monitor, Role.office, Role.admin)],
        default=Role.officer.value,
    )
    is_head = BooleanField(_l("Lãnh đạo đơn vị"))

    def validate_email(self, field: Any) -> None:
        if field.data and "@" not in field.data.strip("@"):
            raise ValidationError(_("Địa chỉ email không hợp lệ."))

    def validate_agency(self, field: Any) -> None:
        role = next((r for r in Role if r.value == self.role.data), None)  # an unknown role is its field's error
        if field.data is None and role is not None and role_needs_agency(role):
            raise ValidationError(_("Vai trò này cần thuộc một cơ quan."))


class UserCreateForm(_UserFields):
    username = _USERNAME
    password = PasswordField(
        _l("Mật khẩu"),
        [DataRequired(), Length(min=operations.PASSWORD_MIN, max=operations.PASSWORD_MAX)],
        render_kw={"autocomplete": "new-password"},
    )


class UserEditForm(_UserFields):
    active = BooleanField(_l("Đang hoạt động"))
    password = PasswordField(
        _l("Mật khẩu mới (để trống nếu không đổi)"),
        [Optional(), Length(min=operations.PASSWORD_MIN, max=operations.PASSWORD_MAX)],
        render_kw={"autocomplete": "new-password"},
    )


class UserView(SecureModelView):
    """Never shows a password hash; saves go through coordination.auth.operations and are audited."""

    permission = Permission.user_manage
    can_create = True
    can_edit = True
    column_list = ["username", "full_name", "agency", "role", "is_head", "active", "has_totp", "last_login_at"]
    column_searchable_list = ["username", "full_name"]
    column_default_sort = [("username", False)]
    column_sortable_list = ["username", "full_name", "role", "last_login_at"]
    column_labels = {
        "username": _l("Tên đăng nhập"),
        "full_name": _l("Họ và tên"),
        "agency": _l("Cơ quan, đơn vị"),
        "role": _l("Vai trò"),
        "is_head": _l("Lãnh đạo"),
        "active": _l("Hoạt động"),
        "last_login_at": _l("Đăng nhập lần cuối"),
        "has_totp": _l("Xác thực hai bước"),
    }
    #: the edit page carries the button that resets the user's second factor
    edit_template = "admin/user_edit.html"
    column_formatters = {"role": lambda view, context, model, name: role_label(model.role)}

    def base_query(self) -> Any:
        return db.session.query(User).options(joinedload(User.agency))

    def get_create_form(self) -> Any:
        return UserCreateForm

    def get_edit_form(self) -> Any:
        return UserEditForm

    def on_form_prefill(self, form: Any, id: Any) -> None:
        form.password.data = ""

    def create_model(self, form: Any) -> Any:
        data = {
            "username": form.username.data,
            "full_name": form.full_name.data,
            "email": form.email.data,
            "agency": form.agency.data.code if form.agency.data else None,
            "role": form.role.data,
            "is_head": form.is_head.data,
            "password": form.password.data,
        }
        try:
            user = operations.create_user(data, actor=current())
        except OperationError as error:
            db.session.rollback()
            _show_error(form, error)
            return False
        return user

    def update_model(self, form: Any, model: User) -> bool:
        actor = current()
        try:
            operations.update_user(
                model,
                {
                    "full_name": form.full_name.data,
                    "email": form.email.data,
                    "agency": form.agency.data,
                    "role": form.role.data,
                    "is_head": form.is_head.data,
                    "active": form.active.data,
                },
                actor=actor,
            )
            if form.password.data:
                operations.set_password(model, form.password.data, actor=actor)
                if model is actor:
                    start_session(model)  # the password change ended every session, this one included
        except OperationError as error:
            db.session.rollback()
            _show_error(form, error)
            return False
        return True

    @expose("/<int:user_id>/reset-two-factor/", methods=("POST",))
    def reset_two_factor_view(self, user_id: int) -> Any:
        """Remove the user's second factor (a lost phone): the user sets it up again at next sign-in."""
        user = get_or_404(User, user_id)
        try:
            operations.reset_totp(user, actor=current())
        except OperationError as error:
            db.session.rollback()
            flash(error.message, "error")
        else:
            flash(_("Đã xóa xác thực hai bước của %(user)s.", user=user.full_name), "success")
        return redirect(url_for(".edit_view", id=user.id))


def _show_error(form: Any, error: OperationError) -> None:
    """Put an operation's refusal on the form fields it names, and say it at the top."""
    for name, messages in (error.errors or {}).items():
        field = getattr(form, name, None)
        if field is not None:
            field.errors = [*field.errors, *messages]
    flash(error.message, "error")
