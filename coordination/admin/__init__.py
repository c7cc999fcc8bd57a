"""The web UI: Flask-Admin views on top of the same permissions and operations."""

from __future__ import annotations

from flask import Flask
from flask_admin import Admin
from flask_admin.theme import Bootstrap4Theme


def init_admin(app: Flask) -> Admin:
    admin = Admin(app, name="Theo dõi nhiệm vụ", url="/app", theme=Bootstrap4Theme())
    return admin
