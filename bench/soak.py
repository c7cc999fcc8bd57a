"""Soak with faults: simulated users against gunicorn on a PostgreSQL of the soak's own, one worker killed
and the database restarted on the way, then every acknowledged write checked.

    .venv/bin/python bench/soak.py                      # 50 users, 5 minutes (the issue's figures)
    .venv/bin/python bench/soak.py --users 10 --duration 60 --no-results   # a quick look

Bounded and loopback only: it starts a PostgreSQL cluster of its own in a temporary directory (so that
restarting it touches nobody else's database), serves the app with gunicorn on a free loopback port with
production settings, runs the users for `--duration` seconds and stops everything it started. The
summary is printed and, unless --no-results, written into bench/RESULTS.md between its soak markers.
Exit status 1 when a check fails: a 2xx write missing or changed, half-done writes, errors outside the
fault windows at or above 0.1 %, a traceback in the server's log, or the audit chain or evidence store
not verifying.
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import io
import json
import os
import random
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import psycopg
from werkzeug.datastructures import FileStorage, MultiDict
from werkzeug.test import encode_multipart

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # run as a script: bench/ is on the path, the repository is not
    sys.path.insert(0, str(ROOT))

from bench.pgcluster import Cluster, find_pg_bin, free_port, hand_over  # noqa: E402

VENV_BIN = Path(sys.executable).parent
PASSWORD = "demo-2026"
OFFICERS = ["justice.tayninh", "education.tayninh", "bacson.tamdiep"]
MONITORS = ["monitor.tayninh", "monitor.tamdiep"]
OFFICES = ["office.tayninh", "office.tamdiep"]
#: after a fault, the seconds during which errors are the fault's, not the server's
RECOVERY_SECONDS = 15
RESULTS_BEGIN, RESULTS_END = "<!-- soak:begin -->", "<!-- soak:end -->"


def pg_bin() -> Path:
    """The newest installed PostgreSQL's binaries (Debian keeps them out of PATH)."""
    found = find_pg_bin()
    if found is None:
        sys.exit("soak: PostgreSQL's server binaries are not installed (/usr/lib/postgresql/*/bin)")
    return found


class PrivateDatabase(Cluster):
    """A PostgreSQL cluster of the soak's own (bench/pgcluster.py), in a temporary directory, on a free port."""

    def __init__(self, workdir: Path) -> None:
        hand_over(workdir)
        super().__init__(workdir / "pg", pg_bin=pg_bin())

    @property
    def url(self) -> str:
        return self.dsn("soak")

    def start(self) -> None:
        self.init(fsync="on")
        super().start()
        self.create_database("soak")


@dataclass
class Answer:
    status: int
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


