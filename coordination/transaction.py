"""The request's one commit, for every view and API handler."""

from __future__ import annotations

from flask import Response
from sqlalchemy.exc import OperationalError

from coordination.errors import database_unavailable
from coordination.extensions import db


def end_request_transaction(response: Response) -> Response:
    """Keep the request's writes when it answers a success or a redirect; roll them back otherwise.

    Views and API handlers call one operation and never commit themselves; an error answer (a refused
    form, a 409, a problem document) leaves nothing half-written. Registered by create_app.
    """
    if response.status_code < 400:
        try:
            db.session.commit()
        except OperationalError as error:
            # The database went away before the commit was acknowledged: the client is told to retry.
            return database_unavailable(error)
    else:
        db.session.rollback()
    return response
