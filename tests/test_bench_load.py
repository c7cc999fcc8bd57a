"""bench/load.py writes the audit events a province would have, chained so that `audit verify` passes.

A data set of 40 directives (gen_dataset.py, default --today and --seed: 2,994 assignments, 7,694 progress
updates) is loaded into a database of its own: SQLite in a temporary file, or, when TEST_DATABASE_URL is set,
the PostgreSQL database named after the test database with `_benchload` appended (the loader drops and
re-creates it, so it is never the test database itself).
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import Flask

from bench import load as loader
from coordination.audit import AuditEvent, verify_chain
from coordination.extensions import db
from tests.conftest import database_url, make_test_app, replace_database

ROOT = Path(__file__).resolve().parent.parent
LOCAL = timezone(timedelta(hours=7))


def _bench_url(tmp_dir: Path) -> str:
    import os

    url = os.environ.get("TEST_DATABASE_URL")
    if not url:
        return f"sqlite:///{tmp_dir}/bench.db"
    parsed = sa.engine.make_url(loader.normalise_url(url))
    return parsed.set(database=f"{parsed.database}_benchload").render_as_string(hide_password=False)


@pytest.fixture(scope="module")
def bench_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    """The app on a database freshly loaded by bench/load.py from 40 directives."""
    tmp_dir = tmp_path_factory.mktemp("bench")
    data = tmp_dir / "data"
    subprocess.run(  # noqa: S603 - the project's own script, run by this interpreter
        [sys.executable, str(ROOT / "bench" / "gen_dataset.py"), str(data), "--directives", "40"],
        check=True,
        capture_output=True,
    )
    url = _bench_url(tmp_dir)
    result = loader.load(url, data, force=True, log=lambda _line: None)
    assert result["counts"]["progress_update"] == 7694
    assert result["counts"]["audit_event"] == 9896
    app = make_test_app(str(tmp_dir), loader.normalise_url(url))
    yield app
    with app.app_context():
        db.engine.dispose()
    if url.startswith("postgresql"):  # not left behind on the machine (a file of SQLite goes with tmp_dir)
        replace_database(database_url(str(tmp_dir)), sa.engine.make_url(url).database, create=False)


def test_events_by_action(bench_app: Flask) -> None:
    with bench_app.app_context():
        counts = dict(
            db.session.execute(sa.select(AuditEvent.action, sa.func.count()).group_by(AuditEvent.action)).all()
        )
    # one per progress update (7,694 = 2,822 starts + 2,436 notes + 2,436 reports), one acceptance per update
    # that jumps to done (2,122), two per directive
    assert counts == {
        "assignment.start": 2822,
        "assignment.progress": 2436,
        "assignment.report_done": 2436,
        "assignment.accept": 2122,
        "directive.create": 40,
        "directive.activate": 40,
    }


def test_each_update_has_its_event(bench_app: Flask) -> None:
    """Every progress update: an event of its assignment, by its author, at its time, with the action of its move."""
    expected_action = {
        ("not_started", "in_progress"): "assignment.start",
        (None, None): "assignment.progress",
        ("in_progress", "reported_done"): "assignment.report_done",
        ("in_progress", "done"): "assignment.report_done",  # then the monitor's assignment.accept
    }
    with bench_app.app_context():
        updates = db.session.execute(
            sa.text(
                "SELECT p.assignment_id, a.directive_id, p.author_id, p.created_at, p.status_from, p.status_to, p.note"
                " FROM progress_update p JOIN assignment a ON a.id = p.assignment_id ORDER BY p.id"
            )
        ).all()
        events = db.session.scalars(
            sa.select(AuditEvent).where(AuditEvent.assignment_id.is_not(None), AuditEvent.actor_id.is_not(None))
        ).all()
        by_key = {(e.assignment_id, e.actor_id, e.occurred_at, e.action): e for e in events}
        assert len(updates) == 7694
        for update in updates:
            created_at = update.created_at
            if isinstance(created_at, str):  # SQLite's text
                created_at = datetime.fromisoformat(created_at).replace(tzinfo=UTC)
            action = expected_action[(update.status_from, update.status_to)]
            event = by_key[(update.assignment_id, update.author_id, created_at, action)]
            assert event.entity_type == "assignment"
            assert event.entity_id == update.assignment_id
            assert event.directive_id == update.directive_id
            assert event.after["note"] == update.note


def test_one_assignment_history(bench_app: Flask) -> None:
    """Assignment 2 (agency 28's, done): started, a note, reported done by its agency, accepted by the police."""
    with bench_app.app_context():
        rows = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.assignment_id == 2).order_by(AuditEvent.id))
        history = [(e.action, e.actor_id, e.actor_label, e.occurred_at.astimezone(LOCAL).isoformat()) for e in rows]
        assert history == [
            ("assignment.start", 28, "ubnd-h02", "2023-11-26T09:00:00+07:00"),
            ("assignment.progress", 28, "ubnd-h02", "2023-12-01T10:00:00+07:00"),
            ("assignment.report_done", 28, "ubnd-h02", "2023-12-06T11:00:00+07:00"),
            ("assignment.accept", 2, "ca", "2023-12-06T11:00:00+07:00"),
        ]
        last = db.session.scalar(
            sa.select(AuditEvent).where(AuditEvent.assignment_id == 2).order_by(AuditEvent.id.desc())
        )
        assert last.before == {
            "status": "reported_done",
            "progress_percent": 100,
            "deadline": "2023-12-02",
            "reported_done_on": "2023-11-29",
            "completed_on": None,
        }
        assert last.after == {
            "status": "done",
            "progress_percent": 100,
            "deadline": "2023-12-02",
            "reported_done_on": "2023-11-29",
            "completed_on": "2023-11-29",
            "note": "",
        }


