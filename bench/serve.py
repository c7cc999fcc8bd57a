#!/usr/bin/env python3
"""`make bench`, under load: the real server, driven over loopback, beside its floors measured in the same run.

    python bench/serve.py [--directives 6000] [--duration 20] [--connections 8] [--url URL] [--only NAME]

1. Generates and loads the data set when needed (bench/gen_dataset.py, bench/load.py); `--directives 600`
   (or BENCH_DIRECTIVES) makes a data set ten times smaller, in bench/data-600d and coord_bench_600d, for a
   check run of a few minutes.
2. Serves the app with gunicorn as in production (COORDINATION_ENV=production, a random SECRET_KEY,
   `bench.wsgi_app:app`, which pins today to the data set's day) and, on the same settings, the floor app
   (bench/floor_app.py: Flask "hello", and one psycopg query per list page with the same JSON fields).
   Workers: 2 (one per core), class gthread with 4 threads: a thread waiting on PostgreSQL lets another run,
   and unlike sync workers gthread keeps connections alive (sync closes each after its response, so every
   request paid a new TCP connection and a new accept).
3. Drives each scenario with wrk (Debian's package; `apt-get install wrk`) from a separate process:
   WARMUP seconds unmeasured, then `--duration` seconds at `--connections` connections, recording
   requests/s and p50 / p95 / p99; the write scenario (GET for the ETag, then POST with If-Match) is driven by
   threads of this process, each with its own keep-alive connection; `two_hosts_writes` drives it over two app
   servers at once (a second gunicorn on SECOND_APP_PORT, same database and settings) and checks every
   acknowledged note is stored exactly once. The floor's SQL alone is timed in a loop on one connection (the
   database floor).
4. Prints each scenario beside its floors, as ratios; writes bench/results/serve.json (every goal with its
   figure, its target and whether it is met, and `goals_missed`) and bench/RESULTS.md. Exits 1 when a goal is
   missed, 2 when a scenario could not run.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import platform
import re
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench import load as loader  # noqa: E402

DEFAULT_DIRECTIVES = 6000
TODAY = date(2026, 11, 24)
#: BENCH_PORT moves the servers (two runs side by side on one machine)
APP_PORT = int(os.environ.get("BENCH_PORT", "18431"))
FLOOR_PORT = APP_PORT + 1
#: the second app server of the two-host scenario: another gunicorn of the app on the same database and settings
SECOND_APP_PORT = APP_PORT + 2
WORKERS, WORKER_CLASS, THREADS = 2, "gthread", 4
#: seconds gunicorn keeps an idle connection open (BENCH_KEEP_ALIVE; 0 closes each after its response)
KEEP_ALIVE = int(os.environ.get("BENCH_KEEP_ALIVE", "5"))
#: each worker listens on a socket of its own (SO_REUSEPORT) and the kernel spreads new connections over them:
#: on one shared socket the worker that woke first took all of wrk's 8 keep-alive connections in about one
#: round in four, and that round was served by one core (BENCH_REUSE_PORT=0 shares one socket, as before)
REUSE_PORT = os.environ.get("BENCH_REUSE_PORT", "1") != "0"
WARMUP_S = 3
PAGE_SIZE = 50
DEEP_PAGE = 1000
PASSWORD = loader.BENCH_PASSWORD

#: (goal name, scenario, what, target): "ratio_rps" is the app's requests/s over the floor app's, at least the
#: target; "ratio_p95" the app's p95 over the floor's, at most; "p95_ms" at most; "deep_vs_first" page 1,000's
#: requests/s over page 1's, at least; "lost" conflicts lost, "errors" failed requests, "doubled" writes stored twice,
#: at most.
GOALS = [
    ("overdue list: throughput ≥ 50 % of the floor app's", "overdue_first", "ratio_rps", 0.5),
    ("overdue list: p95 ≤ 3 × the floor app's", "overdue_first", "ratio_p95", 3.0),
    ("overdue list: p95 ≤ 20 ms", "overdue_first", "p95_ms", 20.0),
    ("overdue list page 1,000: throughput ≥ 50 % of the floor app's", "overdue_deep", "ratio_rps", 0.5),
    ("overdue list page 1,000: p95 ≤ 20 ms", "overdue_deep", "p95_ms", 20.0),
    ("overdue list: page 1,000 as fast as page 1 (≥ 0.8 ×)", "overdue_deep", "deep_vs_first", 0.8),
    ("one commune's open work: throughput ≥ 50 % of the floor app's", "commune_open", "ratio_rps", 0.5),
    ("one commune's open work: p95 ≤ 3 × the floor app's", "commune_open", "ratio_p95", 3.0),
    ("one commune's open work: p95 ≤ 20 ms", "commune_open", "p95_ms", 20.0),
    ("one assignment with its history: p95 ≤ 25 ms", "assignment_detail", "p95_ms", 25.0),
    ("dashboard API: p95 ≤ 150 ms", "dashboard_api", "p95_ms", 150.0),
    ("progress updates with If-Match: p95 ≤ 40 ms", "writes", "p95_ms", 40.0),
    ("progress updates: zero conflicts lost", "writes", "lost", 0),
    ("two app servers, progress updates: zero errors", "two_hosts_writes", "errors", 0),
    ("two app servers, progress updates: zero lost", "two_hosts_writes", "lost", 0),
    ("two app servers, progress updates: zero doubled", "two_hosts_writes", "doubled", 0),
]


# --- servers ---------------------------------------------------------------------------------------------------


def _port_free(port: int) -> bool:
    with socket.socket() as probe:
        return probe.connect_ex(("127.0.0.1", port)) != 0


def start_gunicorn(spec: str, port: int, env: dict[str, str], log: Path) -> subprocess.Popen:
    if not _port_free(port):
        raise SystemExit(f"bench: port {port} is in use")
    command = [
        str(Path(sys.executable).parent / "gunicorn"),
        spec,
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        str(WORKERS),
        "--worker-class",
        WORKER_CLASS,
        "--threads",
        str(THREADS),
        "--keep-alive",
        str(KEEP_ALIVE),
        "--log-level",
        "warning",
        *(["--reuse-port"] if REUSE_PORT else []),
    ]
    with log.open("w") as sink:  # the server writes to its own copy of the file descriptor
        process = subprocess.Popen(  # noqa: S603 - our own server, started by the interpreter running us
            command, cwd=ROOT, env={**os.environ, **env}, stdout=sink, stderr=subprocess.STDOUT
        )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"bench: {spec} did not start; see {log}")
        if not _port_free(port):
            return process
        time.sleep(0.2)
    raise SystemExit(f"bench: {spec} did not listen on {port} within 60 s")


def stop(process: subprocess.Popen) -> None:
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()


# --- a small HTTP client (logins, tokens, cursors, the write scenario) ----------------------------------------


class Client:
    def __init__(self, port: int) -> None:
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        self.cookies: dict[str, str] = {}

    def request(
        self, method: str, path: str, body: Any = None, headers: dict[str, str] | None = None, form: bool = False
    ) -> tuple[int, dict[str, str], bytes]:
        headers = dict(headers or {})
        data = None
        if body is not None:
            if form:
                data = urllib.parse.urlencode(body).encode()
                headers["Content-Type"] = "application/x-www-form-urlencoded"
            else:
                data = json.dumps(body).encode()
                headers["Content-Type"] = "application/json"
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        self.connection.request(method, path, body=data, headers=headers)
        response = self.connection.getresponse()
        payload = response.read()
        for name, value in response.getheaders():
            if name.lower() == "set-cookie":
                key, _, rest = value.partition("=")
                self.cookies[key] = rest.split(";", 1)[0]
        return response.status, {k.lower(): v for k, v in response.getheaders()}, payload


def bearer(port: int, username: str) -> str:
    status, _headers, body = Client(port).request(
        "POST", "/api/v1/tokens", {"username": username, "password": PASSWORD}
    )
    if status != 201:
        raise RuntimeError(f"token for {username}: {status} {body[:200]!r}")
    return f"Bearer {json.loads(body)['token']}"


def session_cookie(port: int, username: str) -> str:
    client = Client(port)
    _status, _headers, page = client.request("GET", "/login")
    match = re.search(rb'name="csrf_token" type="hidden" value="([^"]+)"', page) or re.search(
        rb'name="csrf_token" value="([^"]+)"', page
    )
    form = {"username": username, "password": PASSWORD}
    if match:
        form["csrf_token"] = match[1].decode()
    status, _headers, body = client.request("POST", "/login", form, form=True)
    if status != 302:
        raise RuntimeError(f"login of {username}: {status} {body[:200]!r}")
    return "; ".join(f"{k}={v}" for k, v in client.cookies.items())


# --- measuring ------------------------------------------------------------------------------------------------


@dataclass
class Run:
    """One load run of one path list on one server."""

    requests: int = 0
    rps: float = 0.0
    p50_ms: float = 0.0
    p95_ms: float = 0.0
    p99_ms: float = 0.0
    errors: int = 0
    bytes_per_response: int = 0
    extra: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {
            "requests": self.requests,
            "rps": round(self.rps, 1),
            "p50_ms": round(self.p50_ms, 2),
            "p95_ms": round(self.p95_ms, 2),
            "p99_ms": round(self.p99_ms, 2),
            "errors": self.errors,
            "bytes_per_response": self.bytes_per_response,
            **self.extra,
        }


def wrk(port: int, paths: list[str], headers: list[str], duration: int, connections: int) -> Run:
    with tempfile.NamedTemporaryFile("w", suffix=".paths", delete=False) as fh:
        fh.write("\n".join(paths) + "\n")
        paths_file = fh.name
    try:
        base = [
            "wrk",
            "--threads",
            str(min(2, connections)),
            "--connections",
            str(connections),
            "--timeout",
            "30s",
            "--script",
            str(BENCH / "wrk_paths.lua"),
            f"http://127.0.0.1:{port}",
            "--",
            paths_file,
            *headers,
        ]
        subprocess.run([*base[:5], "--duration", f"{WARMUP_S}s", *base[5:]], check=True, capture_output=True)  # noqa: S603
        done = subprocess.run([*base[:5], "--duration", f"{duration}s", *base[5:]], check=True, capture_output=True)  # noqa: S603
    finally:
        os.unlink(paths_file)
    line = next(x for x in done.stdout.decode().splitlines() if x.startswith("WRK_JSON "))
    figures = json.loads(line.removeprefix("WRK_JSON "))
    seconds = figures["duration_us"] / 1e6
    return Run(
        requests=figures["requests"],
        rps=figures["requests"] / seconds,
        p50_ms=figures["p50_us"] / 1000,
        p95_ms=figures["p95_us"] / 1000,
        p99_ms=figures["p99_us"] / 1000,
        errors=figures["socket_errors"] + figures["non_2xx"],
        bytes_per_response=figures["bytes"] // max(1, figures["requests"]),
    )


#: the app and its floor app run in this many alternated rounds, so that a burst of other work on the shared
#: machine falls on both alike (one run of each swung the commune list's ratio from 0.14 to 0.49)
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "4"))


def merged(runs: list[Run]) -> Run:
    """Rounds of one scenario as one run: requests and errors summed, throughput over the rounds' whole time,
    latencies the median of the rounds' (wrk gives percentiles, not the samples)."""
    seconds = sum(run.requests / run.rps for run in runs if run.rps)
    requests = sum(run.requests for run in runs)
    return Run(
        requests=requests,
        rps=requests / seconds if seconds else 0.0,
        p50_ms=statistics.median(run.p50_ms for run in runs),
        p95_ms=statistics.median(run.p95_ms for run in runs),
        p99_ms=statistics.median(run.p99_ms for run in runs),
        errors=sum(run.errors for run in runs),
        bytes_per_response=max(run.bytes_per_response for run in runs),
        extra={"rounds": len(runs)},
    )


