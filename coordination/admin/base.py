"""The one secure base of every Flask-Admin view: login, permission, CSRF, scoped queries, audited saves."""

from __future__ import annotations

import re
from datetime import date, datetime
from enum import Enum
from typing import Any

from flask import abort, current_app, flash, g, redirect, render_template, request, session, url_for
from flask_admin import AdminIndexView, BaseView
from flask_admin.contrib.sqla import ModelView
from flask_admin.form import BaseForm
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf.csrf import CSRFError, _FlaskFormCSRF
from sqlalchemy.exc import IntegrityError
from werkzeug.utils import cached_property

from coordination import audit
from coordination.access import found_or_404
from coordination.auth.models import User
from coordination.extensions import db
from coordination.i18n import TRANSLATIONS, WTFormsTranslations
from coordination.permissions import Permission, can
from coordination.templating import format_date


class SecureForm(BaseForm):
    """Flask-Admin's form with Flask-WTF's CSRF token.

    Flask-Admin's own SecureForm signs a token of its own, which the app-wide CSRFProtect would refuse;
    this one carries the token CSRFProtect checks, and obeys the same WTF_CSRF_* settings.
    """

    class Meta:
        csrf_class = _FlaskFormCSRF
        csrf_context = session

        def get_translations(self, form: Any) -> WTFormsTranslations:
            # WTForms' own messages ("This field is required.") from the project's catalog (coordination/i18n.py)
            return TRANSLATIONS

        @cached_property
        def csrf(self) -> bool:
            return current_app.config.get("WTF_CSRF_ENABLED", True)

        @cached_property
        def csrf_secret(self) -> Any:
            return current_app.config.get("WTF_CSRF_SECRET_KEY", current_app.secret_key)

        @cached_property
        def csrf_field_name(self) -> str:
            return current_app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token")

        @cached_property
        def csrf_time_limit(self) -> int | None:
            return current_app.config.get("WTF_CSRF_TIME_LIMIT", 3600)


def current() -> User | None:
    """The signed-in user, or None."""
    if current_user and current_user.is_authenticated:
        return current_user._get_current_object()
    return None


def login_redirect() -> Any:
    """Send an anonymous visitor to the login page, to come back here afterwards."""
    return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))


class SecureMixin:
    """Accessible only to a signed-in, active user holding `permission` (None: any signed-in user)."""

    #: the permission the whole view needs, besides being signed in
    permission: Permission | None = None

    def is_accessible(self) -> bool:
        user = current()
        if user is None or not user.active:
            return False
        return self.permission is None or can(user, self.permission)

    def inaccessible_callback(self, name: str, **kwargs: Any) -> Any:
        if current() is None:
            return login_redirect()
        abort(403)

    def create_blueprint(self, admin: Any) -> Any:
        blueprint = super().create_blueprint(admin)  # type: ignore[misc]
        blueprint.register_error_handler(CSRFError, _csrf_refused)
        return blueprint


def _csrf_refused(error: CSRFError) -> Any:
    """A form sent without a valid token (an expired session, another site's page): nothing done, said in words."""
    detail = _("Biểu mẫu đã hết hạn hoặc không hợp lệ: chưa lưu gì. Hãy tải lại trang và gửi lại.")
    return render_template("errors/error.html", status=400, detail=detail), 400


class SecureBaseView(SecureMixin, BaseView):
    """A plain page (not a model list) behind the same checks."""


class SecureIndexView(SecureMixin, AdminIndexView):
    """The home page behind the same checks."""


#: Flask-Admin endpoints that change data, and the flag that allows each
_WRITE_ENDPOINTS = {
    "create_view": "can_create",
    "edit_view": "can_edit",
    "delete_view": "can_delete",
    "action_view": "can_delete",
    "ajax_update": "can_edit",
}


