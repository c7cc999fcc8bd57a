import pytest
import sqlalchemy as sa

from coordination.assignments.models import Assignment
from coordination.directives.models import Directive
from coordination.extensions import db


def test_demo_is_loaded(app):
    refs = set(db.session.scalars(sa.select(Directive.ref)))
    assert refs == {"570/UBND-CA", "2157/UBND-KSTT"}


def test_changes_roll_back_between_tests_part1(app):
    db.session.execute(sa.delete(Assignment).where(Assignment.id > 0))
    db.session.commit()
    assert db.session.scalar(sa.select(sa.func.count(Assignment.id))) == 0


def test_changes_roll_back_between_tests_part2(app):
    assert db.session.scalar(sa.select(sa.func.count(Assignment.id))) > 50


def test_healthz(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json()["database"] is True


def test_postgresql_connections_skip_jit(app):
    """make bench measured 20-50 ms of JIT compilation per list query; the app turns it off."""
    if db.engine.dialect.name != "postgresql":
        pytest.skip("PostgreSQL only")
    assert db.session.execute(sa.text("SHOW jit")).scalar() == "off"
    # nor parallel workers: launching them cost a list page 20-30 ms (make bench)
    assert db.session.execute(sa.text("SHOW max_parallel_workers_per_gather")).scalar() == "0"