def in_rounds(run: Callable[[int], Run], duration: int, rounds: int) -> Run:
    """A scenario without a floor app in `rounds` rounds sharing `duration` seconds, merged: each round opens its
    connections anew, so that a round in which one gunicorn worker took most of them (served by one core, at
    about half the throughput) does not decide the figure alone."""
    each = max(1, round(duration / rounds))
    return merged([run(each) for _ in range(rounds)])


def paired(app: Callable[[int], Run], floor: Callable[[int], Run], duration: int, rounds: int) -> tuple[Run, Run]:
    """The app's run and its floor's, alternated in `rounds` rounds sharing `duration` seconds each side."""
    each = max(1, round(duration / rounds))
    app_runs: list[Run] = []
    floor_runs: list[Run] = []
    for _ in range(rounds):
        app_runs.append(app(each))
        floor_runs.append(floor(each))
    return merged(app_runs), merged(floor_runs)


def _percentile(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, max(0, round(q / 100 * len(ordered)) - 1))] if ordered else 0.0


def writes(
    ports: list[int], token: str, ids: list[int], duration: int, connections: int, *, tag: str | None = None
) -> Run:
    """Progress notes with If-Match on a shared pool of assignments, `connections` threads for `duration` s.

    Threads pick assignments at random from the same pool, so some saves race: a 409 is counted as a conflict
    and retried with the ETag it returns. After the run, the notes in the database must equal the 201s.
    With several `ports` (app servers), each thread reads on one and writes on the next, in turn. With a `tag`,
    every note is "<tag> <thread>-<n>" with a new percentage (a change to the row, so that saves conflict), and
    the notes the 201s acknowledged are returned in `extra["acknowledged"]` for the caller to find in the database.
    """
    stop_at = time.monotonic() + duration
    lock = threading.Lock()
    latencies: list[float] = []
    counts = {"created": 0, "conflicts": 0, "errors": 0}
    acknowledged: list[str] = []

    def worker(seed: int) -> None:
        import random

        rnd = random.Random(seed)  # noqa: S311 - load shape, not security
        clients = [Client(port) for port in ports]
        auth = {"Authorization": token}
        turn = seed
        while time.monotonic() < stop_at:
            assignment = rnd.choice(ids)
            turn += 1
            status, headers, _ = clients[turn % len(clients)].request(
                "GET", f"/api/v1/assignments/{assignment}", headers=auth
            )
            if status != 200:
                with lock:
                    counts["errors"] += 1
                continue
            etag = headers["etag"]
            for attempt in range(5):
                turn += 1
                note = f"{tag} {seed}-{turn}-{attempt}" if tag else f"bench {seed}"
                body: dict[str, Any] = {"note": note}
                if tag:
                    body["progress_percent"] = rnd.randint(1, 99)
                started = time.perf_counter()
                status, headers, _ = clients[turn % len(clients)].request(
                    "POST", f"/api/v1/assignments/{assignment}/updates", body, headers={**auth, "If-Match": etag}
                )
                elapsed = (time.perf_counter() - started) * 1000
                with lock:
                    latencies.append(elapsed)
                    if status == 201:
                        counts["created"] += 1
                        acknowledged.append(note)
                    elif status == 409:
                        counts["conflicts"] += 1
                    else:
                        counts["errors"] += 1
                if status != 409:
                    break
                etag = headers.get("etag", etag)

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(connections)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    seconds = time.perf_counter() - started
    return Run(
        requests=len(latencies),
        rps=len(latencies) / seconds,
        p50_ms=statistics.median(latencies) if latencies else 0,
        p95_ms=_percentile(latencies, 95),
        p99_ms=_percentile(latencies, 99),
        errors=counts["errors"],
        extra={"created": counts["created"], "conflicts": counts["conflicts"], "acknowledged": acknowledged},
    )


