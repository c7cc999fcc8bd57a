"""tally_roll: the day before which open work's tally rows are merged (the dashboards' daily roll)

Revision ID: 0016_tally_roll
Revises: 0015_export_jobs
Create Date: 2026-12-04 12:05:00

One row at most (`id = 1`). `coordination/reports/tally.py: roll()` merges the "open" rows of
assignment_tally whose deadline is before a day into one row per (issuer, monitor, agency) dated the day
before, and records that day here; the triggers of 0014 go on adding and subtracting at exact deadlines,
which the next roll folds in. No table is altered, so no trigger needs creating again.
"""

import sqlalchemy as sa
from alembic import op

revision = "0016_tally_roll"
down_revision = "0015_export_jobs"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "tally_roll",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("rolled_before", sa.Date(), nullable=False),
        sa.CheckConstraint("id = 1", name=op.f("ck_tally_roll_one_row")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tally_roll")),
    )


def downgrade():
    op.drop_table("tally_roll")
