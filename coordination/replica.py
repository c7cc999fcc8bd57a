"""Read replicas (issue 14): dashboards and reports read from a PostgreSQL hot standby while a flag says so.

With REPLICA_DATABASE_URL set, create_app adds a second engine (the `replica` bind) and `db.session` is a
`RoutingSession`: inside `with replica_reads():` (or a function decorated `@replica_reads()`) a plain SELECT
goes to the standby; everything else goes to the primary, flag or not: whatever a flush sends, INSERT, UPDATE,
DELETE, `SELECT ... FOR UPDATE`, textual SQL (`sa.text`, which may be anything) and `session.connection()`.

Only the read phase of the dashboards, the home page's counters and the compliance report's rows set the flag.
Signing in, tokens, the lockout, If-Match and the audit chain run outside it: they must see the latest commit.

The standby unreachable (stopped, refusing, no answer within REPLICA_CONNECT_TIMEOUT seconds), the reads go to
the primary, a warning is logged, and the standby is not tried again for REPLICA_RETRY_SECONDS: a dashboard
does not fail because its replica is down, nor wait for it on every request.
"""

from __future__ import annotations

import logging
import threading
import time
import weakref
from collections.abc import Iterable, Iterator
from contextlib import AbstractContextManager, contextmanager
from typing import Any, TypeVar

import sqlalchemy as sa
from flask import current_app, has_app_context
from flask_sqlalchemy.session import Session as FlaskSession
from sqlalchemy.engine import Engine
from sqlalchemy.sql.selectable import CompoundSelect, Select

log = logging.getLogger(__name__)

#: the bind key of the standby's engine in SQLALCHEMY_BINDS
REPLICA_BIND = "replica"
#: the session.info key of the flag
FLAG = "replica_reads"

T = TypeVar("T")


def plain_select(clause: Any) -> bool:
    """A SELECT (or UNION of SELECTs) without FOR UPDATE / FOR SHARE: what a read-only standby may answer."""
    return isinstance(clause, Select | CompoundSelect) and clause._for_update_arg is None


class _Health:
    """Per engine and process: until when the standby is left alone after a failure."""

    def __init__(self) -> None:
        self.down_until = 0.0

    def usable(self) -> bool:
        return time.monotonic() >= self.down_until

    def failed(self, engine: Engine, error: Exception, retry_seconds: float) -> None:
        self.down_until = time.monotonic() + retry_seconds
        log.warning(
            "read replica %s unreachable, reading from the primary for %s s: %s",
            engine.url.render_as_string(hide_password=True),
            retry_seconds,
            str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__,
            extra={"event": "replica.unreachable"},
        )


_health: weakref.WeakKeyDictionary[Engine, _Health] = weakref.WeakKeyDictionary()
_health_lock = threading.Lock()


def _health_of(engine: Engine) -> _Health:
    with _health_lock:
        health = _health.get(engine)
        if health is None:
            health = _health[engine] = _Health()
        return health


class RoutingSession(FlaskSession):
    """Flask-SQLAlchemy's session (`session_options={"class_": RoutingSession}`), with the replica's routing."""

    def get_bind(  # type: ignore[override]
        self,
        mapper: Any | None = None,
        clause: Any | None = None,
        bind: Engine | sa.Connection | None = None,
        **kwargs: Any,
    ) -> Engine | sa.Connection:
        if bind is None and self.info.get(FLAG) and not self._flushing and plain_select(clause):
            replica = self._replica()
            if replica is not None:
                return replica
        return super().get_bind(mapper=mapper, clause=clause, bind=bind, **kwargs)

    def _replica(self) -> Engine | None:
        """The standby's engine with a connection in this session's transaction, or None (the primary, then)."""
        engine = self._db.engines.get(REPLICA_BIND)
        if engine is None:
            return None
        health = _health_of(engine)
        if not health.usable():
            return None
        try:
            # Connect now (or reuse the transaction's connection), so that a standby that is down is found
            # here, where the primary can still answer, rather than in the middle of the statement.
            self.connection(bind_arguments={"bind": engine})
        except sa.exc.DBAPIError as error:
            health.failed(engine, error, float(current_app.config.get("REPLICA_RETRY_SECONDS", 30)))
            return None
        return engine


def _session() -> Any:
    # The app's Flask-SQLAlchemy by its registration: coordination.extensions imports this module.
    return current_app.extensions["sqlalchemy"].session()


def replica_reads() -> AbstractContextManager[None]:
    """Inside: plain SELECTs go to the replica, if one is configured (and up). Also a decorator: `@replica_reads()`.

    Nothing changes without REPLICA_DATABASE_URL, or on a session that is not a RoutingSession (the tests'
    rolled-back sessions): everything reads the primary, as before.
    """
    return _phase(True)


def primary_reads() -> AbstractContextManager[None]:
    """Inside: everything on the primary, even within `replica_reads()` (what must see the latest commit)."""
    return _phase(False)


@contextmanager
def _phase(on_replica: bool) -> Iterator[None]:
    if not has_app_context():
        yield
        return
    session = _session()
    previous = session.info.get(FLAG, False)
    session.info[FLAG] = on_replica
    try:
        yield
    finally:
        session.info[FLAG] = previous


def reading_replica() -> bool:
    """Whether the flag is set now (the phase a streamed output must keep)."""
    return has_app_context() and bool(_session().info.get(FLAG, False))


def keep_phase(items: Iterable[T]) -> Iterator[T]:
    """`items`, each step read in the phase (replica or primary) in force now, when keep_phase is called.

    A streamed response (the report's CSV) is read after its view has returned and the flag is cleared: its
    rows must still come from where the view would have read them, and nothing else in between.
    """
    on_replica = reading_replica()  # now, not at the first step: this is not a generator function

    def steps() -> Iterator[T]:
        iterator = iter(items)
        while True:
            with replica_reads() if on_replica else primary_reads():
                try:
                    item = next(iterator)
                except StopIteration:
                    return
            yield item

    return steps()