def warm(ports: list[int], token: str, ids: list[int], seconds: int, connections: int) -> None:
    """Reads on every server for `seconds`, unmeasured: a new gunicorn's workers load the app after it listens."""
    stop_at = time.monotonic() + seconds

    def worker(seed: int) -> None:
        clients = [Client(port) for port in ports]
        turn = seed
        while time.monotonic() < stop_at:
            turn += 1
            clients[turn % len(clients)].request(
                "GET", f"/api/v1/assignments/{ids[turn % len(ids)]}", headers={"Authorization": token}
            )

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(connections)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


def sql_floor(dsn: str, which: str, agency: int, after: int, seconds: float = 3.0) -> dict[str, float]:
    """The floor app's SQL alone, in a loop on one connection: ms per statement (median, p95) and per second."""
    import psycopg

    from bench.floor_app import OPTIONS, SQL, params

    samples = []
    with psycopg.connect(dsn, autocommit=True, options=OPTIONS) as connection:
        stop_at = time.monotonic() + seconds
        while time.monotonic() < stop_at:
            started = time.perf_counter()
            connection.execute(SQL[which], params(agency, after, PAGE_SIZE + 1)).fetchall()
            samples.append((time.perf_counter() - started) * 1000)
    return {
        "median_ms": round(statistics.median(samples), 3),
        "p95_ms": round(_percentile(samples, 95), 3),
        "per_s": round(len(samples) / seconds, 1),
    }


# --- the subjects ---------------------------------------------------------------------------------------------


