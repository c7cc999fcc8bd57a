"""Helpers for the web UI tests: the views are discovered from the Admin instance, never listed by hand."""

from __future__ import annotations

import re
from collections.abc import Iterator

import sqlalchemy as sa
from flask import Flask
from flask_admin import BaseView
from flask_admin.contrib.sqla import ModelView

from coordination.directives.models import Directive
from coordination.extensions import db

#: the demo accounts every page is tried with (one per role, and an officer of each province)
ROLE_USERS = ["admin", "office.tayninh", "monitor.tayninh", "justice.tayninh", "bacson.tamdiep"]


def admin_views(app: Flask) -> Iterator[BaseView]:
    """Every view of the app's Flask-Admin, the home page first."""
    (admin,) = app.extensions["admin"]
    yield from admin._views


def list_url_endpoint(view: BaseView) -> str:
    return f"{view.endpoint}.{view._default_view}"


def view_by_endpoint(app: Flask, endpoint: str) -> BaseView:
    for view in admin_views(app):
        if view.endpoint == endpoint:
            return view
    raise LookupError(endpoint)


def is_model_view(view: BaseView) -> bool:
    return isinstance(view, ModelView)


def directive_id(ref: str) -> int:
    value = db.session.scalar(sa.select(Directive.id).where(Directive.ref == ref))
    assert value is not None, ref
    return value


def attr_values(html: str, attribute: str, tag_class: str) -> list[str]:
    """The values of `attribute` on elements whose class attribute starts with `tag_class`, in page order."""
    pattern = re.compile(rf'class="{re.escape(tag_class)}[^"]*"[^>]*?\b{attribute}="([^"]*)"')
    return pattern.findall(html)
