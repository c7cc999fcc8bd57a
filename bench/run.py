#!/usr/bin/env python3
"""`make bench`: the province-scale benchmark. Every speed or memory goal of the project is measured here.

    python bench/run.py [--scale 10] [--repeat 15] [--url URL] [--today 2026-11-24|real] [--only NAME]

1. Generates the data set if it is missing (bench/gen_dataset.py: 134 agencies, 6,000 directives,
   ~48,000 tasks, ~430,000 assignments, ~1.1 million progress updates; `--scale 10` ten times that,
   in bench/data-10x).
2. Loads it (bench/load.py, in a child process) into a database built by the migrations:
   PostgreSQL coord_bench (coord_bench_10x) unless BENCH_DATABASE_URL says otherwise. A database
   that already holds the same data set is not reloaded.
3. Measures what users wait for, through the real code: web pages and API calls through
   `create_app(...).test_client()` signed in as the data set's users (the web login form, an API
   bearer token from POST /api/v1/tokens), plus the dashboard aggregates of
   coordination.reports.dashboard called directly (the query cost without the page around it); a
   page or endpoint that is not there yet is skipped with a note. Each operation runs WARMUP times
   unmeasured, then `--repeat` times; the table shows median and p95 in ms, the
   SQL statements one run issues, and the process' peak RSS (resource.getrusage) once it is done.
4. Prints the table, writes bench/results/latest.json, and exits 1 if any goal below fails, so
   `make bench` is a real check (an error, e.g. a page answering 500, fails too).

"Today" is the data set's day (2026-11-24; `--today real` uses the clock): the app's clock
(coordination.db's `datetime`) is shifted by whole days, so what is overdue, and so every figure,
does not drift with the calendar.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import re
import resource
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

import sqlalchemy as sa

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench import load as loader  # noqa: E402

# --- the goals -----------------------------------------------------------------------------------
#: median milliseconds, per kind of operation (at the default scale: ~430,000 assignments)
GOAL_MS = {
    "dashboard": 500,  # counts + agency league + first overdue page, for the monitor or the office
    "list": 200,  # a first page of a list (web or API), filtered or searched
    "page": 200,  # one directive's page, the home page
    "report": 2000,  # the compliance report of one directive (json or xlsx)
    "report_large": 5000,  # the compliance report of one agency over the whole data set (~12,000 rows)
    "parse": 50,  # reading one directive's text into tasks, agencies and deadlines (the importer)
}
#: peak resident memory of this process (the app serving every operation below)
GOAL_RSS_MB = 1024
#: loading the data set from nothing (CSV to indexed tables), seconds per default-scale data set
GOAL_LOAD_S = 180

DATASET_TODAY = date(2026, 11, 24)  # gen_dataset.py's default --today
DIRECTIVES_PER_SCALE = 6000
WARMUP = 2
SLOW_S = 10
SLOW_REPEAT = 3
PAGE_SIZE = 50


# --- measuring -------------------------------------------------------------------------------------


@dataclass
class Result:
    name: str
    kind: str
    samples: list[float] = field(default_factory=list)
    queries: int | None = None
    note: str = ""
    error: str | None = None
    skipped: bool = False
    rss_mb: float = 0.0

    @property
    def median(self) -> float | None:
        return statistics.median(self.samples) if self.samples else None

    @property
    def p95(self) -> float | None:
        if not self.samples:
            return None
        ordered = sorted(self.samples)
        return ordered[max(0, math.ceil(0.95 * len(ordered)) - 1)]

    @property
    def goal(self) -> float:
        return GOAL_MS[self.kind]

    @property
    def verdict(self) -> str:
        if self.skipped:
            return "SKIP"
        if self.error:
            return "FAIL"
        return "PASS" if self.median is not None and self.median <= self.goal else "FAIL"


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


class QueryCounter:
    def __init__(self, engine: sa.Engine) -> None:
        self.count = 0
        sa.event.listen(engine, "before_cursor_execute", self._on)

    def _on(self, *args: Any) -> None:
        self.count += 1


def measure(result: Result, run: Callable[[], None], repeat: int, counter: QueryCounter) -> Result:
    """WARMUP unmeasured runs (one counts the SQL statements), then `repeat` timed ones; an operation
    slower than SLOW_S is timed SLOW_REPEAT times only, so that `--scale 10` ends in reasonable time."""
    try:
        for _ in range(WARMUP):
            before, started = counter.count, time.perf_counter()
            run()
            result.queries = counter.count - before  # of the last warm-up run: caches warm
            if time.perf_counter() - started > SLOW_S:
                result.note = f"slower than {SLOW_S} s: {SLOW_REPEAT} runs; {result.note}"
                repeat = min(repeat, SLOW_REPEAT)
                break
        for _ in range(repeat):
            started = time.perf_counter()
            run()
            result.samples.append((time.perf_counter() - started) * 1000)
    except Exception as error:  # a failing operation is a failed goal, reported, not a crash of the bench
        result.error = " ".join(f"{type(error).__name__}: {error}".split())[:300]
    result.rss_mb = peak_rss_mb()
    return result


# --- the app and its users ---------------------------------------------------------------------------


def pin_today(day: date | None) -> None:
    """Shift the app's clock by whole days so that today (Asia/Ho_Chi_Minh) is `day`."""
    if day is None:
        return
    import importlib

    # `import coordination.db as cdb` would give the package's `db` (Flask-SQLAlchemy), not the module
    cdb = importlib.import_module("coordination.db")
    real = cdb.datetime
    offset = day - real.now(cdb.local_tz()).date()

    class ShiftedDatetime(real):  # type: ignore[misc, valid-type]
        @classmethod
        def now(cls, tz: Any = None) -> datetime:
            return real.now(tz) + offset

    cdb.datetime = ShiftedDatetime