class Client:
    """A small HTTP client on the standard library (the soak adds no dependency); None when no answer came."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.headers: dict[str, str] = {}

    def request(
        self,
        method: str,
        path: str,
        *,
        json_body: Any = None,
        params: dict[str, Any] | None = None,
        files: dict[str, tuple[str, bytes, str]] | None = None,
        headers: dict[str, str] | None = None,
        timeout: float = 90,
    ) -> Answer | None:
        url = f"{self.base}{path}" + (f"?{urllib.parse.urlencode(params)}" if params else "")
        all_headers = {**self.headers, **(headers or {})}
        data = None
        if json_body is not None:
            data, all_headers["Content-Type"] = json.dumps(json_body).encode(), "application/json"
        elif files:
            parts = MultiDict(
                [
                    (name, FileStorage(io.BytesIO(content), filename=filename, content_type=kind))
                    for name, (filename, content, kind) in files.items()
                ]
            )
            boundary, data = encode_multipart(parts)
            all_headers["Content-Type"] = f'multipart/form-data; boundary="{boundary}"'
        request = urllib.request.Request(url, data=data, method=method, headers=all_headers)
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:
                return Answer(response.status, dict(response.headers), response.read())
        except urllib.error.HTTPError as error:
            return Answer(error.code, dict(error.headers), error.read())
        except (OSError, urllib.error.URLError):
            return None


@dataclass
class Log:
    """What every simulated user saw, shared between threads."""

    lock: threading.Lock = field(default_factory=threading.Lock)
    requests: list[tuple[float, str, int]] = field(default_factory=list)  # (time, kind, status; 0 = no answer)
    updates: list[dict[str, Any]] = field(default_factory=list)  # acknowledged progress notes
    files: list[dict[str, Any]] = field(default_factory=list)  # acknowledged evidence files
    faults: list[tuple[str, float, float]] = field(default_factory=list)  # (what, start, end of its window)
    failed_logins: list[str] = field(default_factory=list)  # users that could not start

    def saw(self, kind: str, status: int) -> None:
        with self.lock:
            self.requests.append((time.monotonic(), kind, status))


class Server:
    """gunicorn serving the app with production settings on a free loopback port."""

    def __init__(self, workdir: Path, database_url: str, workers: int) -> None:
        self.port = free_port()
        self.log_path = workdir / "gunicorn.log"
        self.env = {
            **os.environ,
            "COORDINATION_ENV": "production",
            "SECRET_KEY": secrets.token_hex(32),
            "DATABASE_URL": database_url,
            "EVIDENCE_DIR": str(workdir / "evidence"),
            "FLASK_APP": "wsgi",
            "PYTHONPATH": str(ROOT),
        }
        self.workers = workers
        self.process: subprocess.Popen[bytes] | None = None

    def flask(self, *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [str(VENV_BIN / "flask"), *args], cwd=ROOT, env=self.env, capture_output=True, text=True, check=False
        )

    def start(self) -> None:
        for step in (("db", "upgrade"), ("demo", "load")):
            done = self.flask(*step)
            if done.returncode:
                sys.exit(f"soak: flask {' '.join(step)} failed:\n{done.stdout}{done.stderr}")
        self.log = self.log_path.open("wb")
        self.process = subprocess.Popen(
            [
                str(VENV_BIN / "gunicorn"),
                "--bind",
                f"127.0.0.1:{self.port}",
                "--workers",
                str(self.workers),
                "--threads",
                "4",
                "--timeout",
                "120",
                "wsgi:app",
            ],
            cwd=ROOT,
            env=self.env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )
        for _ in range(100):
            answer = Client(self.base).request("GET", "/healthz", timeout=2)
            if answer is not None and answer.status == 200:
                return
            time.sleep(0.2)
        sys.exit("soak: gunicorn did not answer /healthz")

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def worker_pids(self) -> list[int]:
        assert self.process is not None
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        return [int(p) for p in children.read_text().split()] if children.exists() else []

    def stop(self) -> None:
        if self.process is not None:
            self.process.send_signal(signal.SIGTERM)
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.process.wait(timeout=20)
            if self.process.poll() is None:
                self.process.kill()
            self.log.close()


def token(base: str, username: str) -> str:
    answer = Client(base).request("POST", "/api/v1/tokens", json_body={"username": username, "password": PASSWORD})
    if answer is None or answer.status != 201:
        sys.exit(f"soak: no token for {username}: {answer and answer.status}")
    return answer.json()["token"]


def pdf(seed: str) -> bytes:
    """A small, valid-looking PDF whose bytes differ per upload (so each file has its own hash)."""
    return f"%PDF-1.4\n% {seed}\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n".encode()


class User(threading.Thread):
    """One simulated user: an officer reporting and uploading, a monitor reading, an office exporting."""

    def __init__(self, n: int, role: str, username: str, base: str, stop_at: float, log: Log) -> None:
        super().__init__(daemon=True, name=f"{role}-{n}")
        self.n, self.role, self.username, self.base, self.stop_at, self.log = n, role, username, base, stop_at, log
        self.random = random.Random(n)
        self.client = Client(base)
        self.work: list[int] = []
        self.directives: list[int] = []

    def call(self, kind: str, method: str, path: str, **kwargs: Any) -> Answer | None:
        answer = self.client.request(method, path, **kwargs)
        self.log.saw(kind, answer.status if answer is not None else 0)
        return answer

    def get(self, path: str, **kwargs: Any) -> Answer | None:
        """A read at start-up, retried as a client would while the server says 503 (Retry-After)."""
        for _ in range(10):
            answer = self.client.request("GET", path, **kwargs)
            if answer is not None and answer.status != 503:
                return answer
            time.sleep(float((answer.headers.get("Retry-After") if answer else None) or 2))
        return answer

    def login(self) -> None:
        self.client.headers["Authorization"] = f"Bearer {token(self.base, self.username)}"
        me = self.get("/api/v1/me")
        assert me is not None and me.status == 200, me
        if self.role == "officer":
            params = {"agency": me.json()["agency"]["code"], "open": "true", "page_size": 50}
            page = self.get("/api/v1/assignments", params=params)
            assert page is not None and page.status == 200, page
            self.work = [item["id"] for item in page.json()["items"]]
        directives = self.get("/api/v1/directives")
        assert directives is not None and directives.status == 200, directives
        self.directives = [d["id"] for d in directives.json()["items"]]

    def run(self) -> None:
        try:
            self.login()
        except AssertionError as error:
            with self.log.lock:
                self.log.failed_logins.append(f"{self.name}: {str(error)[:160]}")
            return
        step = 0
        while time.monotonic() < self.stop_at:
            step += 1
            getattr(self, f"act_{self.role}")(step)
            time.sleep(self.random.uniform(0.05, 0.3))

    def act_officer(self, step: int) -> None:
        if not self.work:
            return
        assignment = self.random.choice(self.work)
        current = self.call("read", "GET", f"/api/v1/assignments/{assignment}")
        if current is None or current.status != 200:
            return
        if step % 3:
            note = f"soak {self.n}-{step} {secrets.token_hex(4)}"
            response = self.call(
                "update",
                "POST",
                f"/api/v1/assignments/{assignment}/updates",
                json_body={"note": note},
                headers={"If-Match": current.headers.get("ETag", "")},
            )
            if response is not None and response.status == 201:
                with self.log.lock:
                    self.log.updates.append({"id": response.json()["id"], "assignment": assignment, "note": note})
        else:
            content = pdf(f"{self.n}-{step}-{secrets.token_hex(8)}")
            response = self.call(
                "upload",
                "POST",
                f"/api/v1/assignments/{assignment}/evidence",
                files={"file": (f"tien-do-{self.n}-{step}.pdf", content, "application/pdf")},
            )
            if response is not None and response.status == 201:
                (stored,) = response.json()
                with self.log.lock:
                    self.log.files.append(
                        {"id": stored["id"], "sha256": hashlib.sha256(content).hexdigest(), "told": stored["sha256"]}
                    )

    def act_monitor(self, step: int) -> None:
        if step % 2:
            self.call("dashboard", "GET", "/api/v1/dashboard")
        else:
            self.call("overdue", "GET", "/api/v1/assignments", params={"timeliness": "overdue", "page_size": 50})

    def act_office(self, step: int) -> None:
        if not self.directives:
            return
        directive = self.random.choice(self.directives)
        fmt = "xlsx" if step % 4 else "pdf"
        self.call("report", "GET", "/api/v1/reports/compliance", params={"directive": directive, "format": fmt})


def inject_faults(server: Server, database: PrivateDatabase, start: float, duration: float, log: Log) -> None:
    """A worker killed at a third of the run, the database restarted at two thirds."""
    time.sleep(max(0.0, start + duration / 3 - time.monotonic()))
    workers = server.worker_pids()
    if workers:
        at = time.monotonic()
        os.kill(workers[0], signal.SIGKILL)
        log.faults.append(("gunicorn worker SIGKILL", at, at + RECOVERY_SECONDS))
    time.sleep(max(0.0, start + 2 * duration / 3 - time.monotonic()))
    at = time.monotonic()
    database.restart()
    log.faults.append(("PostgreSQL restart", at, time.monotonic() + RECOVERY_SECONDS))


def verify(database: PrivateDatabase, server: Server, log: Log) -> dict[str, Any]:
    """Every acknowledged write is in the database with its audit event and intact file; nothing half-done."""
    problems: list[str] = []
    with psycopg.connect(database.url) as c:
        for update in log.updates:
            row = c.execute("SELECT assignment_id, note FROM progress_update WHERE id = %s", (update["id"],)).fetchone()
            if row != (update["assignment"], update["note"]):
                problems.append(f"progress note {update['id']} missing or changed: {row!r}")
            audited = c.execute(
                "SELECT count(*) FROM audit_event WHERE action = 'assignment.progress' AND entity_id = %s"
                " AND CAST(after AS jsonb) ->> 'note' = %s",
                (update["assignment"], update["note"]),
            ).fetchone()[0]
            if audited != 1:
                problems.append(f"progress note {update['id']}: {audited} audit events")
        for stored in log.files:
            row = c.execute("SELECT sha256 FROM evidence WHERE id = %s", (stored["id"],)).fetchone()
            if row is None or row[0] != stored["sha256"] or stored["told"] != stored["sha256"]:
                problems.append(f"evidence {stored['id']} missing or changed: {row!r}")
            audited = c.execute(
                "SELECT count(*) FROM audit_event WHERE action = 'evidence.add' AND entity_id = %s", (stored["id"],)
            ).fetchone()[0]
            if audited != 1:
                problems.append(f"evidence {stored['id']}: {audited} audit events")
        # Half-done: a note or a file without its audit event, whoever wrote it.
        unaudited_files = c.execute(
            "SELECT count(*) FROM evidence e WHERE NOT EXISTS (SELECT 1 FROM audit_event a"
            " WHERE a.action = 'evidence.add' AND a.entity_id = e.id)"
        ).fetchone()[0]
        if unaudited_files:
            problems.append(f"{unaudited_files} evidence rows without an audit event")
    commands = {}
    for command in (("audit", "verify"), ("evidence", "verify")):
        done = server.flask(*command)
        commands[" ".join(command)] = done.returncode
        if done.returncode:
            problems.append(f"flask {' '.join(command)} failed: {(done.stdout + done.stderr).strip()[-400:]}")
    return {"problems": problems, "commands": commands}


def error_rates(log: Log) -> dict[str, Any]:
    def in_fault(t: float) -> bool:
        return any(start <= t <= end for _, start, end in log.faults)

    outside = [(t, kind, status) for t, kind, status in log.requests if not in_fault(t)]
    inside = [(t, kind, status) for t, kind, status in log.requests if in_fault(t)]
    errors = [r for r in outside if r[2] == 0 or r[2] >= 500]
    return {
        "requests": len(log.requests),
        "outside_faults": len(outside),
        "errors_outside": len(errors),
        "error_rate_outside": len(errors) / len(outside) if outside else 0.0,
        "errors_inside": sum(1 for r in inside if r[2] == 0 or r[2] >= 500),
        "by_status": dict(sorted(Counter(str(s) for _, _, s in log.requests).items())),
        "by_kind": dict(sorted(Counter(k for _, k, _ in log.requests).items())),
    }


def write_results(summary: dict[str, Any]) -> None:
    path = ROOT / "bench" / "RESULTS.md"
    text = path.read_text() if path.exists() else "# Benchmark and soak results\n"
    block = "\n".join(
        [
            RESULTS_BEGIN,
            "## Soak with faults (`bench/soak.py`)",
            "",
            f"Run {summary['when']} on {summary['cpus']} CPUs: {summary['users']} users for {summary['duration']} s,"
            f" gunicorn {summary['workers']} workers × 4 threads, production settings, a PostgreSQL of its own.",
            "",
            "| figure | value |",
            "|---|---|",
            f"| requests served | {summary['requests']:,} (load average {summary['load']}) |",
            f"| faults injected | {', '.join(summary['faults']) or 'none'} |",
            f"| acknowledged writes verified | {summary['writes_verified']:,}"
            f" ({summary['updates']:,} progress notes, {summary['files']:,} evidence files) |",
            f"| writes lost or changed | {summary['lost']} |",
            f"| errors outside fault windows | {summary['errors_outside']} of {summary['outside_faults']:,}"
            f" ({summary['error_rate_outside']:.3%}) |",
            f"| errors inside fault windows ({RECOVERY_SECONDS} s after each) | {summary['errors_inside']} |",
            f"| tracebacks in the server log | {summary['tracebacks']} |",
            f"| `flask audit verify`, `flask evidence verify` | exit {summary['commands']} |",
            f"| statuses | {summary['by_status']} |",
            f"| verdict | {'PASS' if summary['ok'] else 'FAIL: ' + '; '.join(summary['problems'][:5])} |",
            RESULTS_END,
        ]
    )
    if RESULTS_BEGIN in text:
        head, rest = text.split(RESULTS_BEGIN, 1)
        text = head + block + rest.split(RESULTS_END, 1)[1]
    else:
        text = text.rstrip("\n") + "\n\n" + block + "\n"
    path.write_text(text)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--duration", type=float, default=300.0, help="seconds of load")
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--no-results", action="store_true", help="print only; leave bench/RESULTS.md alone")
    parser.add_argument("--keep", action="store_true", help="keep the server's log and evidence store")
    args = parser.parse_args()
    if not 1 <= args.users <= 200 or not 10 <= args.duration <= 3600:
        parser.error("--users 1..200 and --duration 10..3600: the soak is bounded")

    workdir = Path(tempfile.mkdtemp(prefix="coordination-soak-"))
    database = PrivateDatabase(workdir)
    server = Server(workdir, database.url, args.workers)
    log = Log()
    try:
        database.start()
        server.start()
        roles = ["officer"] * 6 + ["monitor"] * 2 + ["office"] * 2  # most users are officers at work
        start = time.monotonic()
        stop_at = start + args.duration
        users = []
        for n in range(args.users):
            role = roles[n % len(roles)]
            pool = {"officer": OFFICERS, "monitor": MONITORS, "office": OFFICES}[role]
            users.append(User(n, role, pool[n % len(pool)], server.base, stop_at, log))
        for user in users:
            user.start()
        faults = threading.Thread(target=inject_faults, args=(server, database, start, args.duration, log))
        faults.start()
        for user in users:
            user.join(timeout=args.duration + 120)
        faults.join()
        time.sleep(1)
        checks = verify(database, server, log)
    finally:
        server.stop()
        database.stop()
    tracebacks = server.log_path.read_text(errors="replace").count("Traceback")
    rates = error_rates(log)
    problems = list(checks["problems"])
    if rates["error_rate_outside"] >= 0.001:
        problems.append(f"error rate outside faults {rates['error_rate_outside']:.3%}")
    if tracebacks:
        problems.append(f"{tracebacks} tracebacks in the server log")
    problems += [f"user could not start: {failure}" for failure in log.failed_logins]
    summary = {
        "when": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "cpus": os.cpu_count(),
        "load": " / ".join(f"{x:.1f}" for x in os.getloadavg()),
        "users": args.users,
        "duration": int(args.duration),
        "workers": args.workers,
        **rates,
        "faults": [what for what, _, _ in log.faults],
        "updates": len(log.updates),
        "files": len(log.files),
        "writes_verified": len(log.updates) + len(log.files),
        "lost": sum(1 for p in checks["problems"] if "missing or changed" in p),
        "tracebacks": tracebacks,
        "commands": checks["commands"],
        "problems": problems,
        "ok": not problems,
    }
    print(json.dumps(summary, indent=2, ensure_ascii=False))
    if not args.no_results:
        write_results(summary)
    if summary["ok"] and not args.keep:
        shutil.rmtree(workdir, ignore_errors=True)
    else:
        print(f"soak: the server's log and the evidence store are kept in {workdir}", file=sys.stderr)
    return 0 if summary["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
