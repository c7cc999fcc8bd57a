"""The app under gunicorn with deploy/gunicorn.conf.py and two workers: /metrics sums the workers, and every
line gunicorn and the app write is JSON with the request id the response returned, and nothing secret."""

from __future__ import annotations

import http.cookiejar
import io
import json
import re
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from prometheus_client.parser import text_string_to_metric_families
from werkzeug.datastructures import FileStorage, MultiDict
from werkzeug.test import encode_multipart

from coordination.extensions import db
from tests.conftest import DEMO_PASSWORD, assignment_of, empty_database, make_test_app, migrate_and_load_demo
from tests.support.gunicorn import free_port, server_env, serving
from tests.support.workflow import PDF

CONTENT_MARKER = b"evidence-content-0c4d9a11"


class Server:
    def __init__(self, base: str, log: Path, metrics_dir: Path, work_id: int) -> None:
        self.work_id = work_id
        self.base = base
        self.log = log
        self.metrics_dir = metrics_dir
        self.cookies = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.cookies))

    def request(
        self, path: str, *, data: bytes | None = None, headers: dict[str, str] | None = None, method: str | None = None
    ) -> tuple[int, dict[str, str], bytes]:
        req = urllib.request.Request(self.base + path, data=data, headers=headers or {}, method=method)  # noqa: S310 - http to our own server
        try:
            with self.opener.open(req, timeout=30) as response:
                return response.status, dict(response.headers), response.read()
        except urllib.error.HTTPError as error:
            return error.code, dict(error.headers), error.read()


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    tmp = tmp_path_factory.mktemp("gunicorn")
    with empty_database(tmp, "gunicorn") as url:
        app = make_test_app(str(tmp), url)
        migrate_and_load_demo(app)
        with app.app_context():
            work_id = assignment_of("2157/UBND-KSTT", "5", "TN-STP").id  # justice.tayninh's, in progress
            db.session.remove()
            db.engine.dispose()
        port = free_port()
        env = server_env(url, tmp, port, "gunicorn-test-secret")
        log = tmp / "gunicorn.log"
        with serving(env, log, port):
            yield Server(f"http://127.0.0.1:{port}", log, tmp / "metrics", work_id)


def _samples(server: Server) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    status, _headers, body = server.request("/metrics")
    assert status == 200
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(body.decode())
        for sample in family.samples
    }


def test_metrics_sum_the_requests_of_both_workers(server: Server) -> None:
    with ThreadPoolExecutor(max_workers=4) as pool:
        statuses = list(pool.map(lambda _: server.request("/api/v1/openapi.json")[0], range(20)))
    assert statuses == [200] * 20
    samples = _samples(server)
    labels = (("method", "GET"), ("route", "/api/v1/openapi.json"), ("status", "2xx"))
    assert samples[("coordination_http_requests_total", labels)] == 20
    assert samples[("coordination_http_request_duration_seconds_count", labels)] == 20
    assert samples[("coordination_http_request_duration_seconds_bucket", (("le", "+Inf"), *labels))] == 20
    assert samples[("coordination_http_request_duration_seconds_sum", labels)] > 0
    # The two workers' files, summed by the scrape.
    assert len(list(server.metrics_dir.glob("counter_*.db"))) >= 1
    assert samples[("coordination_assignments_open", ())] > 0


def test_a_journey_writes_json_lines_with_the_returned_ids_and_no_secret(server: Server) -> None:
    ids = []
    status, headers, body = server.request("/login")
    assert status == 200
    ids.append(headers["X-Request-ID"])
    token = re.search(rb'name="csrf_token" type="hidden" value="([^"]+)"', body).group(1).decode()
    form = f"csrf_token={token}&username=justice.tayninh&password={DEMO_PASSWORD}".encode()
    status, headers, _ = server.request(
        "/login", data=form, headers={"Content-Type": "application/x-www-form-urlencoded", "X-Request-ID": "from-nginx"}
    )
    assert status == 200  # urllib followed the redirect: the last answer's id is returned
    session_cookie = next(cookie.value for cookie in server.cookies if cookie.name == "session")

    status, headers, body = server.request(
        "/api/v1/tokens",
        data=json.dumps({"username": "justice.tayninh", "password": DEMO_PASSWORD}).encode(),
        headers={"Content-Type": "application/json"},
    )
    assert status == 201, body
    api_token = json.loads(body)["token"]
    ids.append(headers["X-Request-ID"])
    bearer = {"Authorization": f"Bearer {api_token}"}
    status, headers, body = server.request(f"/api/v1/assignments/{server.work_id}", headers=bearer)
    assert status == 200, body
    ids.append(headers["X-Request-ID"])
    boundary, payload = encode_multipart(
        MultiDict([("file", FileStorage(io.BytesIO(PDF + b"%" + CONTENT_MARKER), filename="bc.pdf"))])
    )
    status, headers, body = server.request(
        f"/api/v1/assignments/{server.work_id}/evidence",
        data=payload,
        headers={**bearer, "Content-Type": f'multipart/form-data; boundary="{boundary}"'},
    )
    assert status == 201, body
    ids.append(headers["X-Request-ID"])

    time.sleep(0.5)  # gunicorn writes the access line after the response
    text = server.log.read_text()
    for secret in (DEMO_PASSWORD, api_token, session_cookie, CONTENT_MARKER.decode()):
        assert secret not in text
    lines = [json.loads(line) for line in text.splitlines()]
    assert all({"time", "level", "message"} <= line.keys() for line in lines)
    access = [line for line in lines if line["logger"] == "gunicorn.access"]
    app_lines = [line for line in lines if line["logger"] == "coordination.requests"]
    for request_id in [*ids, "from-nginx"]:
        assert [line["route"] for line in access if line["request_id"] == request_id]
        assert [line["route"] for line in app_lines if line["request_id"] == request_id]
    posted = next(line for line in access if line["request_id"] == "from-nginx")
    assert (posted["method"], posted["route"], posted["status"]) == ("POST", "/login", 302)
    uploaded = next(line for line in access if line["request_id"] == ids[-1])
    assert uploaded["route"] == "/api/v1/assignments/<int(max=2147483647):assignment_id>/evidence"
    assert uploaded["status"] == 201 and uploaded["user_id"] is not None and uploaded["duration_ms"] > 0
    assert not [line for line in access if line["route"] in ("/readyz", "/metrics", "/healthz")]
