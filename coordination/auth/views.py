"""Login, logout and the language switch: thin views over coordination.auth.operations."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from flask import Blueprint, Flask, abort, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import refresh
from flask_login import current_user, logout_user
from flask_wtf.csrf import CSRFError
from werkzeug.wrappers import Response

from coordination.auth import operations
from coordination.auth.forms import LoginForm
from coordination.auth.models import User
from coordination.auth.sessions import load_session_user, start_session
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
            start_session(user)
            return redirect(target or url_for("web.index"))
    return render_template("auth/login.html", form=form, next=target), status, headers


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
