"""users carry a session nonce

Revision ID: 0008_user_session_nonce
Revises: 0007_assignment_directive
Create Date: 2026-12-04 05:30:00

A session names its user as "id:nonce"; changing the nonce (password changed, account deactivated, logout)
ends every session of that user. Existing users start with an empty nonce: their sessions, which named
the id alone, end once.
"""
from alembic import op
import sqlalchemy as sa


revision = '0008_user_session_nonce'
down_revision = '0007_assignment_directive'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.add_column(sa.Column('session_nonce', sa.String(length=32), server_default='', nullable=False))


def downgrade():
    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.drop_column('session_nonce')
