"""reminder_run: one row per finished reminders run (issue 16: metrics)

Revision ID: 0006_reminder_runs
Revises: 0005_queue_notices
Create Date: 2026-12-04 05:00:00

/metrics reports the last run's time, reminders sent and e-mails failed; the job runs in its own
process (a systemd timer), so the database is where the web workers can read it.
"""
from alembic import op
import sqlalchemy as sa


revision = '0006_reminder_runs'
down_revision = '0005_queue_notices'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'reminder_run',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('run_for', sa.Date(), nullable=False),
        sa.Column('finished_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('sent', sa.Integer(), nullable=False),
        sa.Column('escalated', sa.Integer(), nullable=False),
        sa.Column('emails_sent', sa.Integer(), nullable=False),
        sa.Column('emails_failed', sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_reminder_run')),
    )
    with op.batch_alter_table('reminder_run', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_reminder_run_finished_at'), ['finished_at'], unique=False)


def downgrade():
    with op.batch_alter_table('reminder_run', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_reminder_run_finished_at'))
    op.drop_table('reminder_run')
