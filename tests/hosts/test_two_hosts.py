"""Two app servers on one database (issue 14, "beyond one machine"): two gunicorn instances on two ports, as two
hosts behind a load balancer would be, each with its own temporary and metrics directories, sharing only the
settings (SECRET_KEY, DATABASE_URL), the database and the evidence store (a directory both read, standing in for
the S3 bucket of EVIDENCE_STORE=s3).

Proven here: a web session opened on one host is valid on the other and a logout on one ends it on the other; a
new password ends the user's sessions and tokens on both;
a token made on one works on the other and its revocation is refused there at once; a file checked for import on
one is imported on the other; the login limit counts the failures made on both; progress notes written by threads
that read on one host and write on the other, racing on a few assignments, give no 5xx and exactly the notes the
201s acknowledged (none lost, none doubled).
PostgreSQL when TEST_DATABASE_URL is set; else a SQLite file in WAL mode (one machine's two processes), without
the write race, which SQLite's single writer cannot serve from two processes.
"""

from __future__ import annotations

import http.client
import io
import json
import os
import random
import re
import sqlite3
import subprocess
import threading
import time
import urllib.parse
import uuid
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from werkzeug.datastructures import FileStorage, MultiDict
from werkzeug.test import encode_multipart

from coordination.assignments.models import ProgressUpdate
from coordination.extensions import db
from tests.conftest import DEMO_PASSWORD, empty_database, make_test_app, migrate_and_load_demo
from tests.factories import make_assignment
from tests.onboarding import files
from tests.support.gunicorn import free_port, server_env, start, stop, wait_ready

pytestmark = pytest.mark.hosts

#: the officer who writes progress notes, and its agency
WRITER, WRITER_AGENCY = "education.tayninh", "TN-SGDDT"
#: seconds the write scenario runs at least (longer, up to WRITE_LIMIT, until it has real work and real races);
#: threads racing on a handful of assignments
WRITE_SECONDS, WRITE_LIMIT, WRITE_THREADS = 5, 20, 6


@dataclass
class Hosts:
    ports: tuple[int, int]
    url: str
    #: WRITER's open assignments
    open_ids: list[int]
    logs: list[Path]

    def log_text(self) -> str:
        return "\n".join(p.read_text(errors="replace")[-3000:] for p in self.logs)


@dataclass
class Browser:
    """One user agent: its cookies go to both hosts, as a browser's go to whichever host the balancer picks."""

    cookies: dict[str, str] = field(default_factory=dict)
    connections: dict[int, http.client.HTTPConnection] = field(default_factory=dict)

    def request(
        self,
        port: int,
        method: str,
        path: str,
        *,
        form: dict[str, str] | None = None,
        body: Any = None,
        upload: tuple[str, bytes] | None = None,
        headers: dict[str, str] | None = None,
    ) -> tuple[int, dict[str, str], bytes]:
        headers = dict(headers or {})
        data = None
        if upload is not None:  # a `file` beside the form's fields, as multipart/form-data
            name, content = upload
            parts = MultiDict([("file", FileStorage(io.BytesIO(content), filename=name)), *(form or {}).items()])
            boundary, data = encode_multipart(parts)
            headers["Content-Type"] = f'multipart/form-data; boundary="{boundary}"'
        elif form is not None:
            data = urllib.parse.urlencode(form).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        elif body is not None:
            data = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        connection = self.connections.get(port) or http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        self.connections[port] = connection
        connection.request(method, path, body=data, headers=headers)
        response = connection.getresponse()
        payload = response.read()
        for name, value in response.getheaders():
            if name.lower() == "set-cookie":
                key, _sep, rest = value.partition("=")
                self.cookies[key] = rest.split(";", 1)[0]
        return response.status, {k.lower(): v for k, v in response.getheaders()}, payload

    def login(self, port: int, username: str, password: str = DEMO_PASSWORD) -> int:
        _status, _headers, page = self.request(port, "GET", "/login")
        status, _headers, _body = self.request(
            port, "POST", "/login", form={"username": username, "password": password, "csrf_token": _csrf(page)}
        )
        return status

    def csrf(self, port: int, path: str) -> str:
        return _csrf(self.request(port, "GET", path)[2])

    def close(self) -> None:
        for connection in self.connections.values():
            connection.close()


