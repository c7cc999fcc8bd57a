"""Exports too big for a request (issue 14): a job on a real RQ queue on Redis (database 5), made by a worker run
in-process in burst mode; the page follows it (303, progress, download), the API answers 202 and a job URL."""

from __future__ import annotations

import io
from datetime import timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient
from openpyxl import load_workbook
from redis import Redis
from rq import Queue

from coordination.audit import AuditEvent
from coordination.auth.models import Role
from coordination.db import utcnow
from coordination.extensions import db
from coordination.jobs.cli import SimpleExportWorker
from coordination.jobs.models import ExportJob, JobStatus
from coordination.jobs.operations import purge_exports
from coordination.jobs.queue import QUEUE_NAME
from tests.conftest import DEMO_PASSWORD, directive, get_user, make_test_app
from tests.support.api import ApiClient, assert_problem
from tests.support.redis import REDIS_URL

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
#: the demo's 2157/UBND-KSTT: its report reads this many assignments (lead and coordinating)
ROWS_2157 = 64


@pytest.fixture(scope="module")
def queue_app(database: str, tmp_path_factory: pytest.TempPathFactory) -> Flask:
    """The test database, a queue on Redis database 5, and any report over 5 assignments counted as big."""
    tmp = tmp_path_factory.mktemp("jobs")
    return make_test_app(str(tmp), database, REDIS_URL=REDIS_URL, EXPORT_SYNC_MAX_ROWS=5, EXPORT_DIR=str(tmp / "x"))


@pytest.fixture
def qclient(app: Flask, queue_app: Flask, redis: Redis) -> FlaskClient:
    # `app` puts the test inside the rolled-back transaction that queue_app's requests share.
    return queue_app.test_client()


def web_login(client: FlaskClient, username: str) -> FlaskClient:
    response = client.post("/login", data={"username": username, "password": DEMO_PASSWORD})
    assert response.status_code in (302, 303)
    return client


def api_client(client: FlaskClient, username: str) -> ApiClient:
    response = client.post("/api/v1/tokens", json={"username": username, "password": DEMO_PASSWORD})
    assert response.status_code == 201, response.get_data(as_text=True)
    return ApiClient(client, response.get_json()["token"])


def work(queue_app: Flask, redis: Redis) -> None:
    """Run RQ's worker (SimpleWorker) in this process until the queue is empty."""
    with queue_app.app_context():
        SimpleExportWorker([Queue(QUEUE_NAME, connection=redis)], connection=redis).work(burst=True)


def job_row(job_id: int) -> ExportJob:
    db.session.expire_all()
    return db.session.get(ExportJob, job_id)


def fetched(client: ApiClient, url: str) -> int:
    """GET a file and close it; its status."""
    response = client.get(url)
    response.close()
    return response.status_code


def detail_rows(content: bytes) -> list[tuple]:
    book = load_workbook(io.BytesIO(content), read_only=True)
    rows = list(book["Chi tiết"].iter_rows(min_row=5, values_only=True))
    return [row for row in rows if row and row[0] is not None]


