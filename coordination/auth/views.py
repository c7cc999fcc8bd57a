"""Login, logout and the language switch: thin views over coordination.auth.operations."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit

from flask import Blueprint, Flask, abort, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import refresh
from flask_login import current_user, logout_user
from flask_wtf.csrf import CSRFError
from werkzeug.wrappers import Response

from coordination.auth import operations, totp
from coordination.auth.forms import CodeForm, LoginForm
from coordination.auth.models import User
from coordination.auth.sessions import begin_pending_login, load_session_user, pending_login, start_session
from coordination.errors import OperationError
from coordination.extensions import db, login_manager

bp = Blueprint("auth", __name__)

# C0 and C1 controls and DEL: browsers drop tabs and newlines inside URLs, so "/\t/evil" becomes "//evil".
_UNSAFE_CHARS = re.compile(r"[\x00-\x20\x7f-\x9f\\]")


def safe_next(target: str | None) -> str | None:
    """Return `target` if it is a path on this site ("/app/..."), else None (no open redirect)."""
    if not target or len(target) > 2048 or _UNSAFE_CHARS.search(target):
        return None
    if not target.startswith("/") or target.startswith("//"):
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return None
    return target


def _safe_referrer() -> str | None:
    """The referring page as a local path, if it is a page of this site."""
    if not request.referrer:
        return None
    parts = urlsplit(request.referrer)
    if parts.scheme != request.scheme or parts.netloc != request.host:
        return None
    return safe_next(parts.path + (f"?{parts.query}" if parts.query else ""))


@login_manager.user_loader
def _load_user(user_id: str) -> User | None:
    return load_session_user(user_id)


@bp.route("/login", methods=["GET", "POST"])
def login() -> Response | tuple[str, int, dict[str, str]]:
    target = safe_next(request.args.get("next"))
    if current_user.is_authenticated:
        return redirect(target or url_for("web.index"))
    form = LoginForm()
    status, headers = 200, {}
    if form.validate_on_submit():
        try:
            user = operations.authenticate(form.username.data, form.password.data, request.remote_addr)
        except operations.LoginRefused as error:
            db.session.commit()  # the failed attempt must stay: the lockout counts it
            form.form_errors.append(error.message)
            # A wrong password re-shows the form as an ordinary page; the lockout and refusals keep their status.
            if not isinstance(error, operations.InvalidCredentials):
                status = error.status
            if isinstance(error, operations.LockedOut):
                headers["Retry-After"] = str(error.retry_after)
        else:
            step = operations.second_step(user)
            if step is None:
                start_session(user)
                return redirect(target or url_for("web.index"))
            # Issue 15: not signed in yet; the session only remembers the password was right.
            begin_pending_login(user, step, target)
            return redirect(url_for("auth.second_factor" if step == "code" else "auth.enrol"))
    return render_template("auth/login.html", form=form, next=target), status, headers


def _pending(step: str) -> tuple[User, str | None] | Response:
    """The user owing `step` in this session, and its target; else a redirect (signed in, or back to the login)."""
    if current_user.is_authenticated:
        return redirect(url_for("web.index"))
    pending = pending_login()
    # An administrator's reset, or an enrolment finished in another tab, changes what is owed: start again.
    if pending is None or pending[1] != step or pending[0].has_totp != (step == "code"):
        flash(_("Phiên đăng nhập đã hết hạn. Vui lòng đăng nhập lại."), "info")
        return redirect(url_for("auth.login"))
    user, _step, target = pending
    return user, safe_next(target)


@bp.route("/login/code", methods=["GET", "POST"])
def second_factor() -> Response | tuple[str, int, dict[str, str]]:
    pending = _pending("code")
    if isinstance(pending, Response):
        return pending
    user, target = pending
    form = CodeForm()
    status, headers = 200, {}
    if form.validate_on_submit():
        try:
            operations.verify_second_factor(user, form.code.data, request.remote_addr)
        except operations.LoginRefused as error:
            db.session.commit()  # the failure must stay: the lockout counts it with the password's
            form.form_errors.append(error.message)
            if not isinstance(error, operations.WrongCode | operations.CodeRequired):
                status = error.status
            if isinstance(error, operations.LockedOut):
                headers["Retry-After"] = str(error.retry_after)
        else:
            start_session(user)  # a new session: nothing of the pending one survives
            return redirect(target or url_for("web.index"))
    return render_template("auth/second_factor.html", form=form, user=user), status, headers


def totp_setup_context(user: User, secret: str) -> dict[str, Any]:
    """What an enrolment page shows: the QR code (inline SVG) and the secret to type by hand."""
    uri = totp.provisioning_uri(secret, user)
    return {"qr": totp.qr_svg(uri, title=_("Mã QR cho ứng dụng xác thực")), "secret": totp.grouped(secret)}


@bp.route("/login/enrol", methods=["GET", "POST"])
def enrol() -> Response | tuple[str, int]:
    """The deployment requires a second factor of this user's role: set it up before anything else."""
    pending = _pending("enrol")
    if isinstance(pending, Response):
        return pending
    user, target = pending
    form = CodeForm()
    status = 200
    if form.validate_on_submit():
        try:
            codes = operations.confirm_totp_enrolment(user, form.code.data, actor=user)
        except OperationError as error:
            form.code.errors = [*form.code.errors, error.message]
            status = error.status
        else:
            operations.finish_login(user, request.remote_addr)
            start_session(user)
            # Shown once, in this answer: never stored in clear, never put in the session cookie.
            return render_template("auth/recovery_codes.html", codes=codes, target=target or url_for("web.index")), 200
    elif request.method == "POST":
        status = 422
    secret = operations.pending_totp_secret(user)
    setup = totp_setup_context(user, secret) if secret else None
    return render_template("auth/enrol.html", form=form, user=user, setup=setup), status