def _csrf(page: bytes) -> str:
    match = re.search(rb'name="csrf_token" type="hidden" value="([^"]+)"', page) or re.search(
        rb'name="csrf_token" value="([^"]+)"', page
    )
    assert match, page[:500]
    return match[1].decode()


def _start(port: int, url: str, tmp: Path, name: str) -> tuple[subprocess.Popen, Path]:
    own = tmp / name  # what is per host: temporary files, metrics, logs
    own.mkdir()
    env = server_env(
        url,
        tmp,
        port,
        "two-hosts-shared-secret",
        TMPDIR=str(own),
        PROMETHEUS_MULTIPROC_DIR=str(own / "metrics"),
        GUNICORN_THREADS="2",
        LOG_LEVEL="warning",
    )
    log = own / "gunicorn.log"
    return start(env, log), log


@pytest.fixture(scope="module")
def hosts(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Hosts]:
    tmp = tmp_path_factory.mktemp("hosts")
    with empty_database(tmp, "hosts") as url:
        app = make_test_app(str(tmp), url)
        migrate_and_load_demo(app)
        if url.startswith("sqlite"):
            # Two processes write one file: WAL lets readers go on while one writes (it stays set in the file).
            connection = sqlite3.connect(sa.make_url(url).database)
            connection.execute("PRAGMA journal_mode=WAL")
            connection.close()
        with app.app_context():
            # Four open assignments of one agency, for the write scenario's threads to race on.
            open_ids = [make_assignment(WRITER_AGENCY, officer=WRITER).id for _ in range(4)]
            db.session.commit()
            db.session.remove()
            db.engine.dispose()
        ports = (free_port(), free_port())
        started = [_start(port, url, tmp, f"host{i}") for i, port in enumerate(ports)]
        try:
            for port, (process, log) in zip(ports, started, strict=True):
                wait_ready(port, process, log)
            yield Hosts(ports, url, open_ids, [log for _process, log in started])
        finally:
            stop(*(process for process, _log in started))


@pytest.fixture
def browser() -> Iterator[Any]:
    """Make browsers (Browser()); their connections are closed after the test."""
    made: list[Browser] = []

    def _make() -> Browser:
        made.append(Browser())
        return made[-1]

    yield _make
    for one in made:
        one.close()


def test_a_session_opened_on_one_host_is_valid_on_the_other_and_a_logout_ends_it_there(hosts: Hosts, browser) -> None:  # type: ignore[no-untyped-def]
    a, b = hosts.ports
    first, second = browser(), browser()
    assert first.login(a, "monitor.tamdiep") == 302
    assert second.login(b, "monitor.tamdiep") == 302
    status, _headers, page = first.request(b, "GET", "/app/")
    assert status == 200, page[:300]
    assert b"monitor.tamdiep" in page or "Công an thành phố Tam Điệp".encode() in page
    # A form rendered by one host posts to the other: the CSRF token is in the shared signed session.
    assert first.request(b, "POST", "/logout", form={"csrf_token": first.csrf(a, "/app/")})[0] == 302
    # Logging out ends every session of the user: the second browser, on host A, is signed out too.
    status, headers, _body = second.request(a, "GET", "/app/")
    assert status == 302
    assert "/login" in headers["location"]


