"""The JSON API under /api/v1 (flask-smorest): one blueprint per domain, each in `<domain>/api.py`."""

from __future__ import annotations

from flask import Flask


def init_api(app: Flask) -> None:
    # Imported here: coordination.extensions imports coordination.api.extension, so this package loads early.
    from coordination.agencies.api import blp as agencies_blp
    from coordination.assignments.api import blp as assignments_blp
    from coordination.assignments.api import extensions_blp
    from coordination.auth.api import blp as auth_blp
    from coordination.auth.tokens import load_user_from_request
    from coordination.directives.api import blp as directives_blp
    from coordination.directives.api import tasks_blp
    from coordination.evidence.api import blp as evidence_blp
    from coordination.extensions import api, csrf, login_manager
    from coordination.importer.api import blp as import_blp  # issue 12: parse and import a directive's text
    from coordination.indicators.api import blp as indicators_blp  # issue 5
    from coordination.jobs.api import blp as jobs_blp  # issue 14: exports made by the worker
    from coordination.onboarding.api import blp as onboarding_blp  # issue 15: agencies and users from a file
    from coordination.queue.api import blp as queue_blp  # issue 11
    from coordination.reminders.api import blp as reminders_blp  # issue 5
    from coordination.reports.api import blp as reports_blp
    from coordination.reports.dashboard_api import blp as dashboard_blp  # issue 5
    from coordination.webhooks.api import blp as webhooks_blp  # issue 15

    api.init_app(app)
    login_manager.request_loader(load_user_from_request)
    blueprints = (
        auth_blp,
        agencies_blp,
        import_blp,  # before directives_blp: /directives/parse is not a directive id
        directives_blp,
        tasks_blp,
        assignments_blp,
        extensions_blp,
        evidence_blp,
        reports_blp,
        jobs_blp,  # issue 14: GET /jobs/{id}, /jobs/{id}/file
        dashboard_blp,  # issue 5: GET /dashboard
        reminders_blp,  # issue 5: reminders, explanations, notifications
        indicators_blp,  # issue 5: targets
        queue_blp,  # issue 11: GET /queue
        webhooks_blp,  # issue 15: endpoints and deliveries
        onboarding_blp,  # issue 15: POST /onboarding/agencies, /users, /import
    )
    for blueprint in blueprints:
        api.register_blueprint(blueprint)
    # Bearer tokens, not cookies, authenticate the API: CSRF does not apply.
    for name, blueprint in app.blueprints.items():
        if name.startswith("api"):
            csrf.exempt(blueprint)
