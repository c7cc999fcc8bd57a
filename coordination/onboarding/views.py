"""/invitation/<token>: an invited user chooses a first password (no login: the link is the proof)."""

from __future__ import annotations

from flask import Blueprint, Flask, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from werkzeug.wrappers import Response
from wtforms import PasswordField, SubmitField
from wtforms.validators import DataRequired, EqualTo, Length

from coordination.auth.operations import PASSWORD_MAX
from coordination.errors import OperationError
from coordination.extensions import db
from coordination.i18n import TranslatedFlaskForm
from coordination.onboarding.invitations import accept_invitation, invitation_by_token

bp = Blueprint("invitation", __name__)


class InvitationForm(TranslatedFlaskForm):
    password = PasswordField(
        _l("Mật khẩu mới"),
        validators=[DataRequired(_l("Vui lòng nhập mật khẩu.")), Length(max=PASSWORD_MAX)],
        render_kw={"autocomplete": "new-password"},
    )
    confirm = PasswordField(
        _l("Nhập lại mật khẩu"),
        validators=[
            DataRequired(_l("Vui lòng nhập lại mật khẩu.")),
            EqualTo("password", _l("Hai lần nhập không khớp.")),
        ],
        render_kw={"autocomplete": "new-password"},
    )
    submit = SubmitField(_l("Đặt mật khẩu"))


@bp.route("/invitation/<token>", methods=["GET", "POST"])
def accept(token: str) -> Response | tuple[str, int]:
    try:
        invitation = invitation_by_token(token[:200])
    except OperationError as error:
        return render_template("errors/error.html", status=error.status, detail=error.message), error.status
    form = InvitationForm()
    status = 200
    if form.validate_on_submit():
        try:
            user = accept_invitation(invitation, form.password.data)
        except OperationError as error:
            db.session.rollback()
            form.password.errors = [*form.password.errors, error.message]
            status = error.status
        else:
            flash(_("Đã đặt mật khẩu cho %(username)s. Hãy đăng nhập.", username=user.username), "success")
            return redirect(url_for("auth.login"))
    elif form.is_submitted():
        status = 422
    return render_template("onboarding/invitation.html", form=form, user=invitation.user), status


def init_invitations(app: Flask) -> None:
    app.register_blueprint(bp)