def test_a_new_password_ends_the_sessions_and_tokens_held_on_both_hosts(hosts: Hosts, browser, tmp_path) -> None:  # type: ignore[no-untyped-def]
    a, b = hosts.ports
    on_a, on_b = browser(), browser()
    assert on_a.login(a, "justice2.tayninh") == 302
    assert on_b.login(b, "justice2.tayninh") == 302
    status, _headers, body = on_b.request(
        b, "POST", "/api/v1/tokens", body={"username": "justice2.tayninh", "password": DEMO_PASSWORD}
    )
    auth = {"Authorization": f"Bearer {json.loads(body)['token']}"}
    assert on_b.request(a, "GET", "/api/v1/me", headers=auth)[0] == 200
    # The operator changes the password from a third machine's shell: the same database, no request to either host.
    operator = make_test_app(str(tmp_path), hosts.url)
    result = operator.test_cli_runner().invoke(
        args=["users", "set-password", "justice2.tayninh", "--password", "mat-khau-moi-2026"]
    )
    assert result.exit_code == 0, result.output
    with operator.app_context():
        db.engine.dispose()
    for who, port in ((on_a, a), (on_a, b), (on_b, a), (on_b, b)):
        status, headers, _body = who.request(port, "GET", "/app/")
        assert (status, "/login" in headers.get("location", "")) == (302, True)
    assert on_b.request(a, "GET", "/api/v1/me", headers=auth)[0] == 401
    assert on_b.request(b, "GET", "/api/v1/me", headers=auth)[0] == 401
    assert browser().login(b, "justice2.tayninh", "mat-khau-moi-2026") == 302


def test_a_token_made_on_one_host_works_on_the_other_and_its_revocation_is_refused_there_at_once(
    hosts: Hosts,
    browser,  # type: ignore[no-untyped-def]
) -> None:
    a, b = hosts.ports
    client = browser()
    status, _headers, body = client.request(
        a, "POST", "/api/v1/tokens", body={"username": "office.tamdiep", "password": DEMO_PASSWORD}
    )
    assert status == 201, body
    auth = {"Authorization": f"Bearer {json.loads(body)['token']}"}
    status, _headers, body = client.request(b, "GET", "/api/v1/me", headers=auth)
    assert (status, json.loads(body)["username"]) == (200, "office.tamdiep")
    assert client.request(a, "DELETE", "/api/v1/tokens/current", headers=auth)[0] == 204
    assert client.request(b, "GET", "/api/v1/me", headers=auth)[0] == 401
    assert client.request(a, "GET", "/api/v1/me", headers=auth)[0] == 401


def test_a_file_checked_on_one_host_is_imported_on_the_other(hosts: Hosts, browser) -> None:  # type: ignore[no-untyped-def]
    a, b = hosts.ports
    admin = browser()
    assert admin.login(a, "admin") == 302
    agencies = files.csv_file(files.AGENCY_HEADERS, files.province_agencies()[:3])
    status, _headers, page = admin.request(
        a,
        "POST",
        "/app/onboarding/check",
        form={"csrf_token": admin.csrf(a, "/app/onboarding/")},
        upload=("cq.csv", agencies),
    )
    assert status == 200, page[:500]
    upload_id = re.search(rb'name="upload_id" type="hidden" value="([0-9a-f]{32})"', page)[1].decode()
    # The checked file waits beside the evidence (a directory both hosts share here, or the S3 bucket), not in
    # host A's temporary directory, which host B does not see.
    status, _headers, page = admin.request(
        b,
        "POST",
        "/app/onboarding/confirm",
        form={"csrf_token": admin.csrf(b, "/app/onboarding/"), "upload_id": upload_id},
    )
    assert status == 200, page[:500]
    text = " ".join(re.sub(r"<[^>]+>", " ", page.decode()).split())
    assert "Đã nhập cq.csv: cơ quan 3 mới, 0 cập nhật, 0 không đổi;" in text, text


