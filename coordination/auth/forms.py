"""The login and second-factor forms (Flask-WTF: CSRF-protected)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import PasswordField, StringField, SubmitField
from wtforms.validators import DataRequired, Length

from coordination.auth.operations import PASSWORD_MAX, USERNAME_MAX
from coordination.i18n import TranslatedFlaskForm


def _max_length(limit: int) -> Length:
    return Length(max=limit, message=_l("Tối đa %(max)d ký tự."))


class LoginForm(TranslatedFlaskForm):
    username = StringField(
        _l("Tên đăng nhập"),
        validators=[
            DataRequired(_l("Vui lòng nhập tên đăng nhập.")),
            _max_length(USERNAME_MAX),
        ],
        render_kw={"autocomplete": "username", "autocapitalize": "none", "spellcheck": "false", "autofocus": True},
    )
    password = PasswordField(
        _l("Mật khẩu"),
        validators=[
            DataRequired(_l("Vui lòng nhập mật khẩu.")),
            _max_length(PASSWORD_MAX),
        ],
        render_kw={"autocomplete": "current-password"},
    )
    submit = SubmitField(_l("Đăng nhập"))


#: a TOTP code is 6 digits, a recovery code 16 characters in groups: room for spaces and dashes
CODE_MAX = 32


class CodeForm(TranslatedFlaskForm):
    """The second step of sign-in, and every confirmation by a code: a TOTP code or a recovery code."""

    code = StringField(
        _l("Mã xác thực"),
        validators=[DataRequired(_l("Vui lòng nhập mã xác thực.")), _max_length(CODE_MAX)],
        render_kw={
            "autocomplete": "one-time-code",
            "autocapitalize": "none",
            "spellcheck": "false",
            "autofocus": True,
            "inputmode": "text",
        },
    )
    submit = SubmitField(_l("Xác nhận"))


class DisableTotpForm(TranslatedFlaskForm):
    password = PasswordField(
        _l("Mật khẩu"),
        validators=[DataRequired(_l("Vui lòng nhập mật khẩu.")), _max_length(PASSWORD_MAX)],
        render_kw={"autocomplete": "current-password"},
    )
    code = StringField(
        _l("Mã xác thực"),
        validators=[DataRequired(_l("Vui lòng nhập mã xác thực.")), _max_length(CODE_MAX)],
        render_kw={"autocomplete": "one-time-code", "autocapitalize": "none", "spellcheck": "false"},
    )
    submit = SubmitField(_l("Tắt xác thực hai bước"))
