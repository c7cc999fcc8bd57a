#!/usr/bin/env python3
"""EXPLAIN ANALYZE of the SQL that scenarios 1-3 of bench/serve.py send, on a loaded benchmark database.

    python bench/explain.py [--scale 10 | --url URL] [--deep 1000] [--full]
    python bench/explain.py --scale 10 --time 200      # in-process timings against the default scale

Runs the app in-process on the database (today pinned as bench/wsgi_app.py pins it, the production engine's
settings), makes each scenario's requests through the Flask test client as serve.py's users (the monitor;
the commune with most work, as its officer), captures every SQL statement with its parameters, and EXPLAINs
(ANALYZE, BUFFERS) each that reads a large table: its scan nodes (table, index, rows read) and its time.
Nothing is written; the database is only read. `--full` prints the whole plans; the figures also go to
bench/results/explain-<database>.json. tests/api/test_explain_indexes.py asserts the same on 200,000 rows.
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench import load as loader  # noqa: E402
from bench.serve import DEEP_PAGE, PAGE_SIZE, PASSWORD, TODAY, subjects  # noqa: E402

#: a table of at most this many rows may be read whole (the planner rightly prefers it)
SMALL_TABLE = 10_000
LARGE_TABLES = {"assignment", "task", "directive", "directive_addressee", "progress_update", "audit_event"}


def _nodes(node: dict[str, Any]) -> Iterator[dict[str, Any]]:
    yield node
    for child in node.get("Plans", ()):
        yield from _nodes(child)


def scans(plan: dict[str, Any]) -> list[dict[str, Any]]:
    """The plan's reads of LARGE_TABLES: node type, table, index, rows returned and rows read (all loops)."""
    found = []
    for node in _nodes(plan["Plan"]):
        if node.get("Relation Name") not in LARGE_TABLES:
            continue
        loops = node.get("Actual Loops", 1)
        removed = node.get("Rows Removed by Filter", 0) + node.get("Rows Removed by Index Recheck", 0)
        found.append(
            {
                "node": node["Node Type"],
                "table": node["Relation Name"],
                "index": node.get("Index Name")
                or "+".join(c.get("Index Name", "") for c in node.get("Plans", ()) if c.get("Index Name")),
                "rows": round(node.get("Actual Rows", 0) * loops),
                "read": round((node.get("Actual Rows", 0) + removed) * loops),
                "loops": loops,
            }
        )
    return found


def _from_clause(statement: str) -> str:
    """The statement's own FROM (its subqueries taken out), shortened: which query this is."""
    text = " ".join(statement.split())
    while (shorter := re.sub(r"\([^()]*\)", "", text)) != text:
        text = shorter
    return text.partition(" FROM ")[2].partition(" WHERE ")[0][:90] or text[:90]


def scenario_requests(url: str, deep: int) -> tuple[Any, list[tuple[str, str, dict[str, str]]], dict[str, Any]]:
    """The app on `url` (in-process, production engine settings) and scenarios 1-3's requests as their users:
    (app, [(name, path, headers)], serve.subjects)."""
    state, stored = loader.stored_fingerprint(url)
    if state != "ours" or stored is None:
        raise SystemExit(f"bench: {loader._safe(url)} holds no finished benchmark load ({state})")
    who = subjects(url.replace("postgresql+psycopg://", "postgresql://"))
    from coordination import create_app

    app = create_app(SQLALCHEMY_DATABASE_URI=url, SECRET_KEY="bench-explain", SERVER_NAME=None)  # noqa: S106
    client = app.test_client()

    def bearer(username: str) -> dict[str, str]:
        response = client.post("/api/v1/tokens", json={"username": username, "password": PASSWORD})
        assert response.status_code == 201, response.get_data(as_text=True)
        headers = {"Authorization": f"Bearer {response.get_json()['token']}"}
        client.get("/api/v1/me", headers=headers)  # the token's first use is recorded: not part of a scenario
        return headers

    monitor, officer = bearer(who["monitor"]["username"]), bearer(who["commune"]["officer"])
    overdue = f"/api/v1/assignments?timeliness=overdue&page_size={PAGE_SIZE}"
    page, number = get(app, overdue, monitor), 1
    while number < deep - 1 and page["next_page_token"]:
        page, number = get(app, f"{overdue}&page_token={page['next_page_token']}", monitor), number + 1
    assignment = who["with_history"][0]
    requests = [
        ("overdue list, page 1", overdue, monitor),
        (f"overdue list, page {number + 1}", f"{overdue}&page_token={page['next_page_token']}", monitor),
        (
            f"{who['commune']['code']}'s open work",
            f"/api/v1/assignments?agency={who['commune']['code']}&open=true&page_size={PAGE_SIZE}",
            officer,
        ),
        (f"assignment {assignment}", f"/api/v1/assignments/{assignment}", officer),
        (f"assignment {assignment}'s history", f"/api/v1/assignments/{assignment}/history", officer),
    ]
    return app, requests, who


def get(app: Any, url: str, headers: dict[str, str]) -> dict[str, Any]:
    response = app.test_client().get(url, headers=headers)
    assert response.status_code == 200, (url, response.get_data(as_text=True)[:300])
    return response.get_json()


