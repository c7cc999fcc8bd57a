"""the "Chờ xử lý" queue and its notices

Revision ID: 0005_queue_notices
Revises: 0004
Create Date: 2026-12-04 05:10:00

An explanation's answer is read (or not) by the monitor; a notice carries the event it tells of, unique
per user, so that the same event never notifies anyone twice; indexes for the three kinds of the queue.
"""
from alembic import op
import sqlalchemy as sa

from coordination.db import UTCDateTime


revision = '0005_queue_notices'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('explanation_request', schema=None) as batch_op:
        batch_op.add_column(sa.Column('answer_read_at', UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column('answer_read_by_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f('fk_explanation_request_answer_read_by_id_user_account'),
            'user_account', ['answer_read_by_id'], ['id'],
        )
        batch_op.create_index(
            'ix_explanation_request_unread_answer', ['answered_at'], unique=False,
            postgresql_where=sa.text('answered_at IS NOT NULL AND answer_read_at IS NULL'),
            sqlite_where=sa.text('answered_at IS NOT NULL AND answer_read_at IS NULL'),
        )
    with op.batch_alter_table('notification', schema=None) as batch_op:
        batch_op.add_column(sa.Column('dedupe_key', sa.String(length=80), nullable=True))
        batch_op.create_unique_constraint(
            batch_op.f('uq_notification_user_id_dedupe_key'), ['user_id', 'dedupe_key']
        )
    with op.batch_alter_table('assignment', schema=None) as batch_op:
        batch_op.create_index(
            'ix_assignment_awaiting_review', ['reported_done_on'], unique=False,
            postgresql_where=sa.text("status = 'reported_done'"),
            sqlite_where=sa.text("status = 'reported_done'"),
        )
    with op.batch_alter_table('extension_request', schema=None) as batch_op:
        batch_op.create_index('ix_extension_request_status_requested', ['status', 'requested_at'], unique=False)


def downgrade():
    with op.batch_alter_table('extension_request', schema=None) as batch_op:
        batch_op.drop_index('ix_extension_request_status_requested')
    with op.batch_alter_table('assignment', schema=None) as batch_op:
        batch_op.drop_index('ix_assignment_awaiting_review')
    with op.batch_alter_table('notification', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_notification_user_id_dedupe_key'), type_='unique')
        batch_op.drop_column('dedupe_key')
    with op.batch_alter_table('explanation_request', schema=None) as batch_op:
        batch_op.drop_index('ix_explanation_request_unread_answer')
        batch_op.drop_constraint(
            batch_op.f('fk_explanation_request_answer_read_by_id_user_account'), type_='foreignkey'
        )
        batch_op.drop_column('answer_read_by_id')
        batch_op.drop_column('answer_read_at')
