"""working days: the calendar's corrections, reminder policies counted in working days, deadlines in working days

Revision ID: 0012_working_days
Revises: 0011_delegation
Create Date: 2026-12-04 08:30:00

calendar_day holds the announced days off and make-up working days that override the holidays library;
reminder_policy.days_unit says whether "3 days before" counts working days (existing policies: calendar
days, as before); task.deadline_working_days keeps a deadline written as "trong N ngày làm việc".
"""

from alembic import op
import sqlalchemy as sa


revision = "0012_working_days"
down_revision = "0011_delegation"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "calendar_day",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum("off", "working", name="calendar_day_kind", native_enum=False, create_constraint=True, length=7),
            nullable=False,
        ),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_calendar_day")),
        sa.UniqueConstraint("day", name=op.f("uq_calendar_day_day")),
    )
    with op.batch_alter_table("reminder_policy", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "days_unit",
                sa.Enum("calendar", "working", name="day_unit", native_enum=False, create_constraint=True, length=8),
                server_default="calendar",
                nullable=False,
            )
        )
    with op.batch_alter_table("task", schema=None) as batch_op:
        batch_op.add_column(sa.Column("deadline_working_days", sa.Integer(), nullable=True))


def downgrade():
    with op.batch_alter_table("task", schema=None) as batch_op:
        batch_op.drop_column("deadline_working_days")
    with op.batch_alter_table("reminder_policy", schema=None) as batch_op:
        # the enum's CHECK goes first: SQLite's rebuilt table would otherwise still name the column
        batch_op.drop_constraint(batch_op.f("ck_reminder_policy_day_unit"), type_="check")
        batch_op.drop_column("days_unit")
    op.drop_table("calendar_day")