def exists(app: Any, path: str, method: str = "GET") -> bool:
    from werkzeug.exceptions import MethodNotAllowed, NotFound

    try:
        app.url_map.bind("localhost").match(path.split("?")[0], method=method)
    except (NotFound, MethodNotAllowed):
        return False
    return True


def web_login(app: Any, username: str) -> Any:
    """A test client signed in through the login form (CSRF token and all)."""
    with app.test_request_context():
        from flask import url_for

        login_path = url_for("auth.login")
    client = app.test_client()
    page = client.get(login_path).get_data(as_text=True)
    match = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page)
    data = {"username": username, "password": loader.BENCH_PASSWORD}
    if match:
        data["csrf_token"] = match[1]
    response = client.post(login_path, data=data)
    if response.status_code != 302:
        raise RuntimeError(f"login of {username} failed: {response.status_code}")
    return client


def api_token(client: Any, username: str) -> dict[str, str]:
    response = client.post("/api/v1/tokens", json={"username": username, "password": loader.BENCH_PASSWORD})
    if response.status_code != 201:
        raise RuntimeError(f"token for {username} refused: {response.status_code} {response.get_data(as_text=True)}")
    return {"Authorization": f"Bearer {response.get_json()['token']}"}


def getter(client: Any, path: str, headers: dict[str, str] | None = None) -> Callable[[], None]:
    def run() -> None:
        response = client.get(path, headers=headers or {})
        if response.status_code != 200:
            raise RuntimeError(f"GET {path}: {response.status_code} {response.get_data(as_text=True)[:200]}")
        response.get_data()

    return run


# --- the operations --------------------------------------------------------------------------------


def pick_subjects(app: Any) -> dict[str, Any]:
    """The users and objects measured: the data set's monitor (the police) and office, the officer with most work,
    the directive with most assignments, and the agency with most assignments."""
    from coordination.agencies.models import Agency
    from coordination.assignments.models import Assignment
    from coordination.auth.models import Role, User
    from coordination.directives.models import Directive, Task
    from coordination.extensions import db

    with app.app_context():
        monitor = db.session.scalar(sa.select(User).where(User.role == Role.monitor).order_by(User.id))
        office = db.session.scalar(sa.select(User).where(User.role == Role.office).order_by(User.id))
        busiest = (
            sa.select(User.username, User.agency_id, Agency.code, sa.func.count(Assignment.id).label("n"))
            .join(Assignment, Assignment.agency_id == User.agency_id)
            .join(Agency, Agency.id == User.agency_id)
            .where(User.role == Role.officer)
            .group_by(User.username, User.agency_id, Agency.code)
            .order_by(sa.desc("n"), User.username)
            .limit(1)
        )
        officer = db.session.execute(busiest).one()
        directive = db.session.execute(
            sa.select(Directive.id, Directive.ref, sa.func.count(Assignment.id).label("n"))
            .join(Task, Task.directive_id == Directive.id)
            .join(Assignment, Assignment.task_id == Task.id)
            .where(Directive.monitor_agency_id == monitor.agency_id)
            .group_by(Directive.id, Directive.ref)
            .order_by(sa.desc("n"), Directive.id)
            .limit(1)
        ).one()
        counts = {
            "assignments": db.session.scalar(sa.select(sa.func.count(Assignment.id))),
            "directives": db.session.scalar(sa.select(sa.func.count(Directive.id))),
        }
        return {
            "monitor": (monitor.id, monitor.username),
            "office": (office.id, office.username),
            "officer": (officer.username, officer.agency_id, officer.n, officer.code),
            "directive": (directive.id, directive.ref, directive.n),
            "counts": counts,
        }