def subjects(dsn: str) -> dict[str, Any]:
    """The monitor (the police), the office, the commune with most work and its officer, and the ids used."""
    import psycopg

    with psycopg.connect(dsn, autocommit=True) as c:
        monitor = c.execute(
            "SELECT username, agency_id FROM user_account WHERE role = 'monitor' ORDER BY id"
        ).fetchone()
        office = c.execute("SELECT username, agency_id FROM user_account WHERE role = 'office' ORDER BY id").fetchone()
        commune = c.execute(
            "SELECT g.id, g.code, u.username, count(*) FROM assignment a JOIN agency g ON g.id = a.agency_id"
            " JOIN user_account u ON u.agency_id = g.id AND u.role = 'officer'"
            " WHERE g.level = 'commune' GROUP BY g.id, g.code, u.username ORDER BY count(*) DESC, g.id LIMIT 1"
        ).fetchone()
        with_history = [
            r[0]
            for r in c.execute(
                "SELECT a.id FROM assignment a WHERE a.agency_id = %s"
                " AND EXISTS (SELECT 1 FROM progress_update p WHERE p.assignment_id = a.id) ORDER BY a.id LIMIT 200",
                (commune[0],),
            )
        ]
        open_ids = [
            r[0]
            for r in c.execute(
                "SELECT a.id FROM assignment a JOIN task t ON t.id = a.task_id"
                " JOIN directive d ON d.id = t.directive_id"
                " WHERE a.agency_id = %s AND a.status IN ('not_started', 'in_progress', 'returned')"
                " AND d.status = 'active' ORDER BY a.id DESC LIMIT 400",
                (commune[0],),
            )
        ]
        counts = {
            "assignments": c.execute("SELECT count(*) FROM assignment").fetchone()[0],
            "directives": c.execute("SELECT count(*) FROM directive").fetchone()[0],
            "progress_updates": c.execute("SELECT count(*) FROM progress_update").fetchone()[0],
        }
    return {
        "monitor": {"username": monitor[0], "agency_id": monitor[1]},
        "office": {"username": office[0], "agency_id": office[1]},
        "commune": {"agency_id": commune[0], "code": commune[1], "officer": commune[2], "assignments": commune[3]},
        "with_history": with_history,
        "open_ids": open_ids,
        "counts": counts,
    }


def follow_cursors(port: int, path: str, headers: dict[str, str], pages: int) -> tuple[str, int, list[int]]:
    """Follow `pages - 1` cursors from `path`: (the path of the last page reached, its number, its ids)."""
    client = Client(port)
    current, number = path, 1
    while True:
        status, _h, body = client.request("GET", current, headers=headers)
        if status != 200:
            raise RuntimeError(f"GET {current}: {status} {body[:200]!r}")
        page = json.loads(body)
        token = page["next_page_token"]
        if number == pages or token is None:
            return current, number, [item["id"] for item in page["items"]]
        current = f"{path}&page_token={token}"
        number += 1


def first_ids(port: int, path: str, headers: dict[str, str]) -> list[int]:
    status, _h, body = Client(port).request("GET", path, headers=headers)
    if status != 200:
        raise RuntimeError(f"GET {path}: {status} {body[:200]!r}")
    return [item["id"] for item in json.loads(body)["items"]]


