"""assignment_tally: the dashboards' counts kept by the database; indexes on assignment.directive_id

Revision ID: 0014_assignment_tally
Revises: 0013_webhooks
Create Date: 2026-12-04 08:20:00

`assignment_tally` counts the work of published directives by (issuer, monitor, assignee agency, kind,
deadline): `kind` is the timeliness when it no longer depends on the day (done on time or late, no
deadline, reported on time or late), or "open" with the deadline kept, so that overdue / due soon / on
time is still decided at read time against today (coordination/reports/tally.py). Triggers on assignment
and directive keep it in step in the same transaction, whatever writes the rows (operations, the ORM's
cascades, the database's own cascades, bulk loads). Cancelled work and drafts are not counted.

The SQL is written out here, not imported, so that this revision keeps building what it built.
Note for later revisions: on SQLite, `batch_alter_table` on assignment or directive recreates the table
and drops its triggers; such a revision must create them again (see `_triggers`).
"""
from alembic import op
import sqlalchemy as sa


revision = '0014_assignment_tally'
down_revision = '0013_webhooks'
branch_labels = None
depends_on = None

KEY = "issuer_id, monitor_agency_id, agency_id, kind, deadline"


def _kind(r: str) -> str:
    """The CASE of states.timeliness_sql, without its day-dependent branches (those are "open")."""
    finished = f"COALESCE({r}.reported_done_on, {r}.completed_on)"
    return (
        f"CASE WHEN {r}.status = 'done' THEN (CASE WHEN {r}.deadline IS NULL OR {finished} IS NULL"
        f" OR {finished} <= {r}.deadline THEN 'done_on_time' ELSE 'done_late' END)"
        f" WHEN {r}.deadline IS NULL THEN 'no_deadline'"
        f" WHEN {r}.status = 'reported_done' AND {r}.reported_done_on IS NOT NULL"
        f" THEN (CASE WHEN {r}.reported_done_on <= {r}.deadline THEN 'on_time' ELSE 'overdue' END)"
        f" ELSE 'open' END"
    )


def _deadline(r: str, dialect: str) -> str:
    none = "DATE '0001-01-01'" if dialect == "postgresql" else "'0001-01-01'"
    return f"CASE WHEN ({_kind(r)}) = 'open' THEN {r}.deadline ELSE {none} END"


def _upsert(select: str) -> str:
    return (
        f"INSERT INTO assignment_tally ({KEY}, n) {select}"
        f" ON CONFLICT ({KEY}) DO UPDATE SET n = assignment_tally.n + excluded.n"
    )


def _one(r: str, sign: str, dialect: str) -> str:
    """The tally row of one assignment (OLD or NEW) moved by sign."""
    return _upsert(
        f"SELECT d.issuer_id, COALESCE(d.monitor_agency_id, 0), {r}.agency_id, {_kind(r)}, {_deadline(r, dialect)},"
        f" {sign}1 FROM directive d"
        f" WHERE d.id = {r}.directive_id AND d.status <> 'draft' AND {r}.status <> 'cancelled'"
    )


def _whole(r: str, sign: str, dialect: str) -> str:
    """Every assignment of one directive (OLD or NEW) moved by sign."""
    return _upsert(
        f"SELECT {r}.issuer_id, COALESCE({r}.monitor_agency_id, 0), a.agency_id, {_kind('a')},"
        f" {_deadline('a', dialect)}, {sign}count(*) FROM assignment a"
        f" WHERE a.directive_id = {r}.id AND a.status <> 'cancelled' AND {r}.status <> 'draft'"
        f" GROUP BY a.agency_id, {_kind('a')}, {_deadline('a', dialect)}"
    )


ASSIGNMENT_COLUMNS = "status, deadline, reported_done_on, completed_on, agency_id, directive_id"
DIRECTIVE_CHANGED = (
    "OLD.status IS DISTINCT FROM NEW.status OR OLD.issuer_id IS DISTINCT FROM NEW.issuer_id"
    " OR OLD.monitor_agency_id IS DISTINCT FROM NEW.monitor_agency_id"
)