def test_histories_end_where_the_assignments_are(bench_app: Flask) -> None:
    """The last event of each assignment with updates leaves it with the loaded row's status, percentage and dates."""
    with bench_app.app_context():
        last_ids = (
            sa.select(sa.func.max(AuditEvent.id))
            .where(AuditEvent.assignment_id.is_not(None))
            .group_by(AuditEvent.assignment_id)
            .scalar_subquery()
        )
        finals = {
            e.assignment_id: e.after
            for e in db.session.scalars(sa.select(AuditEvent).where(AuditEvent.id.in_(last_ids)))
        }
        rows = db.session.execute(
            sa.text("SELECT id, status, progress_percent, reported_done_on, completed_on FROM assignment")
        ).all()
        loaded = {
            r.id: {
                "status": r.status,
                "progress_percent": r.progress_percent,
                "reported_done_on": str(r.reported_done_on) if r.reported_done_on else None,
                "completed_on": str(r.completed_on) if r.completed_on else None,
            }
            for r in rows
            if r.id in finals
        }
    assert len(finals) == 2822  # every assignment with an update starts once
    assert {i: {k: after[k] for k in loaded[i]} for i, after in finals.items()} == loaded


def test_chain_verifies(bench_app: Flask) -> None:
    with bench_app.app_context():
        assert verify_chain(batch_size=500) == (9896, None)
        first, last = db.session.execute(sa.select(sa.func.min(AuditEvent.id), sa.func.max(AuditEvent.id))).one()
        assert (first, last) == (1, 9896)
        times = db.session.scalars(sa.select(AuditEvent.occurred_at).order_by(AuditEvent.id)).all()
        assert times == sorted(times)  # ids follow time, as live appends do


def test_history_api(bench_app: Flask) -> None:
    client = bench_app.test_client()
    response = client.post("/api/v1/tokens", json={"username": "ubnd-h02", "password": loader.BENCH_PASSWORD})
    assert response.status_code == 201, response.get_data(as_text=True)
    headers = {"Authorization": f"Bearer {response.get_json()['token']}"}
    response = client.get("/api/v1/assignments/2/history", headers=headers)
    assert response.status_code == 200, response.get_data(as_text=True)
    items = response.get_json()["items"]
    assert [item["action"] for item in items] == [
        "assignment.accept",
        "assignment.report_done",
        "assignment.progress",
        "assignment.start",
    ]
    assert items[-1]["after"]["note"] == "Đã triển khai đến các đơn vị trực thuộc."