class SecureModelView(SecureMixin, ModelView):
    """A model view: read-only unless a subclass allows more; every query scoped to the user.

    Subclasses narrow `scope(query)`; `get_query`, `get_count_query` and `get_one` all pass through it,
    so that an object outside the user's scope is as absent from edit, details and delete by `?id=`
    as it is from the list.
    """

    form_base_class = SecureForm
    can_create = False
    can_edit = False
    can_delete = False
    can_export = False
    can_view_details = False
    can_set_page_size = False
    page_size = 50
    # Each view loads what its rows show in base_query(); Flask-Admin's guesses would clash with that.
    column_auto_select_related = False
    column_display_actions = True
    #: dates as a Vietnamese office writes them, yes/no in words (not an icon alone)
    column_type_formatters = {
        type(None): lambda view, value, name: "",
        bool: lambda view, value, name: _("Có") if value else _("Không"),
        datetime: lambda view, value, name: format_date(value),
        date: lambda view, value, name: format_date(value),
        list: lambda view, value, name: ", ".join(str(v) for v in value),
        Enum: lambda view, value, name: str(value.value),
    }

    def __init__(self, model: type, **kwargs: Any) -> None:
        # The SQLAlchemy object, not its session: the session is looked up per request (tests swap it).
        super().__init__(model, db, **kwargs)

    def _handle_view(self, name: str, **kwargs: Any) -> Any:
        # Flask-Admin keeps extra template arguments on `g`; where one app context serves several requests
        # (the tests' client), one list's arguments (the work list's `filters`) would reach the next page.
        this_request = request._get_current_object()
        if g.get("admin_template_args_request") is not this_request:
            g.pop("_admin_template_args", None)
            g.admin_template_args_request = this_request
        refused = super()._handle_view(name, **kwargs)
        if refused is not None:
            return refused
        flag = _WRITE_ENDPOINTS.get(name)
        if flag is not None and not getattr(self, flag):
            abort(403)
        return None

    # --- refusals in words, naming the field --------------------------------------------------------

    def validate_form(self, form: Any) -> bool:
        valid = super().validate_form(form)
        if not valid and request.method == "POST":
            # Flask-Admin says only "Không tạo được bản ghi."; the clerk is told which field and why.
            for name, errors in form.errors.items():
                field = getattr(form, name, None)
                label = field.label.text if field is not None and hasattr(field, "label") else name
                messages = [m for m in errors if isinstance(m, str)]
                if messages:
                    flash(f"{label}: {' '.join(messages)}", "error")
        return valid

    def handle_view_exception(self, exc: Exception) -> bool:
        if isinstance(exc, IntegrityError):
            # A unique rule the form could not check (several columns, or another save just before):
            # the raw database message would be English and name tables; this names the fields.
            db.session.rollback()  # before anything reads the database again (the user's locale does)
            labels = [str(self.column_labels.get(c, c)) for c in _duplicated_columns(exc, self.model)]
            if labels:
                flash(_("Không lưu được: đã có bản ghi trùng %(fields)s.", fields=", ".join(labels)), "error")
            else:
                flash(_("Không lưu được: dữ liệu trùng hoặc mâu thuẫn với dữ liệu đã có."), "error")
            return True
        return super().handle_view_exception(exc)

    # --- scoping -----------------------------------------------------------------------------------

    def scope(self, query: Any) -> Any:
        """Narrow a query on the model to what the current user may see (override per view)."""
        return query

    def filter_list(self, query: Any) -> Any:
        """Apply the list page's own filters from the query string (override per view)."""
        return query

    def base_query(self) -> Any:
        """The list's query before scoping: the model with what its rows show loaded eagerly."""
        return db.session.query(self.model)

    def get_query(self) -> Any:
        return self.filter_list(self.scope(self.base_query()))

    def get_count_query(self) -> Any:
        return self.filter_list(self.scope(db.session.query(db.func.count(self.model.id)).select_from(self.model)))

    def get_one(self, id: Any) -> Any:
        """The object with this id inside the user's scope; 404 otherwise (never a redirect that leaks)."""
        try:
            key = int(id)
        except (TypeError, ValueError):
            abort(404)
        return found_or_404(self.get_one_query().filter(self.model.id == key).one_or_none())

    def get_one_query(self) -> Any:
        """The query `get_one` picks from: the list's scope, without the list's filters."""
        return self.scope(self.base_query())


class AuditedModelView(SecureModelView):
    """A model view whose saves write an AuditEvent in the same transaction."""

    audit_entity: str = ""
    audit_fields: list[str] = []

    def update_model(self, form: Any, model: Any) -> bool:
        g.admin_audit_before = audit.snapshot(model, self.audit_fields)
        return super().update_model(form, model)

    def on_model_change(self, form: Any, model: Any, is_created: bool) -> None:
        db.session.flush()
        audit.record(
            current(),
            f"{self.audit_entity}.{'create' if is_created else 'update'}",
            self.audit_entity,
            model.id,
            before=None if is_created else g.pop("admin_audit_before", None),
            after=audit.snapshot(model, self.audit_fields),
        )


def _duplicated_columns(exc: IntegrityError, model: Any) -> list[str]:
    """The model's attributes a unique constraint refused, from PostgreSQL's constraint name or SQLite's message."""
    table = model.__table__
    columns: list[str] = []
    constraint_name = getattr(getattr(exc.orig, "diag", None), "constraint_name", None)
    if constraint_name:
        for constraint in [*table.constraints, *table.indexes]:
            if constraint.name == constraint_name:
                columns = [c.name for c in constraint.columns]
    else:
        match = re.search(r"UNIQUE constraint failed: (.+)$", str(exc.orig))
        if match:
            columns = [part.strip().split(".")[-1] for part in match.group(1).split(",")]
    # a foreign key column is shown by its relationship's name ("owner_id" -> "owner")
    return [c[: -len("_id")] if c.endswith("_id") else c for c in columns]