# --- the run --------------------------------------------------------------------------------------------------


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    scale = int(os.environ.get("BENCH_SCALE", "1"))
    default_directives = int(os.environ.get("BENCH_DIRECTIVES", DEFAULT_DIRECTIVES * scale))
    parser.add_argument("--directives", type=int, default=default_directives)
    parser.add_argument("--duration", type=int, default=int(os.environ.get("BENCH_DURATION", "20")))
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument(
        "--rounds", type=int, default=ROUNDS, help="alternated rounds of the app and its floor app (BENCH_ROUNDS)"
    )
    parser.add_argument("--url", default=None, help="PostgreSQL URL (default: coord_bench, coord_bench_10x...)")
    parser.add_argument("--only", default=None, help="run only the scenarios whose name contains this")
    parser.add_argument("--no-markdown", action="store_true", help="do not rewrite bench/RESULTS.md")
    parser.add_argument("--markdown-from", type=Path, help="only rewrite bench/RESULTS.md from this serve.json")
    parser.add_argument(
        "--no-load",
        action="store_true",
        help="measure the database as it is: neither generate nor (re)load (one another run may be measuring)",
    )
    parser.add_argument("--json", type=Path, default=None, help="write the report here (default results/serve.json)")
    parser.add_argument(
        "--compare",
        type=Path,
        default=None,
        help="serve.json of the default scale: adds the goals 'scenarios 1-3 within 1.5x of its figures'",
    )
    args = parser.parse_args()
    if args.markdown_from:
        report = json.loads(args.markdown_from.read_text())
        (BENCH / "RESULTS.md").write_text(results_page(report, markdown(report)))
        return 0

    # bench/run.py's names for whole multiples (data-10x, coord_bench_10x), so both share a data set
    scale, rest = divmod(args.directives, DEFAULT_DIRECTIVES)
    suffix = "" if (scale, rest) == (1, 0) else f"{scale}x" if rest == 0 else f"{args.directives}d"
    data_dir = BENCH / (f"data-{suffix}" if suffix else "data")
    url = loader.normalise_url(
        args.url or os.environ.get("BENCH_DATABASE_URL") or (loader.DEFAULT_URL + (f"_{suffix}" if suffix else ""))
    )
    if not url.startswith("postgresql"):
        raise SystemExit("bench: the load test runs on PostgreSQL (bench/run.py measures SQLite in-process)")
    if args.no_load:
        load_result = {"skipped": True, "state": loaded_state(url)}
    else:
        if not all((data_dir / name).exists() for name in loader.CSV_FILES):
            subprocess.run(  # noqa: S603
                [sys.executable, str(BENCH / "gen_dataset.py"), str(data_dir), "--directives", str(args.directives)],
                check=True,
            )
        load_result = loader.load(url, data_dir)
    dsn = url.replace("postgresql+psycopg://", "postgresql://")
    who = subjects(dsn)
    print(
        f"bench: {who['counts']['assignments']:,} assignments, {who['counts']['directives']:,} directives; "
        f"monitor {who['monitor']['username']}, office {who['office']['username']}, commune "
        f"{who['commune']['code']} ({who['commune']['assignments']:,} assignments, "
        f"officer {who['commune']['officer']})",
        flush=True,
    )

    logs = BENCH / "results"
    logs.mkdir(exist_ok=True)
    env = {
        "COORDINATION_ENV": "production",
        "SECRET_KEY": secrets.token_hex(32),
        "DATABASE_URL": dsn,
        "BENCH_FLOOR_DSN": dsn,
        "BENCH_TODAY": TODAY.isoformat(),
        "EVIDENCE_DIR": tempfile.mkdtemp(prefix="bench-evidence-"),
        "PYTHONPATH": str(ROOT),
    }
    app_server = start_gunicorn("bench.wsgi_app:app", APP_PORT, env, logs / "gunicorn-app.log")
    floor_server = start_gunicorn("bench.floor_app:app", FLOOR_PORT, env, logs / "gunicorn-floor.log")
    results: dict[str, Any] = {}
    problems: list[str] = []
    load_before = os.getloadavg()
    try:
        results, problems = scenarios(args, who, dsn, env, logs)
    finally:
        stop(app_server)
        stop(floor_server)
    load_after = os.getloadavg()

    goals = check_goals(results)
    compared = None
    if args.compare:
        compared = compare(results, json.loads(args.compare.read_text()), str(args.compare))
        goals += compared.pop("goals")
    report = {
        "when": datetime.now().isoformat(timespec="seconds"),
        "commit": _git("rev-parse", "--short", "HEAD"),
        "machine": _machine(),
        "database": loader._safe(url),
        "directives": args.directives,
        "counts": who["counts"],
        "settings": {
            "workers": WORKERS,
            "worker_class": WORKER_CLASS,
            "threads": THREADS,
            "keep_alive_s": KEEP_ALIVE,
            "reuse_port": REUSE_PORT,
            "alone_rounds": args.rounds,
            "connections": args.connections,
            "duration_s": args.duration,
            "warmup_s": WARMUP_S,
            "rounds": args.rounds,
            "load_generator": "wrk " + _wrk_version(),
        },
        "load": load_result,
        "load_average": {"before": [round(x, 2) for x in load_before], "after": [round(x, 2) for x in load_after]},
        "subjects": {k: v for k, v in who.items() if k not in ("with_history", "open_ids")},
        "scenarios": results,
        **({"compared_with": compared} if compared else {}),
        "problems": problems,
        "goals": goals,
        "goals_missed": [g["goal"] for g in goals if g["met"] is False],
    }
    out = (args.json or logs / "serve.json").resolve()
    out.write_text(json.dumps(report, indent=2, ensure_ascii=False))
    table = markdown(report)
    print(table)
    if not args.no_markdown and not args.only:
        (BENCH / "RESULTS.md").write_text(results_page(report, table))
    shown = out.relative_to(ROOT) if out.is_relative_to(ROOT) else out
    print(f"bench: wrote {shown}" + ("" if args.no_markdown or args.only else " and bench/RESULTS.md"))
    if problems:
        print("bench: could not run: " + "; ".join(problems))
        return 2
    missed = report["goals_missed"]
    print("bench: all goals met" if not missed else f"bench: {len(missed)} goal(s) missed")
    return 1 if missed else 0