def test_a_big_export_from_the_page_goes_to_the_worker_and_comes_back_as_a_file(qclient, queue_app, redis):
    web_login(qclient, "office.tayninh")
    report = directive("2157/UBND-KSTT")
    response = qclient.get(f"/app/reports/compliance?directive={report.id}&format=xlsx")
    assert response.status_code == 303
    job_id = int(response.headers["Location"].rstrip("/").rsplit("/", 1)[1])
    assert response.headers["Location"].endswith(f"/app/reports/jobs/{job_id}")
    # on the queue: only the job's id
    queued = Queue(QUEUE_NAME, connection=redis).jobs
    assert [(j.id, j.args) for j in queued] == [(f"export-{job_id}", (job_id,))]
    page = qclient.get(f"/app/reports/jobs/{job_id}").get_data(as_text=True)
    assert "Đang chờ xử lý" in page and "Làm mới" in page and "data-export-job" in page
    event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "report.export"))
    assert event.entity_id == job_id and event.actor_id == get_user("office.tayninh").id

    work(queue_app, redis)

    job = job_row(job_id)
    assert (job.status, job.progress_done, job.progress_total) == (JobStatus.done, ROWS_2157, ROWS_2157)
    assert job.file_name.startswith("bao-cao-2157-ubnd-kstt-") and job.file_name.endswith(".xlsx")
    state = qclient.get(f"/app/reports/jobs/{job_id}/state").get_json()
    assert state["status"] == "done" and state["progress"]["percent"] == 100.0
    assert state["progress"]["text"] == f"đã xử lý {ROWS_2157}/{ROWS_2157} việc"
    assert state["file_url"] == f"/app/reports/jobs/{job_id}/file"
    page = qclient.get(f"/app/reports/jobs/{job_id}").get_data(as_text=True)
    assert "Đã xong" in page and f"/app/reports/jobs/{job_id}/file" in page
    download = qclient.get(state["file_url"])
    assert download.status_code == 200 and download.mimetype == XLSX
    assert download.headers["Content-Disposition"].startswith("attachment")
    rows = detail_rows(download.data)
    download.close()
    assert len(rows) == ROWS_2157
    assert {row[1] for row in rows} == {"2157/UBND-KSTT"}
    # the worker recorded the report as generated, by the user who asked
    generated = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "report.generate"))
    assert generated.actor_id == get_user("office.tayninh").id and generated.after["format"] == "xlsx"
    # the reports page lists it
    listing = qclient.get("/app/reports/").get_data(as_text=True)
    assert "Báo cáo đã yêu cầu xuất gần đây" in listing and f"/app/reports/jobs/{job_id}/file" in listing


def test_only_the_requester_and_admins_see_a_job(qclient, queue_app, redis):
    asking = api_client(qclient, "office.tayninh")
    report = directive("2157/UBND-KSTT")
    response = asking.get(f"/api/v1/reports/compliance?directive={report.id}&format=xlsx")
    assert response.status_code == 202
    job_id = response.get_json()["id"]
    work(queue_app, redis)
    assert fetched(asking, f"/api/v1/jobs/{job_id}/file") == 200
    other = api_client(qclient, "monitor.tayninh")
    assert_problem(other.get(f"/api/v1/jobs/{job_id}"), 403)
    assert_problem(other.get(f"/api/v1/jobs/{job_id}/file"), 403)
    assert_problem(other.get(f"/api/v1/jobs/{job_id + 1000}"), 404)
    admin = api_client(qclient, "admin")
    assert fetched(admin, f"/api/v1/jobs/{job_id}/file") == 200
    web = queue_app.test_client()
    web_login(web, "monitor.tayninh")
    assert web.get(f"/app/reports/jobs/{job_id}").status_code == 403
    assert web.get(f"/app/reports/jobs/{job_id}/file").status_code == 403


def test_the_api_answers_202_with_the_job_then_the_file(qclient, queue_app, redis):
    office = api_client(qclient, "office.tayninh")
    report = directive("2157/UBND-KSTT")
    response = office.get(f"/api/v1/reports/compliance?directive={report.id}&format=xlsx")
    assert response.status_code == 202
    body = response.get_json()
    assert response.headers["Location"] == f"/api/v1/jobs/{body['id']}"
    assert body["status"] == "queued" and body["links"] == {"self": f"/api/v1/jobs/{body['id']}", "file": None}
    assert_problem(office.get(f"/api/v1/jobs/{body['id']}/file"), 409)

    # the command of the README (in-process, --simple: a forked child would share the test's connection)
    with queue_app.app_context():
        result = queue_app.test_cli_runner().invoke(args=["jobs", "worker", "--burst", "--simple"])
    assert result.exit_code == 0, result.output

    state = office.get(f"/api/v1/jobs/{body['id']}").get_json()
    assert state["status"] == "done"
    assert state["progress"] == {
        "done": ROWS_2157,
        "total": ROWS_2157,
        "percent": 100.0,
        "text": f"đã xử lý {ROWS_2157}/{ROWS_2157} việc",
    }
    assert state["links"]["file"] == f"/api/v1/jobs/{body['id']}/file"
    file = office.get(state["links"]["file"])
    assert file.status_code == 200 and file.mimetype == XLSX
    assert len(detail_rows(file.data)) == ROWS_2157
    file.close()


