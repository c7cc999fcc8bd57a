"""Running it as a service: readiness, request ids and JSON logs, metrics, the proxy in front, `flask doctor`."""

from __future__ import annotations

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix


def init_observability(app: Flask) -> None:
    """Register the health, logging and metrics parts on the app (called once by create_app)."""
    from coordination.observability import health, logs, metrics

    app.register_blueprint(health.bp)
    logs.init_logs(app)
    observers = [logs.log_request, *metrics.init_metrics(app)]
    app.wsgi_app = logs.RequestObserver(app.wsgi_app, observers)  # type: ignore[method-assign]
    proxies = int(app.config["PROXY_COUNT"])
    if proxies > 0:
        # Outermost, so that everything inside (login limit, logs, metrics' allow-list, url_for's scheme) sees
        # the client's address and HTTPS. Trust exactly as many X-Forwarded-* hops as there are proxies.
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=proxies, x_port=proxies)  # type: ignore[method-assign]
