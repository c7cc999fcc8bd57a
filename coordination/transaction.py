"""The request's one commit, for every view and API handler; the lock a scheduled job holds across machines."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from contextlib import contextmanager

import sqlalchemy as sa
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


def job_lock_key(name: str) -> int:
    """The PostgreSQL advisory lock number of the job `name` (a signed 64-bit number drawn from its name)."""
    return int.from_bytes(hashlib.sha256(f"coordination:{name}".encode()).digest()[:8], "big", signed=True)


@contextmanager
def job_lock(name: str) -> Iterator[bool]:
    """Hold the job `name`'s lock while the block runs: True if this run has it, False if another run holds it.

    PostgreSQL: a session advisory lock on a connection of its own, so that the job's commits do not release it
    and a process that dies releases it with its connection; another machine's run finds it taken. SQLite: always
    True: the database is a file on one machine, and systemd never starts a timer's service while it still runs.
    """
    if db.engine.dialect.name != "postgresql":
        yield True
        return
    key = job_lock_key(name)
    with db.engine.connect() as connection:
        taken = bool(connection.execute(sa.select(sa.func.pg_try_advisory_lock(key))).scalar())
        connection.commit()  # not left "idle in transaction" while the job runs
        try:
            yield taken
        finally:
            if taken:
                connection.execute(sa.select(sa.func.pg_advisory_unlock(key)))
                connection.commit()
