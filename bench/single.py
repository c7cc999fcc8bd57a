#!/usr/bin/env python3
"""`make bench`, the single runs: each in a process of its own, its wall time and its peak memory (RSS).

    python bench/single.py [--url URL] [--only NAME] [--no-markdown]

The runs (issue 14), on the data set serve.py and run.py load (coord_bench by default):
- the compliance report of the largest directive as PDF, and as xlsx;
- the xlsx of every overdue assignment of the office's directives (~70,000 rows);
- `flask reminders run` over the whole data set, then again at once (which must send nothing);
- parsing each directive text of tests/fixtures/directives (the importer).

Each run is a child process (`bench/single.py --child NAME`) started from this one: its figures are its own
(os.wait4 gives the child's peak RSS, not this process's), so the app's import and every allocation count,
as they would for a worker serving the request. The reminders run on a copy of the database (CREATE DATABASE
… TEMPLATE), dropped afterwards, so that the loaded data set is left as it was; their digests go to an SMTP
server inside this process (aiosmtpd), which counts them. Results go to bench/results/single.json (every goal,
its figure, whether it is met, and `goals_missed`) and to a table appended to bench/RESULTS.md; exit 1 when a
goal is missed.
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import statistics
import subprocess
import sys
import time
from datetime import date
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench import load as loader  # noqa: E402
from bench.serve import _git  # noqa: E402

TODAY = date(2026, 11, 24)
RESULTS = BENCH / "results" / "single.json"
MARK_BEGIN, MARK_END = "<!-- single:begin -->", "<!-- single:end -->"

#: (run, what, seconds at most, MB at most); None where the issue sets no goal
RUNS: list[tuple[str, str, float | None, float | None]] = [
    ("pdf_largest", "compliance report of the largest directive, PDF", 5.0, 300.0),
    ("xlsx_largest", "compliance report of the largest directive, xlsx", None, 300.0),
    ("xlsx_overdue", "xlsx of every overdue assignment of the office", 10.0, 300.0),
    ("reminders_first", "reminders run over the whole data set", 60.0, None),
    ("reminders_second", "reminders run again at once (sends nothing)", 10.0, None),
    ("parse", "parsing each directive of tests/fixtures (slowest median)", 0.05, None),
]


# --- the child: one run --------------------------------------------------------------------------------------


def child(name: str, url: str) -> dict[str, Any]:
    """Do one run in this process; return what it produced (rows, bytes, counts)."""
    from bench.run import pin_today

    pin_today(TODAY)
    if name == "parse":
        return _parse()
    from coordination import create_app

    app = create_app(SQLALCHEMY_DATABASE_URI=url, SECRET_KEY="bench-single-" + "x" * 32)
    if name.startswith("reminders"):
        runner = app.test_cli_runner()
        started = time.perf_counter()
        result = runner.invoke(args=["reminders", "run", "--today", TODAY.isoformat(), "--json"])
        seconds = time.perf_counter() - started
        if result.exit_code != 0:
            raise SystemExit(f"reminders run: exit {result.exit_code}: {result.output[-500:]}")
        return {**json.loads(result.output.strip().splitlines()[-1]), "seconds": round(seconds, 2)}
    client = app.test_client()
    office = os.environ["BENCH_OFFICE"]
    response = client.post("/api/v1/tokens", json={"username": office, "password": loader.BENCH_PASSWORD})
    headers = {"Authorization": f"Bearer {response.get_json()['token']}"}
    if name == "xlsx_overdue":
        query = "timeliness=overdue&format=xlsx"
    else:
        query = f"directive={os.environ['BENCH_DIRECTIVE']}&format={'pdf' if name == 'pdf_largest' else 'xlsx'}"
    started = time.perf_counter()
    response = client.get(f"/api/v1/reports/compliance?{query}", headers=headers, buffered=False)
    size = sum(len(chunk) for chunk in response.response)  # streamed: read as a client would, not kept
    response.close()
    seconds = time.perf_counter() - started
    if response.status_code != 200:
        raise SystemExit(f"GET {query}: {response.status_code}")
    # the request's own time: what a user waits for (the process's start is in `process_seconds`)
    out: dict[str, Any] = {"bytes": size, "content_type": response.content_type, "seconds": round(seconds, 2)}
    if name == "xlsx_overdue":
        out["rows"] = int(os.environ.get("BENCH_OVERDUE", "0"))
    return out


def _parse() -> dict[str, Any]:
    from coordination.importer.parser import parse_directive

    medians = {}
    fixtures = ROOT / "tests" / "fixtures" / "directives"
    for path in sorted([*fixtures.glob("*.txt"), *(fixtures / "corpus").glob("*.txt")]):
        text = path.read_text(encoding="utf-8")
        parse_directive(text)  # warm-up
        samples = []
        for _ in range(15):
            started = time.perf_counter()
            parse_directive(text)
            samples.append(time.perf_counter() - started)
        medians[path.name] = round(statistics.median(samples) * 1000, 2)
    return {"medians_ms": medians, "slowest_s": max(medians.values()) / 1000}


# --- the parent: runs each child, measures it ----------------------------------------------------------------


def run_child(name: str, url: str, env: dict[str, str]) -> dict[str, Any]:
    out = BENCH / "results" / f"single-{name}.json"
    out.unlink(missing_ok=True)
    command = [sys.executable, str(Path(__file__)), "--child", name, "--url", url, "--out", str(out)]
    started = time.perf_counter()
    process = subprocess.Popen(command, env={**os.environ, **env})  # noqa: S603 - our own script
    _pid, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    result: dict[str, Any] = {
        "seconds": round(seconds, 2),
        "process_seconds": round(seconds, 2),
        "peak_rss_mb": round(usage.ru_maxrss / 1024, 1),  # KiB on Linux
        "exit": process.returncode,
    }
    if process.returncode == 0 and out.exists():
        result["output"] = json.loads(out.read_text())
        result["seconds"] = result["output"].get("seconds", result["seconds"])
        if name == "parse":
            result["seconds"] = result["output"]["slowest_s"]
    return result


def _subjects(dsn: str) -> dict[str, Any]:
    import psycopg

    with psycopg.connect(dsn) as conn:
        directive_id, ref, issuer_id, count = conn.execute(
            "SELECT d.id, d.ref, d.issuer_id, count(*) FROM assignment a JOIN directive d ON d.id = a.directive_id"
            " GROUP BY d.id ORDER BY count(*) DESC, d.id LIMIT 1"
        ).fetchone()
        office = conn.execute(
            "SELECT username FROM user_account WHERE role = 'office' AND agency_id = %s ORDER BY id LIMIT 1",
            (issuer_id,),
        ).fetchone()[0]
        overdue = conn.execute(
            "SELECT count(*) FROM assignment a JOIN directive d ON d.id = a.directive_id"
            " WHERE d.issuer_id = %s AND d.status <> 'draft' AND a.status NOT IN ('done', 'cancelled')"
            " AND a.deadline < %s AND NOT (a.status = 'reported_done' AND a.reported_done_on <= a.deadline)",
            (issuer_id, TODAY),
        ).fetchone()[0]
    return {"directive_id": directive_id, "ref": ref, "assignments": count, "office": office, "overdue": overdue}


def _copy_database(dsn: str, copy: str, *, drop_only: bool = False) -> None:
    import psycopg

    base, _slash, source = dsn.rpartition("/")
    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{copy}" WITH (FORCE)')
        if not drop_only:
            conn.execute(f'CREATE DATABASE "{copy}" TEMPLATE "{source}"')


def _smtp_sink() -> tuple[Any, list[int]]:
    from aiosmtpd.controller import Controller

    received: list[int] = []

    class Count:
        async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
            received.append(len(envelope.content))
            return "250 OK"

    with socket.socket() as probe:  # aiosmtpd needs a real port to check that it is up
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(Count(), hostname="127.0.0.1", port=port)
    controller.start()
    return controller, received


def goals_of(results: dict[str, Any]) -> list[dict[str, Any]]:
    goals = []
    for name, what, seconds, megabytes in RUNS:
        result = results.get(name)
        if result is None:
            continue
        failed = result["exit"] != 0
        for target, key, label in ((seconds, "seconds", "≤ {:g} s"), (megabytes, "peak_rss_mb", "peak RSS ≤ {:g} MB")):
            if target is not None:
                figure = result[key]
                goals.append(
                    {
                        "goal": f"{what}: {label.format(target)}",
                        "figure": figure,
                        "target": target,
                        "met": not failed and figure <= target,
                    }
                )
        if name == "reminders_second":
            output = result.get("output") or {}
            sent = sum(output.get(k, 0) or 0 for k in ("sent", "escalated", "emails")) + result.get("mails", 0)
            goals.append(
                {
                    "goal": "reminders run again at once: sends nothing",
                    "figure": sent,
                    "target": 0,
                    "met": not failed and sent == 0,
                }
            )
    return goals


def markdown(report: dict[str, Any]) -> str:
    lines = [
        MARK_BEGIN,
        "## Single runs (`bench/single.py`), each in a process of its own",
        "",
        f"Written by `bench/single.py` ({report['when']}, commit {report['commit']}); load average before / after "
        f"{report['load_average']['before'][0]} / {report['load_average']['after'][0]}. Largest directive: "
        f"{report['subjects']['ref']} ({report['subjects']['assignments']:,} assignments); overdue assignments of "
        f"the office's directives: {report['subjects']['overdue']:,}. Peak RSS is the child process's own "
        "(the app's import included); seconds are the run's own, process seconds add the start of Python and the app.",
        "",
        "| run | seconds | process seconds | peak RSS MB | output |",
        "|---|---:|---:|---:|---|",
    ]
    for name, what, _s, _m in RUNS:
        result = report["runs"].get(name)
        if result is None:
            continue
        output = result.get("output") or {}
        if name == "parse":
            shown = ", ".join(f"{k} {v} ms" for k, v in output.get("medians_ms", {}).items())
        elif name.startswith("reminders"):
            shown = f"sent {output.get('sent')}, escalated {output.get('escalated')}, e-mails {result.get('mails')}"
        else:
            shown = f"{output.get('bytes', 0):,} bytes"
        exit_note = "" if result["exit"] == 0 else f" **exit {result['exit']}**"
        lines.append(
            f"| {what} | {result['seconds']:g} | {result['process_seconds']:g} | {result['peak_rss_mb']:g} "
            f"| {shown}{exit_note} |"
        )
    lines += ["", "| goal | figure | target | met |", "|---|---:|---:|---|"]
    for goal in report["goals"]:
        lines.append(
            f"| {goal['goal']} | {goal['figure']:g} | {goal['target']:g} | {'yes' if goal['met'] else '**no**'} |"
        )
    lines.append(MARK_END)
    return "\n".join(lines)


def write_markdown(section: str) -> None:
    page = BENCH / "RESULTS.md"
    text = page.read_text() if page.exists() else ""
    if MARK_BEGIN in text and MARK_END in text:
        before, _sep, rest = text.partition(MARK_BEGIN)
        _old, _sep, after = rest.partition(MARK_END)
        text = before + section + after
    else:
        text = text.rstrip("\n") + "\n\n" + section + "\n"
    page.write_text(text)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--url", default=os.environ.get("BENCH_DATABASE_URL", loader.DEFAULT_URL))
    parser.add_argument("--only", default=None, help="only the runs whose name contains this")
    parser.add_argument("--no-markdown", action="store_true", help="do not write the section of bench/RESULTS.md")
    parser.add_argument("--child", default=None, help=argparse.SUPPRESS)
    parser.add_argument("--out", type=Path, default=None, help=argparse.SUPPRESS)
    args = parser.parse_args()
    url = loader.normalise_url(args.url)
    if args.child:
        args.out.write_text(json.dumps(child(args.child, url)))
        return 0
    if not url.startswith("postgresql"):
        raise SystemExit("bench/single.py runs on PostgreSQL (the reminders run on a copy made by CREATE DATABASE)")
    state, _stored = loader.stored_fingerprint(url)
    if state != "ours":
        raise SystemExit(f"bench: {loader._safe(url)} holds no data set: run bench/serve.py or bench/run.py first")
    dsn = url.replace("postgresql+psycopg://", "postgresql://")
    who = _subjects(dsn)
    print(f"bench: largest directive {who['ref']} ({who['assignments']:,} assignments), {who['overdue']:,} overdue")
    env = {
        "BENCH_OFFICE": who["office"],
        "BENCH_DIRECTIVE": str(who["directive_id"]),
        "BENCH_OVERDUE": str(who["overdue"]),
        "COORDINATION_ENV": "production",
        "SECRET_KEY": "bench-single-" + "y" * 40,
        "EVIDENCE_DIR": str(BENCH / "results" / "evidence"),
        "LOG_LEVEL": "WARNING",
    }
    env.pop("REDIS_URL", None)  # the exports measured here are the synchronous ones
    (BENCH / "results").mkdir(exist_ok=True)
    load_before = os.getloadavg()
    results: dict[str, Any] = {}
    wanted = [name for name, *_rest in RUNS if not args.only or args.only in name]
    for name in [n for n in wanted if not n.startswith("reminders")]:
        results[name] = run_child(name, url, env)
        print(f"  {name:<18} {results[name]['seconds']:8.2f} s  {results[name]['peak_rss_mb']:7.1f} MB", flush=True)
    if any(n.startswith("reminders") for n in wanted):
        copy = "coord_bench_single_reminders"
        _copy_database(dsn, copy)
        controller, received = _smtp_sink()
        copy_url = url.rpartition("/")[0] + "/" + copy
        mail_env = {**env, "MAIL_SERVER": "127.0.0.1", "MAIL_PORT": str(controller.port)}
        try:
            for name in ("reminders_first", "reminders_second"):
                before = len(received)
                results[name] = run_child(name, copy_url, mail_env)
                results[name]["mails"] = len(received) - before
                print(
                    f"  {name:<18} {results[name]['seconds']:8.2f} s  {results[name]['peak_rss_mb']:7.1f} MB"
                    f"  {results[name].get('output')}, {results[name]['mails']} e-mails",
                    flush=True,
                )
        finally:
            controller.stop()
            _copy_database(dsn, copy, drop_only=True)
    goals = goals_of(results)
    report = {
        "when": time.strftime("%Y-%m-%dT%H:%M:%S"),
        "commit": _git("rev-parse", "--short", "HEAD"),
        "database": loader._safe(url),
        "load_average": {"before": [round(x, 2) for x in load_before], "after": [round(x, 2) for x in os.getloadavg()]},
        "subjects": who,
        "runs": results,
        "goals": goals,
        "goals_missed": [g["goal"] for g in goals if not g["met"]],
    }
    RESULTS.write_text(json.dumps(report, indent=2, ensure_ascii=False))
    section = markdown(report)
    print(section)
    if not args.no_markdown and not args.only:
        write_markdown(section)
    missed = report["goals_missed"]
    print("bench: every single run met its goals" if not missed else f"bench: {len(missed)} goal(s) missed")
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
