"""Login, logout and the language switch (placeholder: hardened by the auth work)."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, Flask, redirect, render_template, request, url_for
from flask_login import login_user, logout_user
from werkzeug.wrappers import Response

from coordination.auth.models import User
from coordination.extensions import db, login_manager

bp = Blueprint("auth", __name__)


@login_manager.user_loader
def _load_user(user_id: str) -> User | None:
    return db.session.get(User, int(user_id))


@bp.route("/login", methods=["GET", "POST"])
def login() -> str | Response:
    if request.method == "POST":
        user = db.session.scalar(sa.select(User).where(User.username == request.form.get("username", "")))
        if user is not None and user.check_password(request.form.get("password", "")):
            login_user(user)
            return redirect(url_for("web.index"))
    return render_template("auth/login.html")


@bp.post("/logout")
def logout() -> Response:
    logout_user()
    return redirect(url_for("auth.login"))


def init_auth(app: Flask) -> None:
    login_manager.login_view = "auth.login"
    app.register_blueprint(bp)
