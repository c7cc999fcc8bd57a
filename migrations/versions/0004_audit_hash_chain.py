"""audit events form a hash chain

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-03 09:00:00

Each event stores the SHA-256 of its content and the previous event's hash (see coordination/audit.py);
the existing history is chained here in id order. A unique prev_hash makes a fork impossible.
"""
import hashlib
import json
from datetime import UTC

from alembic import op
import sqlalchemy as sa

from coordination.db import UTCDateTime


revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None

SQLITE_GUARDS = ("UPDATE", "DELETE")
BATCH = 1000

# Frozen copy of coordination.audit.CHAINED_FIELDS and chain_hash as they were when this ran.
CHAINED_FIELDS = (
    "occurred_at", "actor_id", "system_actor", "actor_label", "entity_type", "entity_id", "action",
    "before", "after", "directive_id", "assignment_id", "prev_hash",
)


def chain_hash(fields):
    content = {name: fields[name] for name in CHAINED_FIELDS}
    content["occurred_at"] = content["occurred_at"].astimezone(UTC).isoformat(timespec="microseconds")
    canonical = json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


audit_event = sa.table(
    "audit_event",
    sa.column("id", sa.Integer),
    sa.column("occurred_at", UTCDateTime()),
    sa.column("actor_id", sa.Integer),
    sa.column("system_actor", sa.String),
    sa.column("actor_label", sa.String),
    sa.column("entity_type", sa.String),
    sa.column("entity_id", sa.Integer),
    sa.column("action", sa.String),
    sa.column("before", sa.JSON),
    sa.column("after", sa.JSON),
    sa.column("directive_id", sa.Integer),
    sa.column("assignment_id", sa.Integer),
    sa.column("prev_hash", sa.String),
    sa.column("hash", sa.String),
)


def _sqlite_guards(create: bool) -> None:
    # The same triggers as 0001's; batch mode recreates the table, which drops them.
    for verb in SQLITE_GUARDS:
        if create:
            op.execute(
                f"CREATE TRIGGER audit_event_no_{verb.lower()} BEFORE {verb} ON audit_event "
                "BEGIN SELECT RAISE(ABORT, 'audit_event is append-only'); END"
            )
        else:
            op.execute(f"DROP TRIGGER IF EXISTS audit_event_no_{verb.lower()}")


def _chain_existing_rows() -> None:
    connection = op.get_bind()
    previous = None
    last_id = 0
    while True:
        rows = connection.execute(
            sa.select(audit_event).where(audit_event.c.id > last_id).order_by(audit_event.c.id).limit(BATCH)
        ).all()
        if not rows:
            return
        updates = []
        for row in rows:
            fields = dict(row._mapping, prev_hash=previous)
            previous = chain_hash(fields)
            updates.append({"row_id": row.id, "prev_hash": fields["prev_hash"], "hash": previous})
        connection.execute(
            audit_event.update()
            .where(audit_event.c.id == sa.bindparam("row_id"))
            .values(prev_hash=sa.bindparam("prev_hash"), hash=sa.bindparam("hash")),
            updates,
        )
        last_id = rows[-1].id


def upgrade():
    if op.get_bind().dialect.name == "sqlite":
        _sqlite_guards(create=False)
        with op.batch_alter_table('audit_event', schema=None) as batch_op:
            batch_op.add_column(sa.Column('prev_hash', sa.String(length=64), nullable=True))
            batch_op.add_column(sa.Column('hash', sa.String(length=64), nullable=True))
        _chain_existing_rows()
        with op.batch_alter_table('audit_event', schema=None) as batch_op:
            batch_op.alter_column('hash', existing_type=sa.String(length=64), nullable=False)
            batch_op.create_unique_constraint(batch_op.f('uq_audit_event_prev_hash'), ['prev_hash'])
        _sqlite_guards(create=True)
        return
    op.add_column('audit_event', sa.Column('prev_hash', sa.String(length=64), nullable=True))
    op.add_column('audit_event', sa.Column('hash', sa.String(length=64), nullable=True))
    # The one sanctioned rewrite of history: the append-only guard steps aside for the back-fill.
    op.execute("ALTER TABLE audit_event DISABLE TRIGGER audit_event_no_update")
    _chain_existing_rows()
    op.execute("ALTER TABLE audit_event ENABLE TRIGGER audit_event_no_update")
    op.alter_column('audit_event', 'hash', existing_type=sa.String(length=64), nullable=False)
    op.create_unique_constraint(op.f('uq_audit_event_prev_hash'), 'audit_event', ['prev_hash'])


def downgrade():
    if op.get_bind().dialect.name == "sqlite":
        _sqlite_guards(create=False)
        with op.batch_alter_table('audit_event', schema=None) as batch_op:
            batch_op.drop_constraint(batch_op.f('uq_audit_event_prev_hash'), type_='unique')
            batch_op.drop_column('hash')
            batch_op.drop_column('prev_hash')
        _sqlite_guards(create=True)
        return
    op.drop_constraint(op.f('uq_audit_event_prev_hash'), 'audit_event', type_='unique')
    op.drop_column('audit_event', 'hash')
    op.drop_column('audit_event', 'prev_hash')
