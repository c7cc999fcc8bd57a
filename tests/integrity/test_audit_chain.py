"""The audit history is a hash chain: an edited or deleted event is named by `audit verify`."""

from __future__ import annotations

import itertools
import os
import threading

import pytest
import sqlalchemy as sa
from flask import Flask

from coordination import audit
from coordination.audit import AuditEvent
from coordination.extensions import db
from tests.conftest import SETUP


def _verify(app: Flask) -> tuple[int, str]:
    result = app.test_cli_runner().invoke(args=["audit", "verify", "--batch-size", "7"])
    return result.exit_code, result.output


def _without_guard(statement: str, **params: object) -> None:
    """Change the history the way a malicious DBA would: step round the append-only trigger."""
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(sa.text("ALTER TABLE audit_event DISABLE TRIGGER audit_event_no_update"))
        db.session.execute(sa.text(statement), params)
        db.session.execute(sa.text("ALTER TABLE audit_event ENABLE TRIGGER audit_event_no_update"))
        return
    for verb in ("update", "delete"):
        db.session.execute(sa.text(f"DROP TRIGGER audit_event_no_{verb}"))
    db.session.execute(sa.text(statement), params)
    for verb in ("UPDATE", "DELETE"):
        db.session.execute(
            sa.text(
                f"CREATE TRIGGER audit_event_no_{verb.lower()} BEFORE {verb} ON audit_event "
                "BEGIN SELECT RAISE(ABORT, 'audit_event is append-only'); END"
            )
        )


def _middle_event_id() -> int:
    ids = db.session.scalars(sa.select(AuditEvent.id).order_by(AuditEvent.id)).all()
    return ids[len(ids) // 2]


def test_demo_history_is_chained_and_verifies(app: Flask) -> None:
    events = db.session.scalars(sa.select(AuditEvent).order_by(AuditEvent.id)).all()
    assert len(events) > 20
    assert events[0].prev_hash is None
    assert all(later.prev_hash == earlier.hash for earlier, later in itertools.pairwise(events))
    assert all(len(e.hash) == 64 for e in events)
    code, output = _verify(app)
    assert code == 0
    assert output == f"OK: chuỗi băm của {len(events)} sự kiện nhật ký khớp.\n"


def test_new_events_extend_the_chain(app: Flask) -> None:
    head = db.session.scalar(sa.select(AuditEvent.hash).order_by(AuditEvent.id.desc()).limit(1))
    first = audit.record(SETUP, "user.update", "user", 1, after={"full_name": "Nguyễn Văn A"})
    second = audit.record(SETUP, "user.update", "user", 1, after={"full_name": "Nguyễn Văn B"})
    db.session.flush()
    assert (first.prev_hash, second.prev_hash) == (head, first.hash)
    db.session.commit()
    assert _verify(app)[0] == 0


def test_postgresql_takes_the_chains_lock_and_reads_its_head_in_one_prepared_statement(app: Flask) -> None:
    # Every audited write runs it inside the chain's lock, which every other writer waits for: one round trip
    # (migration 0017) where the lock and the head were two, planned once per connection.
    if db.engine.dialect.name != "postgresql":
        pytest.skip("the chain's lock and server-side prepared statements are PostgreSQL's")
    sent: list[str] = []
    connection = db.session.connection()

    def _record(conn, cursor, statement, parameters, context, executemany):  # type: ignore[no-untyped-def]
        sent.append(" ".join(statement.split()))

    sa.event.listen(connection, "before_cursor_execute", _record)
    try:
        for n in range(2):  # two flushes, two reads of the head
            audit.record(SETUP, "user.update", "user", 1, after={"n": n})
            db.session.flush()
    finally:
        sa.event.remove(connection, "before_cursor_execute", _record)
    assert [statement.split(" FROM ")[0].split(" (")[0] for statement in sent] == [
        "SELECT audit_chain_head(%(param_1)s::BIGINT) AS audit_chain_head_1",
        "INSERT INTO audit_event",
    ] * 2
    prepared = connection.exec_driver_sql("SELECT statement FROM pg_prepared_statements").scalars().all()
    assert [s for s in prepared if "audit_chain_head(" in s]


def test_the_chains_head_is_read_after_its_lock_is_taken(app: Flask) -> None:
    # A STABLE function would read with its caller's snapshot, taken before the lock was granted: two writers
    # could then chain to the same head. A VOLATILE one takes a snapshot for each of its statements.
    if db.engine.dialect.name != "postgresql":
        pytest.skip("PostgreSQL's function")
    volatility = db.session.execute(
        sa.text("SELECT provolatile FROM pg_proc WHERE proname = 'audit_chain_head'")
    ).scalar_one()
    assert volatility == "v"


def test_edited_event_is_named(app: Flask) -> None:
    event_id = _middle_event_id()
    _without_guard("UPDATE audit_event SET after = :after WHERE id = :id", after='{"status": "done"}', id=event_id)
    code, output = _verify(app)
    assert code == 1
    assert f"Sự kiện nhật ký {event_id} đã bị sửa: nội dung không khớp mã băm." in output


def test_deleted_event_is_found_at_its_successor(app: Flask) -> None:
    event_id = _middle_event_id()
    successor = db.session.scalar(sa.select(sa.func.min(AuditEvent.id)).where(AuditEvent.id > event_id))
    _without_guard("DELETE FROM audit_event WHERE id = :id", id=event_id)
    code, output = _verify(app)
    assert code == 1
    assert f"Sự kiện nhật ký {successor} không nối với sự kiện trước nó" in output


@pytest.mark.skipif(not os.environ.get("TEST_DATABASE_URL"), reason="concurrent writers need PostgreSQL")
def test_concurrent_appends_keep_one_chain(scratch_demo_app: Flask) -> None:
    app = scratch_demo_app
    with app.app_context():
        before = db.session.scalar(sa.select(sa.func.count(AuditEvent.id)))
    start = threading.Barrier(2)
    errors: list[BaseException] = []

    def append(name: str) -> None:
        try:
            with app.app_context():
                start.wait(timeout=10)
                for i in range(15):
                    audit.record(SETUP, "user.update", "user", 1, after={"writer": name, "i": i})
                    audit.record(SETUP, "user.update", "user", 1, after={"writer": name, "i": i, "second": True})
                    db.session.commit()
        except BaseException as error:  # reported by the main thread below
            errors.append(error)

    threads = [threading.Thread(target=append, args=(n,)) for n in ("A", "B")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    code, output = _verify(app)
    assert code == 0, output
    assert output == f"OK: chuỗi băm của {before + 60} sự kiện nhật ký khớp.\n"
    with app.app_context():
        db.engine.dispose()
