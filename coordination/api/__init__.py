"""The JSON API under /api/v1 (flask-smorest)."""

from __future__ import annotations

from flask import Flask

from coordination.extensions import api, csrf


def init_api(app: Flask) -> None:
    api.init_app(app)
    # Bearer tokens, not cookies, authenticate the API: CSRF does not apply.
    for name, blueprint in app.blueprints.items():
        if name.startswith("api"):
            csrf.exempt(blueprint)