def dashboard_run(app: Any, user_id: int) -> Callable[[], None]:
    """What a dashboard page computes: timeliness counts, the agency league, the first overdue page."""
    from coordination.auth.models import User
    from coordination.extensions import db
    from coordination.reports import dashboard

    def run() -> None:
        with app.test_request_context():
            user = db.session.get(User, user_id)
            filters = dashboard.DashboardFilters()
            dashboard.summary(user, filters)  # counts and league in one pass, as the page and API do
            db.session.execute(dashboard.overdue_query(user, filters).limit(PAGE_SIZE)).unique().scalars().all()

    return run


def operations(app: Any, subjects: dict[str, Any]) -> list[tuple[str, str, Callable[[], None] | None, str]]:
    """(name, kind, run or None to skip, note)."""
    monitor_id, monitor_name = subjects["monitor"]
    office_id, office_name = subjects["office"]
    officer_name = subjects["officer"][0]
    directive_id, directive_ref, _n = subjects["directive"]
    ops: list[tuple[str, str, Callable[[], None] | None, str]] = []

    def page(name: str, kind: str, client: Any, path: str, headers: dict[str, str] | None = None) -> None:
        if exists(app, path):
            ops.append((name, kind, getter(client, path, headers), path))
        else:
            ops.append((name, kind, None, f"{path} is not there yet"))

    api = app.test_client()
    has_tokens = exists(app, "/api/v1/tokens", "POST")
    for label, user_id, username in (("monitor", monitor_id, monitor_name), ("office", office_id, office_name)):
        ops.append(
            (
                f"dashboard aggregates, {label} ({username})",
                "dashboard",
                dashboard_run(app, user_id),
                "reports.dashboard: summary (counts + league) + overdue[:50]",
            )
        )
        page(f"dashboard page, {label}", "dashboard", web_login(app, username), "/app/dashboard/")
        if has_tokens:
            page(f"API dashboard, {label}", "dashboard", api, "/api/v1/dashboard", api_token(api, username))

    officer = web_login(app, officer_name)
    monitor = web_login(app, monitor_name)
    page(f"home page, officer ({officer_name})", "page", officer, "/app/")
    page(f"home page, monitor ({monitor_name})", "page", monitor, "/app/")
    page("work list, officer, page 1", "list", officer, "/app/assignment/")
    page("work list, officer, overdue", "list", officer, "/app/assignment/?timeliness=overdue")
    page("directive list, officer, page 1", "list", officer, "/app/directive/")
    page("directive list, officer, q=can cuoc", "list", officer, "/app/directive/?q=can+cuoc")
    page(f"directive page {directive_ref}, monitor", "page", monitor, f"/app/directive/details/?id={directive_id}")

    if has_tokens:
        bearer = api_token(api, officer_name)
        page("API assignments, officer", "list", api, f"/api/v1/assignments?page_size={PAGE_SIZE}", bearer)
        page(
            "API assignments, officer, overdue",
            "list",
            api,
            f"/api/v1/assignments?page_size={PAGE_SIZE}&timeliness=overdue",
            bearer,
        )
        page("API directives, officer, q=cccd", "list", api, "/api/v1/directives?q=cccd", bearer)
        page("API directives, officer, q=can cuoc", "list", api, "/api/v1/directives?q=can%20cuoc", bearer)
        monitor_bearer = api_token(api, monitor_name)
        page(
            f"API directive {directive_ref}, monitor", "page", api, f"/api/v1/directives/{directive_id}", monitor_bearer
        )
    else:
        ops.append(("API", "list", None, "POST /api/v1/tokens is not there yet"))

    ops.extend(compliance_operations(app, subjects, office_name))
    ops.extend(parse_operations())
    return ops


def parse_operations() -> list[tuple[str, str, Callable[[], None] | None, str]]:
    """Parsing each directive text of tests/fixtures/directives (the two real ones and the corpus)."""
    from coordination.importer.parser import parse_directive

    fixtures = ROOT / "tests" / "fixtures" / "directives"
    texts = sorted([*fixtures.glob("*.txt"), *(fixtures / "corpus").glob("*.txt")])
    longest = max(texts, key=lambda path: path.stat().st_size)
    ops: list[tuple[str, str, Callable[[], None] | None, str]] = []
    for path in dict.fromkeys([*(p for p in texts if p.parent == fixtures), longest]):
        text = path.read_text(encoding="utf-8")
        ops.append((f"parse {path.name}", "parse", lambda text=text: parse_directive(text), f"{len(text):,} chars"))

    return ops


