"""coordination: following up the directives of a People's Committee, from text to last task."""

from __future__ import annotations

from typing import Any

from flask import Flask, current_app, has_request_context, request, session
from flask_login import current_user
from sqlalchemy import event
from sqlalchemy.dialects.postgresql.psycopg import PGDialect_psycopg
from sqlalchemy.pool import Pool

import config as config_module
from coordination.db import PREPARE_NEVER, note_checkin, ping_if_idle, prepare_marked
from coordination.extensions import babel, csrf, db, login_manager, migrate
from coordination.i18n import init_catalogs
from coordination.jsoncodec import init_json
from coordination.security import init_security
from coordination.transaction import end_request_transaction


class ConfigError(RuntimeError):
    """The app refuses to start with this configuration."""


def create_app(config: type | dict[str, Any] | None = None, **overrides: Any) -> Flask:
    """Build the app; `config` and `overrides` replace settings (tests use them)."""
    app = Flask(__name__, instance_relative_config=True)
    app.config.from_object(config_module.Config)
    if isinstance(config, dict):
        app.config.update(config)
    elif config is not None:
        app.config.from_object(config)
    app.config.update(overrides)
    _check_config(app)
    _tune_engine(app)
    _configure_replica(app)

    register_extensions(app)
    register_models()
    register_blueprints(app)
    register_errors(app)
    # Every request commits once, here, after its view: views call one operation and never commit.
    app.after_request(end_request_transaction)
    register_templates(app)
    register_cli(app)
    register_observability(app)
    init_json(app)  # orjson, Flask's rules; deep nesting a 400
    init_security(app)  # CSP, nosniff, frame-ancestors, Referrer-Policy, HSTS in production
    return app


def _check_config(app: Flask) -> None:
    if app.config["ENV_NAME"] == "production" and app.config["SECRET_KEY"] in (None, "", config_module.DEV_SECRET_KEY):
        raise ConfigError("SECRET_KEY must be set to a secret value in production")
    if app.config["ENV_NAME"] == "production" and app.config.get("PASSWORD_HASH_PROFILE", "owasp") != "owasp":
        raise ConfigError("PASSWORD_HASH_PROFILE must be 'owasp' in production")
    from coordination.auth.totp import parse_roles

    try:
        parse_roles(app.config.get("TOTP_REQUIRED_ROLES", ""))  # a typo must not silently require nobody
    except ValueError as error:
        raise ConfigError(str(error)) from None
    from coordination.workdays.calendar import parse_weekdays

    try:
        parse_weekdays(app.config.get("WORKING_WEEKDAYS", "mon,tue,wed,thu,fri"))  # not a 500 on every page later
    except ValueError as error:
        raise ConfigError(str(error)) from None


def _tune_engine(app: Flask) -> None:
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql"):
        app.config["SQLALCHEMY_ENGINE_OPTIONS"] = _postgres_options(app.config.get("SQLALCHEMY_ENGINE_OPTIONS") or {})


def _postgres_options(base: dict[str, Any]) -> dict[str, Any]:
    # The visibility EXISTS clauses push PostgreSQL's cost estimates past jit_above_cost, and compiling
    # then costs 20-50 ms a query for nothing (measured by make bench): the app's connections skip JIT.
    # Nor do they start parallel workers: a page's query reads a few hundred rows through an index, and
    # launching the workers of a Gather Merge cost it 20-30 ms; under load every core already serves a request.
    options = dict(base)
    connect_args = dict(options.get("connect_args") or {})
    connect_args.setdefault("options", "-c jit=off -c max_parallel_workers_per_gather=0")
    # No server-side prepared statements by default: after five runs psycopg prepares a statement and
    # PostgreSQL may then keep a generic plan, blind to the day compared with deadlines; the dashboard's
    # overdue rows went from 0.4 ms to 180 ms that way (make bench). Only the statements marked by
    # `db.prepared` (key lookups, whose plan never depends on their parameters, and the API's list pages, with
    # every value but the page's bounds written in) are prepared: planning one assignment's query alone costs 2.5 ms.
    # (psycopg's None would refuse even the marked ones: a threshold never reached instead.)
    connect_args.setdefault("prepare_threshold", PREPARE_NEVER)
    options["connect_args"] = connect_args
    if not event.contains(PGDialect_psycopg, "do_execute", prepare_marked):
        event.listen(PGDialect_psycopg, "do_execute", prepare_marked)
    # A ping only after the connection sat idle (db.ping_if_idle), not a round trip on every checkout.
    options["pool_pre_ping"] = False
    if not event.contains(Pool, "checkout", ping_if_idle):
        event.listen(Pool, "checkin", note_checkin)
        event.listen(Pool, "checkout", ping_if_idle)
    return options


