"""audit_chain_head: take the audit chain's lock and read its head in one round trip (PostgreSQL)

Revision ID: 0017_audit_chain_head
Revises: 0016_tally_roll
Create Date: 2026-12-05 06:30:00

Every audited write appends to one hash chain under one advisory lock (coordination/audit.py), held to the end
of its transaction: each round trip made while holding it is time every other writer of the province waits.
The lock and the read of the head were two statements, because at READ COMMITTED a statement sees only what
was committed when it started. A VOLATILE function takes a fresh snapshot for each statement it runs, so the
head it reads after taking the lock is the one the previous holder committed. SQLite serialises writers
itself and has no such function: audit.py reads the head there as before.
"""

from alembic import op

revision = "0017_audit_chain_head"
down_revision = "0016_tally_roll"
branch_labels = None
depends_on = None


def upgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(
        """
        CREATE FUNCTION audit_chain_head(lock_key bigint) RETURNS text
        LANGUAGE plpgsql VOLATILE AS $$
        BEGIN
            PERFORM pg_advisory_xact_lock(lock_key);
            RETURN (SELECT hash FROM audit_event ORDER BY id DESC LIMIT 1);
        END
        $$
        """
    )


def downgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("DROP FUNCTION audit_chain_head(bigint)")
