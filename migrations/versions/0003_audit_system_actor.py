"""audit events name their system actor

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-02 09:00:00

Events no user performed (the reminder job, the demo loader, the operator's CLI) used to carry only
actor_label "system"; they now name the system actor in system_actor, and exactly one of actor_id and
system_actor is set. Earlier system events are back-filled as "system", which is all they said.
"""
from alembic import op
import sqlalchemy as sa


revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None

ONE_ACTOR = "(actor_id IS NULL) <> (system_actor IS NULL)"
SQLITE_GUARDS = ("UPDATE", "DELETE")


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


def upgrade():
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        _sqlite_guards(create=False)
        with op.batch_alter_table('audit_event', schema=None) as batch_op:
            batch_op.add_column(sa.Column('system_actor', sa.String(length=40), nullable=True))
        op.execute("UPDATE audit_event SET system_actor = 'system' WHERE actor_id IS NULL")
        with op.batch_alter_table('audit_event', schema=None) as batch_op:
            batch_op.create_check_constraint(batch_op.f('ck_audit_event_one_actor'), ONE_ACTOR)
        _sqlite_guards(create=True)
        return
    op.add_column('audit_event', sa.Column('system_actor', sa.String(length=40), nullable=True))
    # The one sanctioned rewrite of history: the append-only guard steps aside for the back-fill.
    op.execute("ALTER TABLE audit_event DISABLE TRIGGER audit_event_no_update")
    op.execute("UPDATE audit_event SET system_actor = 'system' WHERE actor_id IS NULL")
    op.execute("ALTER TABLE audit_event ENABLE TRIGGER audit_event_no_update")
    op.create_check_constraint(op.f('ck_audit_event_one_actor'), 'audit_event', ONE_ACTOR)


def downgrade():
    if op.get_bind().dialect.name == "sqlite":
        _sqlite_guards(create=False)
        with op.batch_alter_table('audit_event', schema=None) as batch_op:
            batch_op.drop_constraint(batch_op.f('ck_audit_event_one_actor'), type_='check')
            batch_op.drop_column('system_actor')
        _sqlite_guards(create=True)
        return
    op.drop_constraint(op.f('ck_audit_event_one_actor'), 'audit_event', type_='check')
    op.drop_column('audit_event', 'system_actor')