def _configure_replica(app: Flask) -> None:
    """REPLICA_DATABASE_URL set: the standby's engine, as the `replica` bind (coordination.replica routes to it)."""
    from coordination.replica import REPLICA_BIND

    url = config_module.psycopg_url(app.config.get("REPLICA_DATABASE_URL") or "")
    if not url:
        return
    options = dict(app.config.get("SQLALCHEMY_ENGINE_OPTIONS") or {})
    if url.startswith("postgresql"):
        options = _postgres_options({**options, "connect_args": {}})
        # a standby that does not answer must not hold the dashboard long: the primary answers instead
        options["connect_args"]["connect_timeout"] = int(app.config.get("REPLICA_CONNECT_TIMEOUT", 2))
        # pinged on every checkout, unlike the primary: a standby restarted moments ago is then found before the
        # statement, where the primary can still answer (RoutingSession._replica), not by a failed dashboard
        options["pool_pre_ping"] = True
    binds = dict(app.config.get("SQLALCHEMY_BINDS") or {})
    binds[REPLICA_BIND] = {**options, "url": url}
    app.config["SQLALCHEMY_BINDS"] = binds


def _select_locale() -> str:
    if not has_request_context():
        return current_app.config["BABEL_DEFAULT_LOCALE"]  # CLI commands and jobs
    if current_user and getattr(current_user, "is_authenticated", False) and current_user.locale:
        return current_user.locale
    if session.get("locale") in ("vi", "en"):
        return session["locale"]
    if request.path.startswith("/api/"):
        return request.accept_languages.best_match(["vi", "en"]) or "vi"
    return "vi"


def register_extensions(app: Flask) -> None:
    db.init_app(app)
    migrate.init_app(app, db, directory=str(config_module.BASE_DIR / "migrations"), render_as_batch=True)
    login_manager.init_app(app)
    csrf.init_app(app)
    babel.init_app(app, locale_selector=_select_locale, timezone_selector=lambda: app.config["TIMEZONE"])
    init_catalogs()  # Flask-Admin's and WTForms' own messages from the project's catalogs too


def register_models() -> None:
    """Import every model module so that metadata (and Alembic) sees all tables."""
    from coordination import audit  # noqa: F401
    from coordination.agencies import models as _agencies  # noqa: F401
    from coordination.assignments import models as _assignments  # noqa: F401
    from coordination.auth import models as _auth  # noqa: F401
    from coordination.directives import models as _directives  # noqa: F401
    from coordination.evidence import models as _evidence  # noqa: F401
    from coordination.indicators import models as _indicators  # noqa: F401
    from coordination.jobs import models as _jobs  # noqa: F401  (issue 14)
    from coordination.onboarding import models as _onboarding  # noqa: F401
    from coordination.reminders import models as _reminders  # noqa: F401
    from coordination.webhooks import models as _webhooks  # noqa: F401  (issue 15)
    from coordination.workdays import models as _workdays  # noqa: F401


def register_blueprints(app: Flask) -> None:
    from coordination.admin import init_admin
    from coordination.api import init_api
    from coordination.auth.views import init_auth
    from coordination.onboarding.views import init_invitations
    from coordination.reminders.calendar import bp as calendar_bp
    from coordination.web import bp as web_bp

    init_auth(app)
    app.register_blueprint(web_bp)
    app.register_blueprint(calendar_bp)
    init_invitations(app)  # issue 15: /invitation/<token>
    init_api(app)
    init_admin(app)


def register_errors(app: Flask) -> None:
    from coordination.errors import init_errors

    init_errors(app)


def register_templates(app: Flask) -> None:
    from coordination.templating import init_templating

    init_templating(app)


def register_observability(app: Flask) -> None:
    from coordination.observability import init_observability

    init_observability(app)


def register_cli(app: Flask) -> None:
    from coordination.cli import init_cli

    init_cli(app)
