"""invitations for users created by the onboarding import

Revision ID: 0010_onboarding
Revises: 0009_totp
Create Date: 2026-12-04 08:20:00

A user imported from a spreadsheet has no password: an invitation (its token stored as SHA-256, with an
expiry) lets the user choose one.
"""
from alembic import op
import sqlalchemy as sa


revision = '0010_onboarding'
down_revision = '0009_totp'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'user_invitation',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('token_hash', sa.String(length=64), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('used_at', sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ['user_id'], ['user_account.id'], name=op.f('fk_user_invitation_user_id_user_account'), ondelete='CASCADE'
        ),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_user_invitation')),
        sa.UniqueConstraint('token_hash', name=op.f('uq_user_invitation_token_hash')),
    )
    with op.batch_alter_table('user_invitation', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_user_invitation_user_id'), ['user_id'], unique=False)


def downgrade():
    with op.batch_alter_table('user_invitation', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_user_invitation_user_id'))
    op.drop_table('user_invitation')
