"""The floors `make bench` measures the app against, served by the same gunicorn settings.

* `GET /hello`: Flask alone (the framework floor).
* `GET /floor/assignments?...`: the best this stack can do for the API's assignment lists: one hand-written
  SQL statement through psycopg 3 (a connection per thread, kept open), rows turned into the same JSON
  fields as `GET /api/v1/assignments` (AssignmentSchema, with the same keyset `page_token`), with no ORM,
  schema, session or authentication. Scenarios: `as=monitor&agency_id=N` (the overdue list of everything
  agency N monitors or has work in) and `agency_id=N&open=true` (one agency's open work as its officer).

The SQL is in `SQL` below so that bench/serve.py can time it alone too (the database floor). It is
written for both schemas (with or without assignment.directive_id), so one floor serves a before/after run.
"""

from __future__ import annotations

import base64
import os
import threading
from datetime import date, timedelta
from typing import Any

import psycopg
from flask import Flask, jsonify, request

TIMELINESS = """CASE WHEN a.status = 'cancelled' THEN NULL
 WHEN a.status = 'done' THEN CASE WHEN a.deadline IS NULL OR COALESCE(a.reported_done_on, a.completed_on) IS NULL
   OR COALESCE(a.reported_done_on, a.completed_on) <= a.deadline THEN 'done_on_time' ELSE 'done_late' END
 WHEN a.deadline IS NULL THEN 'no_deadline'
 WHEN a.status = 'reported_done' AND a.reported_done_on IS NOT NULL
   THEN CASE WHEN a.reported_done_on <= a.deadline THEN 'on_time' ELSE 'overdue' END
 WHEN a.deadline < %(today)s THEN 'overdue'
 WHEN a.deadline <= %(soon)s THEN 'due_soon'
 ELSE 'on_time' END"""

COLUMNS = f"""a.id, d.id, d.ref, t.id, t.label, g.id, g.code, g.name_vi, g.name_en, g.short_name, a.role, a.status,
 {TIMELINESS}, a.deadline, a.reported_done_on, a.completed_on, a.progress_percent, a.version"""

FROM = """FROM assignment a JOIN task t ON t.id = a.task_id JOIN directive d ON d.id = t.directive_id
 JOIN agency g ON g.id = a.agency_id"""

# constant text only (the placeholders are psycopg's): nothing from a request is formatted in
SQL = {
    # the monitor's overdue list: what its agency monitors, or has work in, or is addressed by
    "overdue": f"""SELECT {COLUMNS} {FROM}
 WHERE d.status <> 'draft' AND (d.monitor_agency_id = %(agency)s
   OR EXISTS (SELECT 1 FROM task t2 JOIN assignment x ON x.task_id = t2.id
              WHERE t2.directive_id = d.id AND x.agency_id = %(agency)s)
   OR EXISTS (SELECT 1 FROM directive_addressee da WHERE da.directive_id = d.id AND da.agency_id = %(agency)s))
 AND a.status NOT IN ('done', 'cancelled') AND a.deadline < %(today)s
 AND NOT (a.status = 'reported_done' AND a.reported_done_on IS NOT NULL AND a.reported_done_on <= a.deadline)
 AND a.id > %(after)s ORDER BY a.id LIMIT %(limit)s""",  # noqa: S608 - constant text, psycopg placeholders
    # one agency's open work, as its officer sees it
    "open": f"""SELECT {COLUMNS} {FROM}
 WHERE a.agency_id = %(agency)s AND a.status NOT IN ('done', 'cancelled') AND d.status <> 'draft'
 AND a.id > %(after)s ORDER BY a.id LIMIT %(limit)s""",
}

#: the app's own connection settings (coordination/__init__.py), so that both get the same plans
OPTIONS = "-c jit=off -c max_parallel_workers_per_gather=0"

app = Flask(__name__)
_local = threading.local()
TODAY = date.fromisoformat(os.environ.get("BENCH_TODAY", "2026-11-24"))
DUE_SOON_DAYS = 3


def _connection() -> psycopg.Connection:
    connection = getattr(_local, "connection", None)
    if connection is None or connection.closed:
        connection = psycopg.connect(os.environ["BENCH_FLOOR_DSN"], autocommit=True, options=OPTIONS)
        _local.connection = connection
    return connection


def params(agency: int, after: int, limit: int) -> dict[str, Any]:
    return {
        "agency": agency,
        "after": after,
        "limit": limit,
        "today": TODAY,
        "soon": TODAY + timedelta(days=DUE_SOON_DAYS),
    }


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day is not None else None


def _token(last_id: int) -> str:
    return base64.urlsafe_b64encode(str(last_id).encode("ascii")).decode("ascii").rstrip("=")


def _after(token: str | None) -> int:
    if not token:
        return 0
    return int(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))


@app.get("/hello")
def hello() -> str:
    return "hello"


@app.get("/floor/assignments")
def assignments() -> Any:
    size = int(request.args.get("page_size", 50))
    which = "overdue" if request.args.get("timeliness") == "overdue" else "open"
    with _connection().cursor() as cursor:
        cursor.execute(
            SQL[which], params(int(request.args["agency_id"]), _after(request.args.get("page_token")), size + 1)
        )
        rows = cursor.fetchall()
    more = len(rows) > size
    rows = rows[:size]
    items = [
        {
            "id": r[0],
            "directive": {"id": r[1], "ref": r[2]},
            "task": {"id": r[3], "label": r[4]},
            "agency": {"id": r[5], "code": r[6], "name_vi": r[7], "name_en": r[8], "short_name": r[9]},
            "role": r[10],
            "status": r[11],
            "timeliness": r[12],
            "deadline": _iso(r[13]),
            "reported_done_on": _iso(r[14]),
            "completed_on": _iso(r[15]),
            "progress_percent": r[16],
            "version": r[17],
        }
        for r in rows
    ]
    return jsonify({"items": items, "next_page_token": _token(rows[-1][0]) if more else None, "page_size": size})
