"""/metrics: request counts by route rule, the database's figures read at scrape time, loopback only."""

from __future__ import annotations

import socket
from datetime import UTC, date, datetime

import sqlalchemy as sa
from prometheus_client.parser import text_string_to_metric_families

from coordination.assignments.models import Assignment
from coordination.assignments.states import OPEN_STATUSES, Status, Timeliness
from coordination.directives.models import Directive, DirectiveStatus, Task
from coordination.extensions import db
from coordination.reminders.models import ReminderRun
from tests.conftest import make_test_app
from tests.factories import make_assignment
from tests.support.workflow import PDF, upload


def _samples(client, **kwargs) -> dict:  # type: ignore[no-untyped-def]
    response = client.get("/metrics", **kwargs)
    assert response.status_code == 200
    assert response.mimetype == "text/plain"
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(response.get_data(as_text=True))
        for sample in family.samples
    }


def test_a_request_is_counted_under_its_rule_and_status_class(client) -> None:
    labels = (("method", "GET"), ("route", "/app/assignment/details/"), ("status", "3xx"))
    before = _samples(client).get(("coordination_http_requests_total", labels), 0)
    assert client.get("/app/assignment/details/?id=123456").status_code == 302  # to the login page
    after = _samples(client)
    assert after[("coordination_http_requests_total", labels)] == before + 1
    assert ("coordination_http_request_duration_seconds_count", labels) in after
    # Never the raw path or query string, and an unknown path has one label for all.
    assert not [key for key in after if "123456" in str(key)]
    client.get("/no/such/page/987")
    assert not [key for key in _samples(client) if "987" in str(key)]
    assert (
        "coordination_http_requests_total",
        (("method", "GET"), ("route", "unmatched"), ("status", "4xx")),
    ) in _samples(client)


def test_open_and_overdue_assignments_are_province_totals(client) -> None:
    published = db.session.scalars(
        sa.select(Assignment)
        .join(Task, Task.id == Assignment.task_id)
        .join(Directive, Directive.id == Task.directive_id)
        .where(Directive.status != DirectiveStatus.draft)
    ).all()
    open_work = [a for a in published if a.status in OPEN_STATUSES]
    overdue = [a for a in published if a.timeliness == Timeliness.overdue]
    samples = _samples(client)
    assert samples[("coordination_database_up", ())] == 1
    assert samples[("coordination_assignments_open", ())] == len(open_work) > 0
    assert samples[("coordination_assignments_overdue", ())] == len(overdue) > 0
    assert not [key for key in samples if key[0].startswith("coordination_assignments") and key[1]]


def test_evidence_bytes_count_each_stored_file_once(client, api, store_dir) -> None:  # type: ignore[no-untyped-def]
    work = make_assignment("TN-STP", officer="justice.tayninh", status=Status.in_progress, deadline_in_days=20)
    officer = api("justice.tayninh")
    before = _samples(client)[("coordination_evidence_stored_bytes", ())]
    content = PDF + b"% metrics\n"
    assert upload(officer, work.id, (content, "a.pdf")).status_code == 201
    assert upload(officer, work.id, (content, "b.pdf")).status_code == 201  # same content, same stored file
    assert _samples(client)[("coordination_evidence_stored_bytes", ())] == before + len(content)


def test_last_reminders_run_and_email_queue(app, client) -> None:  # type: ignore[no-untyped-def]
    with socket.socket() as probe:  # a port where nothing listens: every digest fails
        probe.bind(("127.0.0.1", 0))
        dead_port = probe.getsockname()[1]
    saved = app.config["MAIL_SERVER"], app.config["MAIL_PORT"]
    app.config["MAIL_SERVER"], app.config["MAIL_PORT"] = "127.0.0.1", dead_port
    try:
        result = app.test_cli_runner().invoke(args=["reminders", "run", "--today", "2026-11-25"])
    finally:
        app.config["MAIL_SERVER"], app.config["MAIL_PORT"] = saved
    assert result.exit_code == 0, result.output
    run = db.session.scalars(sa.select(ReminderRun).order_by(ReminderRun.id.desc())).first()
    assert run is not None and run.run_for == date(2026, 11, 25)
    assert run.sent > 0 and run.emails_sent == 0 and run.emails_failed > 0
    assert f"{run.emails_failed} digest(s) not sent" in result.output
    samples = _samples(client)
    assert samples[("coordination_reminders_last_run_sent", ())] == run.sent
    assert samples[("coordination_reminders_last_run_emails_failed", ())] == run.emails_failed
    finished = samples[("coordination_reminders_last_run_timestamp_seconds", ())]
    assert abs(finished - datetime.now(UTC).timestamp()) < 600
    # The failed digests wait for the next run, one per user.
    assert samples[("coordination_email_queue_digests", ())] == run.emails_failed


def test_dry_run_is_not_a_run(app) -> None:  # type: ignore[no-untyped-def]
    result = app.test_cli_runner().invoke(args=["reminders", "run", "--today", "2026-11-25", "--dry-run"])
    assert result.exit_code == 0, result.output
    assert db.session.scalar(sa.select(sa.func.count(ReminderRun.id))) == 0


def test_only_allowed_addresses_see_metrics(client, database, tmp_path) -> None:  # type: ignore[no-untyped-def]
    assert client.get("/metrics", environ_base={"REMOTE_ADDR": "203.0.113.9"}).status_code == 404
    assert client.get("/metrics", environ_base={"REMOTE_ADDR": "::1"}).status_code == 200
    monitoring = make_test_app(str(tmp_path), database, METRICS_ALLOWED_IPS="10.8.0.0/24, 127.0.0.1")
    assert monitoring.test_client().get("/metrics", environ_base={"REMOTE_ADDR": "10.8.0.20"}).status_code == 200
    assert monitoring.test_client().get("/metrics", environ_base={"REMOTE_ADDR": "10.8.1.20"}).status_code == 404
    with monitoring.app_context():
        db.engine.dispose()


def test_request_metrics_are_served_while_the_database_is_down(tmp_path) -> None:  # type: ignore[no-untyped-def]
    app = make_test_app(str(tmp_path), "postgresql+psycopg://coordination@127.0.0.1:1/coordination")
    client = app.test_client()
    client.get("/login")  # answered without the database
    samples = _samples(client)
    assert samples[("coordination_database_up", ())] == 0
    assert ("coordination_assignments_open", ()) not in samples
    labels = (("method", "GET"), ("route", "/login"), ("status", "2xx"))
    assert samples[("coordination_http_requests_total", labels)] >= 1
