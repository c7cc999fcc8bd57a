"""export_job: exports run in the background by the RQ worker (issue 14)

Revision ID: 0015_export_jobs
Revises: 0014_assignment_tally
Create Date: 2026-12-04 11:30:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0015_export_jobs'
down_revision = '0014_assignment_tally'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'export_job',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=40), nullable=False),
        sa.Column('arguments', sa.JSON(), nullable=False),
        sa.Column('format', sa.String(length=10), nullable=False),
        sa.Column(
            'status',
            sa.Enum(
                'queued', 'running', 'done', 'failed',
                name='export_job_status', native_enum=False, create_constraint=True, length=7,
            ),
            nullable=False,
        ),
        sa.Column('progress_done', sa.Integer(), nullable=False),
        sa.Column('progress_total', sa.Integer(), nullable=True),
        sa.Column('file_key', sa.String(length=64), nullable=True),
        sa.Column('file_name', sa.String(length=200), nullable=True),
        sa.Column('file_size', sa.BigInteger(), nullable=True),
        sa.Column('error', sa.String(length=1000), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('started_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('finished_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ['user_id'], ['user_account.id'], name=op.f('fk_export_job_user_id_user_account'), ondelete='CASCADE'
        ),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_export_job')),
    )
    with op.batch_alter_table('export_job', schema=None) as batch_op:
        batch_op.create_index('ix_export_job_user_created', ['user_id', 'created_at'], unique=False)
        batch_op.create_index('ix_export_job_expires', ['expires_at'], unique=False)


def downgrade():
    with op.batch_alter_table('export_job', schema=None) as batch_op:
        batch_op.drop_index('ix_export_job_expires')
        batch_op.drop_index('ix_export_job_user_created')
    op.drop_table('export_job')