def compliance_operations(
    app: Any, subjects: dict[str, Any], office_name: str
) -> list[tuple[str, str, Callable[[], None] | None, str]]:
    """The compliance report of one directive and of one agency, json and xlsx, as the office asks the API."""
    path = "/api/v1/reports/compliance"
    if not exists(app, path):
        return [("compliance report", "report", None, f"{path} is not there yet")]
    api = app.test_client()
    bearer = api_token(api, office_name)
    directive_id, directive_ref, _n = subjects["directive"]
    agency_code = subjects["officer"][3]
    ops: list[tuple[str, str, Callable[[], None] | None, str]] = []
    for label, query, kind in (
        (f"directive {directive_ref}", f"directive={directive_id}", "report"),
        (f"agency {agency_code}", f"agency={agency_code}", "report_large"),
    ):
        for fmt in ("json", "xlsx"):
            url = f"{path}?{query}&format={fmt}"
            ops.append((f"compliance, {label}, {fmt}", kind, getter(api, url, bearer), url))
    return ops


# --- the run ---------------------------------------------------------------------------------------


def ensure_dataset(data_dir: Path, scale: int) -> None:
    if all((data_dir / name).exists() for name in loader.CSV_FILES):
        return
    print(f"bench: generating the data set in {data_dir} (scale {scale})", flush=True)
    subprocess.run(  # noqa: S603 - our own scripts, run by the interpreter running us
        [
            sys.executable,
            str(BENCH / "gen_dataset.py"),
            str(data_dir),
            "--directives",
            str(DIRECTIVES_PER_SCALE * scale),
            "--today",
            DATASET_TODAY.isoformat(),
        ],
        check=True,
    )