def scenarios(
    args: argparse.Namespace, who: dict[str, Any], dsn: str, env: dict[str, str], logs: Path
) -> tuple[dict[str, Any], list[str]]:
    duration, conns = args.duration, args.connections
    monitor, commune, office = who["monitor"], who["commune"], who["office"]
    monitor_auth = bearer(APP_PORT, monitor["username"])
    officer_auth = bearer(APP_PORT, commune["officer"])
    office_auth = bearer(APP_PORT, office["username"])
    results: dict[str, Any] = {}
    problems: list[str] = []

    def wanted(name: str) -> bool:
        return not args.only or args.only in name

    def against_floor(path: str, header: list[str], floor_path: str) -> tuple[Run, Run]:
        """The app's path and the floor app's, in alternated rounds (`paired`)."""
        return paired(
            lambda seconds: wrk(APP_PORT, [path], header, seconds, conns),
            lambda seconds: wrk(FLOOR_PORT, [floor_path], [], seconds, conns),
            duration,
            args.rounds,
        )

    def alone(paths: list[str], header: list[str]) -> Run:
        """The app's paths in rounds (`in_rounds`)."""
        return in_rounds(lambda seconds: wrk(APP_PORT, paths, header, seconds, conns), duration, args.rounds)

    def record(name: str, what: str, run: Run, **extra: Any) -> None:
        if run.requests == 0:  # slower than the run itself: shown as an error, not figures of nothing
            run.errors = max(run.errors, 1)
            extra["note"] = f"no request completed within the {duration} s run"
        results[name] = {"what": what, **run.as_dict(), **extra}
        print(f"  {name:<24} {run.rps:8.1f} req/s  p50 {run.p50_ms:7.2f}  p95 {run.p95_ms:7.2f} ms  {what}", flush=True)

    overdue = f"/api/v1/assignments?timeliness=overdue&page_size={PAGE_SIZE}"
    floor_overdue = f"/floor/assignments?timeliness=overdue&page_size={PAGE_SIZE}&agency_id={monitor['agency_id']}"
    commune_open = f"/api/v1/assignments?agency={commune['code']}&open=true&page_size={PAGE_SIZE}"
    floor_open = f"/floor/assignments?open=true&page_size={PAGE_SIZE}&agency_id={commune['agency_id']}"

    if wanted("hello"):
        record("hello", "Flask alone: the framework floor", wrk(FLOOR_PORT, ["/hello"], [], duration, conns))

    # Scenario 1: the monitor's overdue list, page 1 and page 1,000 (reached by following cursors).
    if wanted("overdue"):
        app_ids = first_ids(APP_PORT, overdue, {"Authorization": monitor_auth})
        floor_ids = first_ids(FLOOR_PORT, floor_overdue, {})
        same = app_ids == floor_ids
        if not same:
            problems.append(
                f"overdue page 1: the app and the floor list different rows ({app_ids[:3]} / {floor_ids[:3]})"
            )
        deep_floor, number, deep_floor_ids = follow_cursors(FLOOR_PORT, floor_overdue, {}, DEEP_PAGE)
        token = deep_floor.partition("page_token=")[2]
        deep_app = f"{overdue}&page_token={token}" if token else overdue
        deep_same = first_ids(APP_PORT, deep_app, {"Authorization": monitor_auth}) == deep_floor_ids
        if not deep_same:
            problems.append(f"overdue page {number}: the app and the floor list different rows")
        after = _decode(token) if token else 0
        header = [f"Authorization: {monitor_auth}"]
        app_run, floor_run = against_floor(overdue, header, floor_overdue)
        record("overdue_first", "monitor's overdue list, page 1", app_run)
        record("overdue_first_floor", "floor app, same rows", floor_run)
        results["overdue_first"]["sql_floor"] = sql_floor(dsn, "overdue", monitor["agency_id"], 0)
        deep_run, deep_floor_run = against_floor(deep_app, header, deep_floor)
        record("overdue_deep", f"monitor's overdue list, page {number}", deep_run, page=number)
        record("overdue_deep_floor", f"floor app, page {number}", deep_floor_run)
        results["overdue_deep"]["sql_floor"] = sql_floor(dsn, "overdue", monitor["agency_id"], after)
        results["overdue_first"]["same_rows_as_floor"] = same
        results["overdue_deep"]["same_rows_as_floor"] = deep_same

    # Scenario 2: one commune's open work, as its officer.
    if wanted("commune"):
        same = first_ids(APP_PORT, commune_open, {"Authorization": officer_auth}) == first_ids(
            FLOOR_PORT, floor_open, {}
        )
        if not same:
            problems.append("commune open work: the app and the floor list different rows")
        header = [f"Authorization: {officer_auth}"]
        app_run, floor_run = against_floor(commune_open, header, floor_open)
        record("commune_open", f"{commune['code']}'s open work", app_run)
        record("commune_open_floor", "floor app, same rows", floor_run)
        results["commune_open"]["sql_floor"] = sql_floor(dsn, "open", commune["agency_id"], 0)
        results["commune_open"]["same_rows_as_floor"] = same

    # Scenario 3: one assignment with its record (notes, files, extension requests), 200 different ones.
    if wanted("assignment"):
        ids = who["with_history"]
        header = [f"Authorization: {officer_auth}"]
        record(
            "assignment_detail",
            "one assignment with its notes",
            alone([f"/api/v1/assignments/{i}" for i in ids], header),
        )
        paths = [f"/api/v1/assignments/{i}/history" for i in ids]
        record("assignment_history", "its audit history", alone(paths, header))

    # Scenario 4: the dashboard of the whole issuer.
    if wanted("dashboard"):
        header = [f"Authorization: {office_auth}"]
        record("dashboard_api", "GET /api/v1/dashboard, office", alone(["/api/v1/dashboard"], header))

    # Scenario 5: writes.
    if wanted("writes"):
        ids = who["open_ids"]
        before = _count_notes(dsn, ids)
        run = writes([APP_PORT], officer_auth, ids, duration, conns)
        del run.extra["acknowledged"]
        added = _count_notes(dsn, ids) - before
        run.extra["notes_added"] = added
        run.extra["lost"] = abs(added - run.extra["created"])
        record("writes", f"progress notes with If-Match on {len(ids)} assignments", run)

    # Scenario 5 on two app servers (issue 14, beyond one machine): a second gunicorn of the app on another port,
    # the same database and SECRET_KEY; the token was made on the first; each thread reads on one, writes on the
    # other. Two cores cannot show throughput adding up; what it shows is that nothing is lost or doubled.
    if wanted("two_hosts_writes"):
        second = start_gunicorn("bench.wsgi_app:app", SECOND_APP_PORT, env, logs / "gunicorn-app-2.log")
        try:
            warm([APP_PORT, SECOND_APP_PORT], officer_auth, who["open_ids"], WARMUP_S, conns)
            tag = f"two-hosts {secrets.token_hex(5)}"
            run = writes([APP_PORT, SECOND_APP_PORT], officer_auth, who["open_ids"], duration, conns, tag=tag)
        finally:
            stop(second)
        acknowledged = run.extra.pop("acknowledged")
        stored = _tagged_notes(dsn, tag)
        run.extra["notes_stored"] = sum(stored.values())
        run.extra["lost"] = len(set(acknowledged) - set(stored))
        run.extra["doubled"] = sum(count - 1 for count in stored.values() if count > 1)
        run.extra["unacknowledged"] = len(set(stored) - set(acknowledged))
        record(
            "two_hosts_writes",
            f"progress notes with If-Match on {len(who['open_ids'])} assignments, two app servers in turn",
            run,
        )
        print(
            f"  {'':<24} {run.extra['created']} acknowledged, {run.extra['notes_stored']} stored, "
            f"{run.extra['conflicts']} conflicts retried, lost {run.extra['lost']}, doubled {run.extra['doubled']}, "
            f"errors {run.errors}",
            flush=True,
        )

    # Scenario 6: the HTML pages an officer and a monitor open first.
    if wanted("html"):
        officer_cookie = session_cookie(APP_PORT, commune["officer"])
        monitor_cookie = session_cookie(APP_PORT, monitor["username"])
        for name, what, cookie, path in (
            ("html_work_list", "officer's work list /app/assignment/", officer_cookie, "/app/assignment/"),
            ("html_home_officer", "officer's home /app/", officer_cookie, "/app/"),
            ("html_dashboard", "monitor's dashboard /app/dashboard/", monitor_cookie, "/app/dashboard/"),
        ):
            record(name, what, wrk(APP_PORT, [path], [f"Cookie: {cookie}"], duration, conns))
    return results, problems


