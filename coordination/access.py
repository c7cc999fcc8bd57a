"""Loading a row for a view: 404 when it is missing, 403 when the signed-in user may not act on it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from flask import abort
from flask_login import current_user

from coordination.errors import NotFound
from coordination.extensions import db
from coordination.permissions import Permission, can

T = TypeVar("T")


def found_or_404(row: T | None, message: str | None = None, *, errors: dict[str, list[str]] | None = None) -> T:
    """A row a scoped loader found (one the user may see), or 404: what is not visible does not exist.

    With a message (the API's loaders), the 404 is a problem document that says what was not found.
    """
    if row is None:
        if message is not None:
            raise NotFound(message, errors=errors)
        abort(404)
    return row


def get_or_404(
    model: type[T], object_id: Any, permission: Permission | None = None, *, of: Callable[[T], Any] | None = None
) -> T:
    """The row of `model`, or 404; with a permission, 403 unless the user may do it on `of(row)` (default: the row)."""
    row = found_or_404(db.session.get(model, object_id))
    if permission is not None and not can(current_user._get_current_object(), permission, of(row) if of else row):
        abort(403)
    return row
