"""assignment carries its task's directive; indexes for visibility and an agency's open work

Revision ID: 0007_assignment_directive
Revises: 0006_reminder_runs
Create Date: 2026-12-04 05:15:00

`assignment.directive_id` is the task's directive, kept by the database: the foreign key
(task_id, directive_id) -> task (id, directive_id) replaces the one on task_id alone, so a row can
never disagree with its task (ON UPDATE CASCADE follows a task moved to another directive).
`ix_assignment_agency_directive` answers "has this agency work in this directive" (directive
visibility) with one index lookup; `ix_assignment_agency_open` serves an agency's open work in id
order (the officer's list, keyset pages).
"""
from alembic import op
import sqlalchemy as sa


revision = '0007_assignment_directive'
down_revision = '0006_reminder_runs'
branch_labels = None
depends_on = None

OPEN_WORK = "status NOT IN ('done', 'cancelled')"


def upgrade():
    with op.batch_alter_table('task', schema=None) as batch_op:
        batch_op.create_unique_constraint(batch_op.f('uq_task_id_directive_id'), ['id', 'directive_id'])
    op.add_column('assignment', sa.Column('directive_id', sa.Integer(), nullable=True))
    op.execute(
        "UPDATE assignment SET directive_id = (SELECT task.directive_id FROM task WHERE task.id = assignment.task_id)"
    )
    with op.batch_alter_table('assignment', schema=None) as batch_op:
        batch_op.alter_column('directive_id', existing_type=sa.Integer(), nullable=False)
        batch_op.drop_constraint('fk_assignment_task_id_task', type_='foreignkey')
        batch_op.create_foreign_key(
            'fk_assignment_task_id_task', 'task', ['task_id', 'directive_id'], ['id', 'directive_id'],
            ondelete='CASCADE', onupdate='CASCADE',
        )
        batch_op.create_index('ix_assignment_agency_directive', ['agency_id', 'directive_id'], unique=False)
        batch_op.create_index(
            'ix_assignment_agency_open', ['agency_id', 'id'], unique=False,
            postgresql_where=sa.text(OPEN_WORK), sqlite_where=sa.text(OPEN_WORK),
        )


def downgrade():
    with op.batch_alter_table('assignment', schema=None) as batch_op:
        batch_op.drop_index('ix_assignment_agency_open')
        batch_op.drop_index('ix_assignment_agency_directive')
        batch_op.drop_constraint('fk_assignment_task_id_task', type_='foreignkey')
        batch_op.create_foreign_key('fk_assignment_task_id_task', 'task', ['task_id'], ['id'], ondelete='CASCADE')
        batch_op.drop_column('directive_id')
    with op.batch_alter_table('task', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_task_id_directive_id'), type_='unique')