def _decode(token: str) -> int:
    import base64

    return int(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))


def _count_notes(dsn: str, ids: list[int]) -> int:
    import psycopg

    with psycopg.connect(dsn, autocommit=True) as c:
        return c.execute("SELECT count(*) FROM progress_update WHERE assignment_id = ANY(%s)", (ids,)).fetchone()[0]


def _tagged_notes(dsn: str, tag: str) -> dict[str, int]:
    """How many times each note of a tagged run is stored."""
    import psycopg

    with psycopg.connect(dsn, autocommit=True) as c:
        rows = c.execute(
            "SELECT note, count(*) FROM progress_update WHERE note LIKE %s GROUP BY note", (f"{tag} %",)
        ).fetchall()
    return {note: count for note, count in rows}


#: scenarios 1-3, which at ten times the data must stay within SCALE_LIMIT of the default scale's figures
SCALE_SCENARIOS = ("overdue_first", "overdue_deep", "commune_open", "assignment_detail", "assignment_history")
SCALE_LIMIT = 1.5


def loaded_state(url: str) -> str:
    """Refuse (--no-load) a database that does not hold a finished benchmark load."""
    state, stored = loader.stored_fingerprint(url)
    if state != "ours" or stored is None:
        raise SystemExit(
            f"bench: {loader._safe(url)} holds no finished benchmark load ({state}); run without --no-load"
        )
    return f"as loaded (fingerprint {stored[:12]})"


def compare(results: dict[str, Any], other: dict[str, Any], source: str) -> dict[str, Any]:
    """Scenarios 1-3 here against the same scenarios of `other` (a serve.json of the default scale, measured in the
    same sitting): slowdowns of requests/s and of p95, and a goal for each (at most SCALE_LIMIT)."""
    rows, goals = {}, []
    for name in SCALE_SCENARIOS:
        here, there = results.get(name), other["scenarios"].get(name)
        if not here or not there:
            continue
        usable = not here.get("errors") and not there.get("errors") and here["rps"] and there["p95_ms"]
        row = {
            "default": {k: there[k] for k in ("rps", "p50_ms", "p95_ms")},
            "here": {k: here[k] for k in ("rps", "p50_ms", "p95_ms")},
            "rps_slowdown": round(there["rps"] / here["rps"], 3) if usable else None,
            "p50_ratio": round(here["p50_ms"] / there["p50_ms"], 3) if usable and there["p50_ms"] else None,
            "p95_ratio": round(here["p95_ms"] / there["p95_ms"], 3) if usable else None,
        }
        rows[name] = row
        for kind, figure, what in (
            ("scale_rps", row["rps_slowdown"], "throughput"),
            ("scale_p95", row["p95_ratio"], "p95"),
        ):
            goals.append(
                {
                    "goal": f"{here['what']}: {what} within {SCALE_LIMIT:g} × of the default scale's",
                    "scenario": name,
                    "figure": figure,
                    "target": SCALE_LIMIT,
                    "kind": kind,
                    "met": None if figure is None else figure <= SCALE_LIMIT,
                }
            )
    return {
        "source": source,
        "directives": other.get("directives"),
        "counts": other.get("counts"),
        "when": other.get("when"),
        "scenarios": rows,
        "goals": goals,
    }


def check_goals(results: dict[str, Any]) -> list[dict[str, Any]]:
    goals = []
    for name, scenario, kind, target in GOALS:
        figure: float | None = None
        app = results.get(scenario)
        floor = results.get(f"{scenario}_floor")
        if app is not None and kind == "errors":
            figure = app["errors"]
        elif app is not None and not app.get("errors"):
            if kind == "ratio_rps" and floor:
                figure = app["rps"] / floor["rps"]
            elif kind == "ratio_p95" and floor:
                figure = app["p95_ms"] / floor["p95_ms"]
            elif kind == "p95_ms":
                figure = app["p95_ms"]
            elif kind == "deep_vs_first" and "overdue_first" in results:
                figure = app["rps"] / results["overdue_first"]["rps"]
            elif kind in ("lost", "doubled"):
                figure = app.get(kind)
        at_least = kind in ("ratio_rps", "deep_vs_first")
        met = None if figure is None else (figure >= target if at_least else figure <= target)
        goals.append(
            {
                "goal": name,
                "scenario": scenario,
                "figure": None if figure is None else round(figure, 3),
                "target": target,
                "kind": kind,
                "met": met,
            }
        )
    return goals


# --- the report -----------------------------------------------------------------------------------------------


