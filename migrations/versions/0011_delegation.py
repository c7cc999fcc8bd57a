"""handlers of an assignment inside its agency (phân công xử lý)

Revision ID: 0011_delegation
Revises: 0010_onboarding
Create Date: 2026-12-04 08:15:00

The agency's head names one or more of its officers to handle an assignment, with a note and an internal
due date. A reassignment ends the current rows instead of deleting them: the trail stays.
"""
from alembic import op
import sqlalchemy as sa



revision = '0011_delegation'
down_revision = '0010_onboarding'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'assignment_handler',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('assignment_id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('note', sa.Text(), nullable=False),
        sa.Column('due_on', sa.Date(), nullable=True),
        sa.Column('assigned_by_id', sa.Integer(), nullable=True),
        sa.Column('assigned_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('ended_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('ended_by_id', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(['assigned_by_id'], ['user_account.id'], name=op.f('fk_assignment_handler_assigned_by_id_user_account')),
        sa.ForeignKeyConstraint(['assignment_id'], ['assignment.id'], name=op.f('fk_assignment_handler_assignment_id_assignment'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['ended_by_id'], ['user_account.id'], name=op.f('fk_assignment_handler_ended_by_id_user_account')),
        sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_assignment_handler_user_id_user_account')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_assignment_handler')),
    )
    with op.batch_alter_table('assignment_handler', schema=None) as batch_op:
        batch_op.create_index('ix_assignment_handler_assignment', ['assignment_id', 'assigned_at'], unique=False)
        batch_op.create_index(
            'ix_assignment_handler_user_current',
            ['user_id', 'assignment_id'],
            unique=True,
            postgresql_where=sa.text('ended_at IS NULL'),
            sqlite_where=sa.text('ended_at IS NULL'),
        )


def downgrade():
    with op.batch_alter_table('assignment_handler', schema=None) as batch_op:
        batch_op.drop_index(
            'ix_assignment_handler_user_current',
            postgresql_where=sa.text('ended_at IS NULL'),
            sqlite_where=sa.text('ended_at IS NULL'),
        )
        batch_op.drop_index('ix_assignment_handler_assignment')
    op.drop_table('assignment_handler')