def _triggers(dialect: str) -> list[str]:
    if dialect == "postgresql":
        return [
            "CREATE FUNCTION assignment_tally_sync() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN"
            f" IF TG_OP IN ('UPDATE', 'DELETE') THEN {_one('OLD', '-', dialect)}; END IF;"
            f" IF TG_OP IN ('UPDATE', 'INSERT') THEN {_one('NEW', '', dialect)}; END IF;"
            " RETURN NULL; END $$",
            f"CREATE TRIGGER assignment_tally_sync AFTER INSERT OR DELETE OR UPDATE OF {ASSIGNMENT_COLUMNS}"
            " ON assignment FOR EACH ROW EXECUTE FUNCTION assignment_tally_sync()",
            "CREATE FUNCTION directive_tally_sync() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN"
            f" {_whole('OLD', '-', dialect)};"
            f" IF TG_OP = 'UPDATE' THEN {_whole('NEW', '', dialect)}; RETURN NULL; END IF;"
            " RETURN OLD; END $$",
            "CREATE TRIGGER directive_tally_update AFTER UPDATE OF status, issuer_id, monitor_agency_id ON directive"
            f" FOR EACH ROW WHEN ({DIRECTIVE_CHANGED}) EXECUTE FUNCTION directive_tally_sync()",
            # before the row goes: the database's cascade then deletes assignments whose directive is gone
            "CREATE TRIGGER directive_tally_delete BEFORE DELETE ON directive"
            " FOR EACH ROW EXECUTE FUNCTION directive_tally_sync()",
        ]
    return [
        f"CREATE TRIGGER assignment_tally_insert AFTER INSERT ON assignment BEGIN {_one('NEW', '', dialect)}; END",
        f"CREATE TRIGGER assignment_tally_delete AFTER DELETE ON assignment BEGIN {_one('OLD', '-', dialect)}; END",
        f"CREATE TRIGGER assignment_tally_update AFTER UPDATE OF {ASSIGNMENT_COLUMNS} ON assignment BEGIN"
        f" {_one('OLD', '-', dialect)}; {_one('NEW', '', dialect)}; END",
        "CREATE TRIGGER directive_tally_update AFTER UPDATE OF status, issuer_id, monitor_agency_id ON directive"
        f" WHEN {DIRECTIVE_CHANGED.replace('IS DISTINCT FROM', 'IS NOT')} BEGIN"
        f" {_whole('OLD', '-', dialect)}; {_whole('NEW', '', dialect)}; END",
        f"CREATE TRIGGER directive_tally_delete BEFORE DELETE ON directive BEGIN {_whole('OLD', '-', dialect)}; END",
    ]


DROP = {
    "postgresql": [
        "DROP TRIGGER IF EXISTS directive_tally_delete ON directive",
        "DROP TRIGGER IF EXISTS directive_tally_update ON directive",
        "DROP TRIGGER IF EXISTS assignment_tally_sync ON assignment",
        "DROP FUNCTION IF EXISTS directive_tally_sync()",
        "DROP FUNCTION IF EXISTS assignment_tally_sync()",
    ],
    "sqlite": [
        f"DROP TRIGGER IF EXISTS {name}"
        for name in (
            "directive_tally_delete",
            "directive_tally_update",
            "assignment_tally_update",
            "assignment_tally_delete",
            "assignment_tally_insert",
        )
    ],
}


def upgrade():
    dialect = op.get_bind().dialect.name
    op.create_table(
        'assignment_tally',
        sa.Column('issuer_id', sa.Integer(), nullable=False),
        sa.Column('monitor_agency_id', sa.Integer(), nullable=False),
        sa.Column('agency_id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=16), nullable=False),
        sa.Column('deadline', sa.Date(), nullable=False),
        sa.Column('n', sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint(
            'issuer_id', 'monitor_agency_id', 'agency_id', 'kind', 'deadline', name=op.f('pk_assignment_tally')
        ),
    )
    op.create_index('ix_assignment_tally_monitor', 'assignment_tally', ['monitor_agency_id'], unique=False)
    op.create_index('ix_assignment_tally_agency', 'assignment_tally', ['agency_id'], unique=False)
    op.create_index('ix_assignment_directive', 'assignment', ['directive_id'], unique=False)
    op.create_index(
        'ix_assignment_awaiting_review_directive', 'assignment', ['directive_id'], unique=False,
        postgresql_where=sa.text("status = 'reported_done'"), sqlite_where=sa.text("status = 'reported_done'"),
    )
    op.execute(
        f"INSERT INTO assignment_tally ({KEY}, n)"
        f" SELECT d.issuer_id, COALESCE(d.monitor_agency_id, 0), a.agency_id, {_kind('a')},"
        f" {_deadline('a', dialect)}, count(*) FROM assignment a JOIN directive d ON d.id = a.directive_id"
        f" WHERE d.status <> 'draft' AND a.status <> 'cancelled'"
        f" GROUP BY d.issuer_id, COALESCE(d.monitor_agency_id, 0), a.agency_id, {_kind('a')}, {_deadline('a', dialect)}"
    )
    for statement in _triggers(dialect):
        op.execute(statement)


def downgrade():
    for statement in DROP[op.get_bind().dialect.name]:
        op.execute(statement)
    op.drop_index('ix_assignment_awaiting_review_directive', table_name='assignment')
    op.drop_index('ix_assignment_directive', table_name='assignment')
    op.drop_index('ix_assignment_tally_agency', table_name='assignment_tally')
    op.drop_index('ix_assignment_tally_monitor', table_name='assignment_tally')
    op.drop_table('assignment_tally')