def markdown(report: dict[str, Any]) -> str:
    s = report["scenarios"]
    lines = [
        "| scenario | req/s | p50 ms | p95 ms | p99 ms | floor app req/s | floor p95 ms | ratio req/s "
        "| SQL alone ms | errors |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    hello = s.get("hello")
    if hello:
        lines.append(
            f'| Flask "hello" (framework floor) | {hello["rps"]:,.0f} | {hello["p50_ms"]:.1f} | {hello["p95_ms"]:.1f} '
            f"| {hello['p99_ms']:.1f} | | | | | {hello['errors']} |"
        )
    for name, row in s.items():
        if name == "hello" or name.endswith("_floor"):
            continue
        floor = s.get(f"{name}_floor")
        sql = row.get("sql_floor")
        lines.append(
            f"| {row['what']} | {row['rps']:,.1f} | {row['p50_ms']:.1f} | {row['p95_ms']:.1f} | {row['p99_ms']:.1f} | "
            + (
                f"{floor['rps']:,.0f} | {floor['p95_ms']:.1f} | {row['rps'] / floor['rps']:.2f} | "
                if floor
                else "| | | "
            )
            + (f"{sql['median_ms']:.2f} | " if sql else "| ")
            + f"{row['errors']} |"
        )
    compared = report.get("compared_with")
    if compared:
        lines += [
            "",
            f"Against the default scale ({compared['counts']['assignments']:,} assignments, {compared['source']}):",
            "",
            "| scenario | default req/s, p95 ms | here req/s, p95 ms | req/s slowdown | p95 ratio |",
            "|---|---:|---:|---:|---:|",
        ]
        for name, row in compared["scenarios"].items():
            d, h = row["default"], row["here"]
            lines.append(
                f"| {s[name]['what']} | {d['rps']:,.1f}, {d['p95_ms']:.1f} | {h['rps']:,.1f}, {h['p95_ms']:.1f} "
                f"| {row['rps_slowdown']} | {row['p95_ratio']} |"
            )
    lines += ["", "| goal | figure | target | met |", "|---|---:|---:|---|"]
    for goal in report["goals"]:
        verdict = {True: "yes", False: "**no**", None: "not measured"}[goal["met"]]
        figure = "" if goal["figure"] is None else f"{goal['figure']:g}"
        lines.append(f"| {goal['goal']} | {figure} | {goal['target']:g} | {verdict} |")
    return "\n".join(lines)


def results_page(report: dict[str, Any], table: str) -> str:
    m = report["machine"]
    st = report["settings"]
    c = report["counts"]
    notes_file = BENCH / "RESULTS-notes.md"
    notes = "\n" + notes_file.read_text() if notes_file.exists() else ""
    # runs written before the rounds existed ran the app and its floor once each
    rounds = (
        f" The app and its floor app ran in {st['rounds']} alternated rounds (throughput over the rounds' whole"
        " time, latencies the median of the rounds')."
        if st.get("rounds", 1) > 1
        else ""
    )
    # runs written before `in_rounds` ran the scenarios without a floor once each
    if st.get("alone_rounds", 1) > 1:
        rounds += (
            f" One assignment, its history and the dashboard ran in {st['alone_rounds']} rounds too, each with new"
            " connections."
        )
    # runs written before BENCH_REUSE_PORT shared one listening socket
    sockets = ", a listening socket per worker (SO_REUSEPORT)" if st.get("reuse_port") else ""
    # The sections other runs write between their markers (bench/soak.py, bench/single.py) stay on the page.
    page = BENCH / "RESULTS.md"
    kept = re.findall(r"<!-- (\w+):begin -->.*?<!-- \1:end -->", page.read_text(), re.S) if page.exists() else []
    for name in kept:
        block = re.search(rf"<!-- {name}:begin -->.*?<!-- {name}:end -->", page.read_text(), re.S)
        if block and block.group(0) not in notes:
            notes += "\n" + block.group(0) + "\n"
    return f"""# bench/RESULTS.md — `make bench` under load

Written by `bench/serve.py` ({report["when"]}, commit {report["commit"]}). Machine: {m["cpus"]} cores,
{m["memory_gb"]} GB, {m["system"]}, Python {m["python"]}, {m["postgresql"]}; load average before / after
{report["load_average"]["before"][0]} / {report["load_average"]["after"][0]} (other work shares the machine, so read
the ratios to the floors measured in the same run rather than the absolute figures).

Data: {report["directives"]:,} directives, {c["assignments"]:,} assignments, {c["progress_updates"]:,} progress
updates. Served by gunicorn, {st["workers"]} workers × {st["worker_class"]} {st["threads"]} threads, keep-alive
{st.get("keep_alive_s", 5)} s{sockets}, production settings; {st["load_generator"]} from another process,
{st["connections"]} connections, {st["warmup_s"]} s warm-up then {st["duration_s"]} s per scenario. The floor app
(bench/floor_app.py) runs on the same gunicorn settings and
returns the same rows (checked) and JSON fields; "SQL alone" is its query in a loop on one connection.{rounds}

{table}
{notes}"""


def _git(*args: str) -> str:
    try:
        return subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True, check=True).stdout.strip()  # noqa: S603, S607
    except (OSError, subprocess.CalledProcessError):
        return "?"


def _wrk_version() -> str:
    done = subprocess.run(["wrk", "--version"], capture_output=True, text=True, check=False)  # noqa: S607
    return (done.stdout or done.stderr).split()[1] if (done.stdout or done.stderr) else "?"


def _machine() -> dict[str, Any]:
    memory = None
    try:
        with open("/proc/meminfo") as fh:
            memory = round(int(fh.readline().split()[1]) / 1024 / 1024, 1)
    except OSError:
        pass
    version = subprocess.run(["psql", "--version"], capture_output=True, text=True, check=False).stdout.strip()  # noqa: S607
    return {
        "cpus": os.cpu_count(),
        "memory_gb": memory,
        "python": platform.python_version(),
        "system": platform.platform(terse=True),
        "postgresql": version.replace("psql (PostgreSQL) ", "PostgreSQL ") or "?",
    }


if __name__ == "__main__":
    sys.exit(main())
