"""Running it as a service: readiness, request ids and JSON logs, metrics, the proxy in front, `flask doctor`."""

from __future__ import annotations

from flask import Flask


def init_observability(app: Flask) -> None:
    """Register the health, logging and metrics parts on the app (called once by create_app)."""
    from coordination.observability import health, logs

    app.register_blueprint(health.bp)
    logs.init_logs(app)
    app.wsgi_app = logs.RequestObserver(app.wsgi_app, [logs.log_request])  # type: ignore[method-assign]