def test_a_failing_job_is_marked_failed_with_its_message(qclient, queue_app, redis):
    office = api_client(qclient, "office.tayninh")
    report = directive("2157/UBND-KSTT")
    job_id = office.get(f"/api/v1/reports/compliance?directive={report.id}&format=pdf").get_json()["id"]
    # between the request and the work, the user stops being a reporter
    get_user("office.tayninh").role = Role.officer
    db.session.commit()
    work(queue_app, redis)
    job = job_row(job_id)
    assert job.status == JobStatus.failed and job.finished_at is not None and job.file_key is None
    assert job.error == "Chỉ Văn phòng UBND, cơ quan theo dõi và quản trị viên được lập báo cáo."
    admin = api_client(qclient, "admin")
    state = admin.get(f"/api/v1/jobs/{job_id}").get_json()
    assert state["status"] == "failed" and state["error"] == job.error
    assert_problem(admin.get(f"/api/v1/jobs/{job_id}/file"), 409)


def test_a_small_export_stays_in_the_request(qclient, queue_app, redis):
    office = api_client(qclient, "office.tayninh")
    report = directive("2157/UBND-KSTT")
    # one agency's lead work in this directive: under the 5 rows of the test's limit
    response = office.get(f"/api/v1/reports/compliance?directive={report.id}&agency=TN-STP&role=lead&format=xlsx")
    assert response.status_code == 200 and response.mimetype == XLSX
    assert Queue(QUEUE_NAME, connection=redis).count == 0
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ExportJob)) == 0


def test_without_a_queue_every_export_stays_in_the_request(app, client, redis):
    response = client.post("/api/v1/tokens", json={"username": "office.tayninh", "password": DEMO_PASSWORD})
    office = ApiClient(client, response.get_json()["token"])
    report = directive("2157/UBND-KSTT")
    response = office.get(f"/api/v1/reports/compliance?directive={report.id}&format=xlsx")
    assert response.status_code == 200 and response.mimetype == XLSX
    assert len(detail_rows(response.data)) == ROWS_2157
    assert Queue(QUEUE_NAME, connection=redis).count == 0


def test_a_queue_that_does_not_answer_leaves_the_export_in_the_request(app, database, tmp_path):
    down = make_test_app(str(tmp_path), database, REDIS_URL="redis://127.0.0.1:1/0", EXPORT_SYNC_MAX_ROWS=5)
    client = down.test_client()
    office = api_client(client, "office.tayninh")
    report = directive("2157/UBND-KSTT")
    response = office.get(f"/api/v1/reports/compliance?directive={report.id}&format=xlsx")
    assert response.status_code == 200 and response.mimetype == XLSX


def test_an_expired_export_is_gone_and_purge_removes_its_file(qclient, queue_app, redis):
    office = api_client(qclient, "office.tayninh")
    report = directive("2157/UBND-KSTT")
    job_id = office.get(f"/api/v1/reports/compliance?directive={report.id}&format=csv").get_json()["id"]
    work(queue_app, redis)
    job = job_row(job_id)
    stored = Path(queue_app.config["EXPORT_DIR"]) / job.file_key[:2] / job.file_key[2:4] / job.file_key
    assert stored.is_file() and stored.stat().st_size == job.file_size
    job.expires_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    assert_problem(office.get(f"/api/v1/jobs/{job_id}/file"), 410)
    assert office.get(f"/api/v1/jobs/{job_id}").get_json()["expired"] is True
    with queue_app.app_context():
        result = queue_app.test_cli_runner().invoke(args=["jobs", "purge"])
    assert result.exit_code == 0 and "files removed 1" in result.output, result.output
    assert not stored.exists()
    assert job_row(job_id).file_key is None
    assert_problem(office.get(f"/api/v1/jobs/{job_id}/file"), 410)
    with queue_app.app_context():
        assert purge_exports() == (0, 0)


def test_a_rolled_back_request_leaves_nothing_on_the_queue(qclient, queue_app, redis):
    from coordination.jobs.operations import request_export

    with queue_app.app_context():
        request_export({"directive": directive("2157/UBND-KSTT").id}, "xlsx", actor=get_user("office.tayninh"))
        db.session.rollback()
    assert Queue(QUEUE_NAME, connection=redis).count == 0