def timed(url: str, other: str, deep: int, repeat: int) -> int:
    """Scenarios 1-3 in-process on two databases, request by request alternately (machine noise shared): the
    median and p90 ms of each, and the ratio of the medians (`url` over `other`)."""
    app, requests, _ = scenario_requests(url, deep)
    app_other, requests_other, _ = scenario_requests(other, deep)
    samples: dict[int, tuple[list[float], list[float]]] = {i: ([], []) for i in range(len(requests))}
    for _round in range(repeat + 2):  # two rounds of warm-up
        for i, ((_, path, headers), (_, path_o, headers_o)) in enumerate(zip(requests, requests_other, strict=True)):
            for target, (a, p, h) in ((0, (app, path, headers)), (1, (app_other, path_o, headers_o))):
                started = time.perf_counter()
                get(a, p, h)
                if _round >= 2:
                    samples[i][target].append((time.perf_counter() - started) * 1000)
    name_a, name_b = (sa_url(u).database for u in (url, other))
    print(f"\nin-process, {repeat} requests each, alternately: {name_a} against {name_b}")
    print(f"| request | {name_b} median, p90 ms | {name_a} median, p90 ms | ratio of medians |")
    print("|---|---:|---:|---:|")
    for i, (name, _p, _h) in enumerate(requests):
        here, there = samples[i]
        m_here, m_there = statistics.median(here), statistics.median(there)
        print(
            f"| {name} / {requests_other[i][0]} | {m_there:.1f}, {_p90(there):.1f} | {m_here:.1f}, {_p90(here):.1f} "
            f"| {m_here / m_there:.2f} |"
        )
    return 0


def _p90(samples: list[float]) -> float:
    return sorted(samples)[int(0.9 * (len(samples) - 1))]


def sa_url(url: str) -> Any:
    import sqlalchemy as sa

    return sa.engine.make_url(url)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--scale", type=int, default=1, help="10: coord_bench_10x (default: coord_bench)")
    parser.add_argument("--url", default=None, help="PostgreSQL URL of a loaded benchmark database")
    parser.add_argument("--deep", type=int, default=DEEP_PAGE, help="the overdue list's deep page, by cursors")
    parser.add_argument("--full", action="store_true", help="print the whole plans")
    parser.add_argument("--time", type=int, default=0, metavar="N", help="time N requests each instead, alternately")
    parser.add_argument("--versus", type=int, default=1, help="with --time: the other scale (default 1)")
    args = parser.parse_args()
    url = loader.normalise_url(args.url or loader.default_url(args.scale))

    from bench.run import pin_today

    pin_today(TODAY)
    if args.time:
        return timed(url, loader.normalise_url(loader.default_url(args.versus)), args.deep, args.time)
    import sqlalchemy as sa
    from sqlalchemy import event

    from coordination.extensions import db

    app, requests, who = scenario_requests(url, args.deep)

    with app.app_context():
        engine = db.engine
    report: dict[str, Any] = {"database": loader._safe(url), "counts": who["counts"], "requests": []}
    for name, path, headers in requests:
        statements: list[tuple[str, Any]] = []

        def capture(conn, cursor, statement, parameters, context, executemany, into=statements):  # type: ignore[no-untyped-def]
            into.append((statement, parameters))

        get(app, path, headers)  # warm: the plans below are of a warm cache, as under load
        event.listen(engine, "before_cursor_execute", capture)
        started = time.perf_counter()
        get(app, path, headers)
        elapsed = (time.perf_counter() - started) * 1000
        event.remove(engine, "before_cursor_execute", capture)
        entry: dict[str, Any] = {"request": name, "path": path, "ms_in_process": round(elapsed, 1), "statements": []}
        print(f"\n== {name}: GET {path[:90]}  ({elapsed:.1f} ms in-process, {len(statements)} statements)")
        with app.app_context(), db.engine.connect() as connection:
            for statement, parameters in statements:
                if not statement.lstrip().upper().startswith("SELECT"):
                    continue
                plan = connection.exec_driver_sql(
                    f"EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) {statement}", parameters
                ).scalar_one()
                plan = (json.loads(plan) if isinstance(plan, str) else plan)[0]
                read = scans(plan)
                if not read:
                    continue
                what = _from_clause(statement)
                line = {"from": what, "execution_ms": plan["Execution Time"], "scans": read}
                entry["statements"].append(line)
                print(f"  {plan['Execution Time']:8.2f} ms  FROM {what}")
                for scan in read:
                    print(
                        f"      {scan['node']} on {scan['table']}"
                        + (f" using {scan['index']}" if scan["index"] else "")
                        + f": {scan['rows']:,} rows, {scan['read']:,} read, {scan['loops']:,} loops"
                    )
                if args.full:
                    text = connection.exec_driver_sql(f"EXPLAIN (ANALYZE, BUFFERS) {statement}", parameters)
                    print("\n".join("        " + row for row in text.scalars()))
            connection.rollback()
        report["requests"].append(entry)
    out = BENCH / "results" / f"explain-{sa.engine.make_url(url).database}.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(report, indent=2, ensure_ascii=False))
    with app.app_context(), db.engine.connect() as connection:
        sizes = dict(connection.exec_driver_sql("SELECT relname, reltuples FROM pg_class WHERE relkind = 'r'").all())
    with app.app_context():
        db.engine.dispose()
    # a table the data set leaves (nearly) empty is scanned whole, rightly (audit_event is loaded: ~1.4 million events)
    seq = [
        f"{s['table']} ({sizes.get(s['table'], 0):,.0f} rows)"
        for r in report["requests"]
        for st in r["statements"]
        for s in st["scans"]
        if s["node"] == "Seq Scan"
    ]
    big = [s for s in seq if sizes.get(s.split()[0], 0) > SMALL_TABLE]
    print(f"\nbench: wrote {out.relative_to(ROOT)}; sequential scans: {', '.join(seq) or 'none'}")
    return 1 if big else 0


if __name__ == "__main__":
    sys.exit(main())