def run_loader(url: str, data_dir: Path, force: bool) -> dict[str, Any]:
    """Load in a child process: its memory is not this process' peak RSS; its wall time is the load time."""
    out = BENCH / "results" / "load.json"
    out.parent.mkdir(exist_ok=True)
    out.unlink(missing_ok=True)
    command = [sys.executable, str(BENCH / "load.py"), str(data_dir), "--url", url, "--json", str(out)]
    started = time.perf_counter()
    subprocess.run([*command, *(["--force"] if force else [])], check=True)  # noqa: S603
    result = json.loads(out.read_text())
    result["wall_s"] = round(time.perf_counter() - started, 2)
    result["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024, 1)
    return result


def machine() -> dict[str, Any]:
    memory = None
    try:
        with open("/proc/meminfo") as fh:
            memory = round(int(fh.readline().split()[1]) / 1024 / 1024, 1)
    except OSError:
        pass
    return {"cpus": os.cpu_count(), "memory_gb": memory, "python": platform.python_version()}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--scale", type=int, default=int(os.environ.get("BENCH_SCALE", "1")))
    parser.add_argument("--repeat", type=int, default=int(os.environ.get("BENCH_REPEAT", "15")))
    parser.add_argument("--url", default=None, help="database URL (default BENCH_DATABASE_URL, else coord_bench)")
    parser.add_argument("--today", default=DATASET_TODAY.isoformat(), help="YYYY-MM-DD, or 'real' for the clock")
    parser.add_argument("--reload", action="store_true", help="reload the data set even if the database holds it")
    parser.add_argument("--only", default=None, help="measure only the operations whose name contains this")
    args = parser.parse_args()

    data_dir = BENCH / ("data" if args.scale == 1 else f"data-{args.scale}x")
    url = loader.normalise_url(args.url) if args.url else loader.default_url(args.scale)
    ensure_dataset(data_dir, args.scale)
    load_result = run_loader(url, data_dir, args.reload)

    from coordination import create_app
    from coordination.extensions import db

    pin_today(None if args.today == "real" else date.fromisoformat(args.today))
    app = create_app(SQLALCHEMY_DATABASE_URI=url, SECRET_KEY="bench", SERVER_NAME=None)  # noqa: S106
    import logging

    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    with app.app_context():
        engine = db.engine
        with engine.connect():  # the server version is known once connected
            pass
        dialect = f"{engine.dialect.name} {'.'.join(map(str, engine.dialect.server_version_info or ()))}"
    counter = QueryCounter(engine)
    subjects = pick_subjects(app)
    print(
        f"bench: {dialect}, scale {args.scale}: {subjects['counts']['assignments']:,} assignments, "
        f"{subjects['counts']['directives']:,} directives; officer {subjects['officer'][0]} "
        f"({subjects['officer'][2]:,} assignments), directive {subjects['directive'][1]} "
        f"({subjects['directive'][2]} assignments); {WARMUP} warm-up + {args.repeat} runs each",
        flush=True,
    )

    load_before = os.getloadavg()
    if load_before[0] > 1.0:
        print(f"bench: warning: load average {load_before[0]:.1f} before measuring; figures will be noisy", flush=True)
    results: list[Result] = []
    for name, kind, run, note in operations(app, subjects):
        if args.only and args.only not in name:
            continue
        result = Result(name, kind, note=note)
        if run is None:
            result.skipped = True
        else:
            measure(result, run, args.repeat, counter)
        results.append(result)
        print(_line(result), flush=True)

    rss = peak_rss_mb()
    checks = [r.verdict for r in results if r.verdict != "SKIP"]
    rss_ok = rss <= GOAL_RSS_MB
    load_ok = load_result.get("skipped") or load_result["total_s"] <= GOAL_LOAD_S * args.scale
    print(_table(results, rss, load_result, args.scale))
    report = {
        "when": datetime.now().isoformat(timespec="seconds"),
        "machine": machine(),
        "database": dialect,
        "url": loader._safe(url),
        "scale": args.scale,
        "today": args.today,
        "repeat": args.repeat,
        "subjects": subjects,
        "goals": {"ms": GOAL_MS, "rss_mb": GOAL_RSS_MB, "load_s": GOAL_LOAD_S * args.scale},
        "load": load_result,
        "peak_rss_mb": round(rss, 1),
        "load_average": {"before": [round(x, 2) for x in load_before], "after": [round(x, 2) for x in os.getloadavg()]},
        "operations": [
            {
                "name": r.name,
                "kind": r.kind,
                "median_ms": _round(r.median),
                "p95_ms": _round(r.p95),
                "min_ms": _round(min(r.samples) if r.samples else None),
                "goal_ms": r.goal,
                "queries": r.queries,
                "verdict": r.verdict,
                "note": r.note,
                "error": r.error,
                "rss_mb_after": round(r.rss_mb, 1),
            }
            for r in results
        ],
    }
    out = BENCH / "results" / "latest.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(report, indent=2, ensure_ascii=False))
    print(f"bench: wrote {out.relative_to(ROOT)}")
    failed = checks.count("FAIL") + (not rss_ok) + (not load_ok)
    print("bench: all goals met" if not failed else f"bench: {failed} goal(s) failed")
    return 1 if failed else 0


def _round(value: float | None) -> float | None:
    return round(value, 1) if value is not None else None


def _line(r: Result) -> str:
    if r.skipped:
        return f"  {r.name:<46} SKIP  {r.note}"
    if r.error:
        return f"  {r.name:<46} FAIL  {r.error}"
    return (
        f"  {r.name:<46} {r.median:8.1f} {r.p95:8.1f} ms  goal {r.goal:>5}  q={r.queries:<3} "
        f"rss {r.rss_mb:6.0f} MB  {r.verdict}"
    )


def _table(results: list[Result], rss: float, load_result: dict[str, Any], scale: int) -> str:
    lines = [
        "",
        f"| operation | median ms | p95 ms | goal ms | SQL | verdict |",  # noqa: F541
        "|---|---:|---:|---:|---:|---|",
    ]
    for r in results:
        if r.skipped:
            lines.append(f"| {r.name} | | | {r.goal} | | SKIP: {r.note} |")
        elif r.error:
            lines.append(f"| {r.name} | | | {r.goal} | | FAIL: {r.error} |")
        else:
            lines.append(f"| {r.name} | {r.median:.1f} | {r.p95:.1f} | {r.goal} | {r.queries} | {r.verdict} |")
    lines.append(f"| peak RSS (MB) | {rss:.0f} | | {GOAL_RSS_MB} | | {'PASS' if rss <= GOAL_RSS_MB else 'FAIL'} |")
    if load_result.get("skipped"):
        lines.append("| load (s) | already loaded | | | | SKIP |")
    else:
        goal = GOAL_LOAD_S * scale
        verdict = "PASS" if load_result["total_s"] <= goal else "FAIL"
        lines.append(f"| load (s) | {load_result['total_s']:.1f} | | {goal} | | {verdict} |")
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