def test_the_login_limit_counts_the_failures_made_on_both_hosts(hosts: Hosts, browser) -> None:  # type: ignore[no-untyped-def]
    a, b = hosts.ports
    client = browser()
    tries = [a, b, a, b, a]  # LOGIN_MAX_FAILURES = 5, spread over the two hosts
    for port in tries:
        status, _headers, _body = client.request(
            port, "POST", "/api/v1/tokens", body={"username": "bacson2.tamdiep", "password": "wrong-password!"}
        )
        assert status == 401
    # The right password is refused now, on either host: the count is the database's, not a process's.
    for port in (b, a):
        status, headers, _body = client.request(
            port, "POST", "/api/v1/tokens", body={"username": "bacson2.tamdiep", "password": DEMO_PASSWORD}
        )
        assert status == 429
        assert int(headers["retry-after"]) > 0


# SQLite is a file on one machine and takes one writer at a time: two processes writing at once get "database is
# locked" (a 503) where a read turns into a write (BEGIN DEFERRED). Several hosts mean PostgreSQL.
@pytest.mark.skipif(not os.environ.get("TEST_DATABASE_URL"), reason="concurrent writers from two hosts need PostgreSQL")
def test_writes_split_over_two_hosts_lose_nothing_and_double_nothing(hosts: Hosts, browser) -> None:  # type: ignore[no-untyped-def]
    a, b = hosts.ports
    status, _headers, body = browser().request(
        a, "POST", "/api/v1/tokens", body={"username": WRITER, "password": DEMO_PASSWORD}
    )
    assert status == 201, body
    auth = {"Authorization": f"Bearer {json.loads(body)['token']}"}
    ids = hosts.open_ids
    run = uuid.uuid4().hex[:10]
    statuses: Counter[int] = Counter()
    acknowledged: list[str] = []
    lock = threading.Lock()
    started = time.monotonic()

    def running() -> bool:
        elapsed = time.monotonic() - started
        with lock:
            enough = statuses[201] >= 20 and statuses[409] >= 1
        return elapsed < WRITE_LIMIT and (elapsed < WRITE_SECONDS or not enough)

    def worker(seed: int) -> None:
        rnd = random.Random(seed)  # load shape, not security
        client = browser()
        n = 0
        while running():
            assignment = rnd.choice(ids)
            # Read on one host, write on the other: the ETag and the token are good everywhere.
            read, write = (a, b) if (seed + n) % 2 == 0 else (b, a)
            status, headers, _body = client.request(read, "GET", f"/api/v1/assignments/{assignment}", headers=auth)
            with lock:
                statuses[status] += 1
            if status != 200:
                continue
            etag = headers["etag"]
            for attempt in range(8):
                n += 1
                note = f"two-hosts {run} {seed}-{n}"
                port = write if attempt % 2 == 0 else read
                status, headers, _body = client.request(
                    port,
                    "POST",
                    f"/api/v1/assignments/{assignment}/updates",
                    # A new percentage changes the row, so its version moves and concurrent saves conflict.
                    body={"note": note, "progress_percent": rnd.randint(1, 99)},
                    headers={**auth, "If-Match": etag},
                )
                with lock:
                    statuses[status] += 1
                    if status == 201:
                        acknowledged.append(note)
                if status != 409:
                    break
                etag = headers["etag"]

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(WRITE_THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=WRITE_LIMIT + 60)
    assert not [s for s in statuses if s >= 500], (statuses, hosts.log_text())
    assert set(statuses) <= {200, 201, 409}, statuses
    assert statuses[201] >= 20 and statuses[409] >= 1, statuses  # real work, and real races

    engine = sa.create_engine(hosts.url)
    try:
        with engine.connect() as connection:
            stored = list(
                connection.scalars(sa.select(ProgressUpdate.note).where(ProgressUpdate.note.like(f"two-hosts {run} %")))
            )
    finally:
        engine.dispose()
    doubled = [note for note, count in Counter(stored).items() if count > 1]
    lost = set(acknowledged) - set(stored)
    unacknowledged = set(stored) - set(acknowledged)
    assert (doubled, lost, unacknowledged) == ([], set(), set())
    assert len(stored) == statuses[201]
