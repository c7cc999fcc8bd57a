"""The request's one commit, for every view and API handler; the lock a scheduled job holds across machines."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from contextlib import contextmanager

import sqlalchemy as sa
from flask import Response
from sqlalchemy import event
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, SessionTransaction

from coordination.errors import database_unavailable
from coordination.extensions import db


def end_request_transaction(response: Response) -> Response:
    """Keep the request's writes when it answers a success or a redirect; roll them back otherwise.

    Views and API handlers call one operation and never commit themselves; an error answer (a refused
    form, a 409, a problem document) leaves nothing half-written. Registered by create_app.
    """
    if reading_without_transaction(db.session()):
        # Every statement committed itself, and a flush was refused: nothing to commit, nothing to undo. The
        # teardown's close gives the connection back (expiring the request's objects first cost 0.1 ms a read).
        return response
    if response.status_code < 400:
        try:
            db.session.commit()
        except OperationalError as error:
            # The database went away before the commit was acknowledged: the client is told to retry.
            return database_unavailable(error)
    else:
        db.session.rollback()
    return response


#: the isolation level of a request that only reads: each statement commits itself, no BEGIN and no COMMIT
_READING = {"isolation_level": "AUTOCOMMIT"}
_READING_KEY = "coordination.reading_without_transaction"


def read_without_transaction() -> None:
    """Run the rest of the request's statements without BEGIN and COMMIT (PostgreSQL): for requests that only read.

    At PostgreSQL's READ COMMITTED every statement takes its own snapshot anyway, so a reading request sees
    nothing different; it saves two of its four round trips to the server (the API's lists under load, make bench).
    Called before the request's first statement (the API's token check); later, on SQLite, or in a session bound to
    a connection, it changes nothing.
    A flush of ORM changes in such a request is refused (`_refuse_flush_while_reading`): its writes would not
    be one transaction. The token's last use, one UPDATE, is written as before.
    """
    session = db.session()  # the request's Session itself: the scoped proxy has no in_transaction
    bind = session.get_bind()
    # A session bound to a connection (a test's transaction) keeps that connection's transaction.
    if session.in_transaction() or not isinstance(bind, sa.Engine) or bind.dialect.name != "postgresql":
        return
    session.connection(execution_options=_READING)
    session.info[_READING_KEY] = True


def reading_without_transaction(session: Session) -> bool:
    """Whether `session`'s transaction is a request's reading without one (see `read_without_transaction`)."""
    return bool(session.info.get(_READING_KEY))


@event.listens_for(Session, "after_transaction_end")
def _forget_reading(session: Session, transaction: SessionTransaction) -> None:
    if transaction.parent is None:  # the connection went back to the pool, its isolation level reset
        session.info.pop(_READING_KEY, None)


@event.listens_for(Session, "before_flush")
def _refuse_flush_while_reading(session: Session, _context: object, _instances: object) -> None:
    if reading_without_transaction(session):
        raise RuntimeError("a request that reads without a transaction must not write (read_without_transaction)")


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