@bp.post("/login/enrol/start")
def enrol_start() -> Response:
    pending = _pending("enrol")
    if isinstance(pending, Response):
        return pending
    user, _target = pending
    operations.start_totp_enrolment(user, actor=user)
    return redirect(url_for("auth.enrol"))


#: what a signed-in user who must enrol may still open: the enrolment page and the app's static files
_ENROL_ALLOWED = ("two_factor.", "admin.static")


def require_enrolment() -> Response | None:
    """Send a signed-in user whose role requires a second factor, and who has none, to set it up first.

    Sign-in already sends such a user to enrolment; this catches the sessions opened before the
    deployment turned the requirement on, or before an administrator reset the user's second factor.
    """
    if not request.path.startswith("/app") or (request.endpoint or "").startswith(_ENROL_ALLOWED):
        return None
    if not current_user.is_authenticated or current_user.has_totp or not totp.is_required(current_user):
        return None
    flash(_("Vai trò của bạn bắt buộc dùng xác thực hai bước. Hãy cài đặt để tiếp tục."), "warning")
    return redirect(url_for("two_factor.index"))


@bp.post("/logout")
def logout() -> Response:
    locale = session.get("locale")
    if current_user.is_authenticated:
        locale = current_user.locale or locale
        # Every session of this user ends, also a copy of this cookie kept elsewhere; API tokens stay.
        operations.log_out(current_user._get_current_object())
    logout_user()
    session.clear()
    if locale:
        session["locale"] = locale  # the login page keeps speaking the user's language
    flash(_("Bạn đã đăng xuất."), "info")
    return redirect(url_for("auth.login"))


@bp.route("/language/<code>", methods=["GET", "POST"])
def set_language(code: str) -> Response:
    if code not in current_app.config["LANGUAGES"]:
        abort(404)
    if current_user.is_authenticated:
        operations.set_locale(current_user._get_current_object(), code)
    session["locale"] = code
    refresh()  # anything said later in this request speaks the new language
    target = safe_next(request.values.get("next")) or _safe_referrer()
    return redirect(target or url_for("web.index"))


@bp.errorhandler(CSRFError)
def _csrf_error(error: CSRFError) -> tuple[str, int]:
    message = _("Phiên làm việc đã hết hạn hoặc biểu mẫu không hợp lệ. Vui lòng thử lại.")
    if request.endpoint == "auth.login":
        form = LoginForm()
        form.form_errors.append(message)
        return render_template("auth/login.html", form=form, next=safe_next(request.args.get("next"))), 400
    return render_template("errors/error.html", status=400, detail=message), 400


def init_auth(app: Flask) -> None:
    login_manager.login_view = "auth.login"
    login_manager.login_message = _l("Vui lòng đăng nhập để tiếp tục.")
    login_manager.login_message_category = "info"
    login_manager.localize_callback = str  # flash a plain string: a lazy one cannot go into the session cookie
    app.register_blueprint(bp)
    app.before_request(require_enrolment)
