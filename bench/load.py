#!/usr/bin/env python3
"""Build the benchmark database: run the migrations, then bulk-load the CSVs of gen_dataset.py.

    python bench/load.py bench/data [--url URL] [--force]

The database is made fresh (created if missing, dropped and re-created when it holds another data
set) and built by the project's own migrations (flask_migrate.upgrade), so the schema, indexes and
constraints are exactly those of production. Rows are then loaded with PostgreSQL COPY (psycopg 3
`cursor.copy`) or, on SQLite, with executemany of Core inserts in batches of BATCH rows.

A fingerprint of the CSVs, of this file and of the migrations is kept in the table `bench_meta`;
when it matches, nothing is done, so a second `make bench` starts measuring at once. `bench_meta`
also marks the database as the benchmark's: a database that holds tables but no `bench_meta` is
never dropped.

How the CSV columns become rows (what the generator leaves open is decided here):

* agencies: `level` follows the tree: no parent = province, child of a province agency =
  district, child of a district = commune; `kind` as given.
* users: one argon2 hash of BENCH_PASSWORD, computed once and given to every user (hashing
  thousands of passwords would dominate the load).
* directives: status `active`, issued, activated and created at 08:00 local time on `issued_on`.
  Numbers restart every year, so `ref` ("12/UBND-KT") repeats across years; the model wants it
  unique per issuer, so a repeat gets its year: "12/UBND-KT (2025)". `search_text` is
  `coordination.text.fold` of ref, subject and the texts of its tasks, the rule of
  `coordination.directives.operations.search_text_of`.
* directive addressees ("Kính gửi"), which the CSVs lack: one per agency that holds an assignment
  in the directive, in order of its first assignment, so that `visible_directives`' addressee
  test has real rows to look at.
* tasks: `text` = content; a task without a deadline (the generator's recurring duty) has
  recurrence `continuous`, the others `none`.
* assignments: status, deadline, completed_on and progress as given; `directive_id` is the task's
  directive (the foreign key (task_id, directive_id) -> task checks it). `reported_done_on` is the day
  the agency reported the work done: for `done`, `completed_on` (the generator's completion date,
  which decides done on time / late); for `reported_done`, the local day of the progress update
  that moved it to `reported_done`; otherwise empty.
* progress updates: author, note (`text`) and time as given (local time, Asia/Ho_Chi_Minh). An
  update whose `status_to` differs from the assignment's previous status is a transition
  (`status_from` = the previous status, not_started before the first update); one that repeats the
  status is a plain note (`status_from` = `status_to` = empty), as `report_progress` records them.
* audit events (the history `GET /api/v1/assignments/<id>/history` and `flask audit verify` read), as the
  app's operations write them (`coordination.audit.record`):
  - each directive: `directive.create` (after: DIRECTIVE_AUDIT_FIELDS with status draft, and its number
    of tasks) and `directive.activate` (status draft -> active), by the issuer agency's first user, at the
    directive's created_at; creating a directive writes no event per assignment, so neither does the loader.
  - each progress update: the event of `report_progress` (entity assignment, before = the assignment's
    ASSIGNMENT_AUDIT_FIELDS, after = the same with the update's `note`), by the update's author, at its
    created_at. The action follows the status change: `assignment.start` (not_started -> in_progress; on the
    last update of work still in progress, after carries the assignment's progress_percent, as a start
    reporting a percentage would), `assignment.progress` (a plain note), `assignment.report_done`
    (progress 100, reported_done_on = the assignment's, else the update's day). An update to `done`
    (the generator skips the report) is two events at its time, as the app needs two actions:
    `assignment.report_done` by the author, then `assignment.accept` by the directive's monitor agency's
    first user (the issuer's if none; completed_on = the assignment's, else the update's day, note empty).
    The last event of an assignment thus ends on the loaded row's status, percentage and dates.
  Events are ordered by time over the whole data set (ties: in the order above), numbered from 1, and
  chained by `coordination.audit.chain_hash` itself (prev_hash = the previous event's hash), so that
  `flask audit verify` passes. Directives are issued in order, so a window of pending events in a heap
  (at most the events of the last days) orders the stream without holding it all.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import heapq
import itertools
import json
import os
import sys
import time
from collections.abc import Callable, Iterable, Iterator
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import sqlalchemy as sa

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

#: every bench user's password (the data set is synthetic; nothing here is secret)
BENCH_PASSWORD = "bench-2026"  # noqa: S105
DEFAULT_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/coord_bench"
#: the day the data set is generated for (gen_dataset.py --today): the tally is rolled to it after a load
DATASET_DAY = date(2026, 11, 24)
#: rows per executemany on SQLite
BATCH = 20_000
#: Việt Nam keeps +07:00 all year
LOCAL = timezone(timedelta(hours=7))
META_TABLE = "bench_meta"
CSV_FILES = ("agencies.csv", "users.csv", "directives.csv", "tasks.csv", "assignments.csv", "updates.csv")


def normalise_url(url: str) -> str:
    """psycopg 3 for PostgreSQL; an SQLite file path made absolute (Flask-SQLAlchemy would put a relative one
    under instance/)."""
    parsed = sa.engine.make_url(url)
    if parsed.get_backend_name() == "sqlite" and parsed.database and parsed.database != ":memory:":
        return parsed.set(database=str(Path(parsed.database).resolve())).render_as_string(hide_password=False)
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://") :]
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://") :]
    return url


def default_url(scale: int = 1) -> str:
    """BENCH_DATABASE_URL, else coord_bench (coord_bench_10x for --scale 10) on the local PostgreSQL."""
    url = os.environ.get("BENCH_DATABASE_URL")
    if url:
        return normalise_url(url)
    return DEFAULT_URL if scale == 1 else f"{DEFAULT_URL}_{scale}x"


def fingerprint(data_dir: Path) -> str:
    """SHA-256 of the CSVs, this loader and the migrations: any change means a reload."""
    digest = hashlib.sha256()
    files = [data_dir / name for name in CSV_FILES]
    # the loader, and the app's chain_hash its audit events are hashed with
    files += [Path(__file__).resolve(), ROOT / "coordination" / "audit.py"]
    files += sorted((ROOT / "migrations" / "versions").glob("*.py"))
    for path in files:
        digest.update(path.name.encode())
        with open(path, "rb") as fh:
            while chunk := fh.read(1 << 20):
                digest.update(chunk)
    return digest.hexdigest()


# --- the database itself ---------------------------------------------------------------------------


def _is_sqlite(url: str) -> bool:
    return sa.engine.make_url(url).get_backend_name() == "sqlite"


def _sqlite_path(url: str) -> Path:
    database = sa.engine.make_url(url).database
    if not database or database == ":memory:":
        raise SystemExit("bench: an SQLite benchmark needs a file, e.g. sqlite:///bench/data/bench.db")
    return Path(database)


def stored_fingerprint(url: str) -> tuple[str, str | None]:
    """("missing" | "empty" | "ours" | "foreign", the fingerprint stored by a finished load or None)."""
    if _is_sqlite(url):
        if not _sqlite_path(url).exists():
            return "missing", None
    else:
        admin = _admin_engine(url)
        try:
            with admin.connect() as conn:
                exists = conn.scalar(
                    sa.text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": sa.engine.make_url(url).database}
                )
        finally:
            admin.dispose()
        if not exists:
            return "missing", None
    engine = sa.create_engine(url)
    try:
        tables = set(sa.inspect(engine).get_table_names())
        if not tables:
            return "empty", None
        if META_TABLE not in tables:
            return "foreign", None
        with engine.connect() as conn:
            value = conn.scalar(sa.text(f"SELECT value FROM {META_TABLE} WHERE key = 'fingerprint'"))  # noqa: S608
        return "ours", value
    finally:
        engine.dispose()


def _admin_engine(url: str) -> sa.Engine:
    return sa.create_engine(sa.engine.make_url(url).set(database="postgres"), isolation_level="AUTOCOMMIT")


def recreate_database(url: str) -> None:
    """Drop the benchmark database if it exists and create it empty, marked as the benchmark's."""
    if _is_sqlite(url):
        path = _sqlite_path(url)
        for suffix in ("", "-wal", "-shm", "-journal"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        path.parent.mkdir(parents=True, exist_ok=True)
    else:
        name = sa.engine.make_url(url).database
        admin = _admin_engine(url)
        try:
            with admin.connect() as conn:
                quoted = conn.dialect.identifier_preparer.quote(name)
                conn.exec_driver_sql(f"DROP DATABASE IF EXISTS {quoted} WITH (FORCE)")
                conn.exec_driver_sql(f"CREATE DATABASE {quoted} ENCODING 'UTF8' TEMPLATE template0")
        finally:
            admin.dispose()
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        conn.exec_driver_sql(f"CREATE TABLE {META_TABLE} (key VARCHAR(40) PRIMARY KEY, value TEXT NOT NULL)")
        conn.exec_driver_sql(f"INSERT INTO {META_TABLE} (key, value) VALUES ('state', 'loading')")  # noqa: S608
    engine.dispose()


def _set_meta(conn: sa.Connection, key: str, value: str) -> None:
    conn.execute(sa.text(f"DELETE FROM {META_TABLE} WHERE key = :k"), {"k": key})  # noqa: S608
    conn.execute(sa.text(f"INSERT INTO {META_TABLE} (key, value) VALUES (:k, :v)"), {"k": key, "v": value})  # noqa: S608


# --- CSV rows to table rows --------------------------------------------------------------------------


def _read(data_dir: Path, name: str) -> Iterator[list[str]]:
    with open(data_dir / name, newline="", encoding="utf-8") as fh:
        reader = csv.reader(fh)
        next(reader)
        yield from reader


def _day(text: str) -> date | None:
    return date.fromisoformat(text) if text else None


def _morning(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 8, tzinfo=LOCAL)


class Dataset:
    """The CSVs of one data set, read as the loader needs them (streamed where they are large)."""

    def __init__(self, data_dir: Path, password_hash: str, now: datetime) -> None:
        self.dir = data_dir
        self.password_hash = password_hash
        self.now = now
        self.issued: dict[int, date] = {}
        self.directive_of_task: dict[int, int] = {}
        self.task_texts: dict[int, list[str]] = {}
        for task_id, directive_id, _label, _position, content, _deadline in _read(data_dir, "tasks.csv"):
            self.directive_of_task[int(task_id)] = int(directive_id)
            self.task_texts.setdefault(int(directive_id), []).append(content)
        # the day each reported_done assignment was reported: its update moving it to reported_done
        self.reported_on: dict[int, date] = {}
        for _id, assignment_id, created_at, _author, status_to, _text in _read(data_dir, "updates.csv"):
            if status_to == "reported_done":
                self.reported_on[int(assignment_id)] = date.fromisoformat(created_at[:10])

    def agencies(self) -> Iterator[dict[str, Any]]:
        level: dict[int, str] = {}
        below = {"province": "district", "district": "commune", "commune": "commune"}
        for id_, code, name_vi, name_en, kind, parent_id in _read(self.dir, "agencies.csv"):
            parent = int(parent_id) if parent_id else None
            level[int(id_)] = below[level[parent]] if parent else "province"
            yield {
                "id": int(id_),
                "code": code,
                "name_vi": name_vi,
                "name_en": name_en or None,
                "short_name": None,
                "kind": kind,
                "level": level[int(id_)],
                "parent_id": parent,
                "active": True,
                "successor_id": None,
            }

    def users(self) -> Iterator[dict[str, Any]]:
        for id_, username, full_name, agency_id, role in _read(self.dir, "users.csv"):
            yield {
                "id": int(id_),
                "username": username,
                "full_name": full_name,
                "email": None,
                "agency_id": int(agency_id) if agency_id else None,
                "role": role,
                "is_head": False,
                "password_hash": self.password_hash,
                "active": True,
                "locale": None,
                "last_login_at": None,
                "calendar_token": None,
                "created_at": self.now,
                # a fixed nonce: bench clients log in afresh, and the load stays deterministic
                "session_nonce": f"bench{int(id_):027d}",
            }

    def directives(self) -> Iterator[dict[str, Any]]:
        from coordination.text import fold

        refs: set[str] = set()
        for row in _read(self.dir, "directives.csv"):
            id_, number, symbol, ref, doc_type, issuer_id, issued_on, subject, monitor_id = row
            issued = date.fromisoformat(issued_on)
            self.issued[int(id_)] = issued
            if ref in refs:  # numbers restart each year: the same ref again, another year
                ref = f"{ref} ({issued.year})"
            refs.add(ref)
            at = _morning(issued)
            yield {
                "id": int(id_),
                "number": number,
                "symbol": symbol,
                "ref": ref,
                "doc_type": doc_type,
                "issuer_id": int(issuer_id),
                "place": None,
                "issued_on": issued,
                "subject": subject,
                "legal_basis": [],
                "signer_name": None,
                "signer_title": None,
                "signer_authority": None,
                "monitor_agency_id": int(monitor_id) if monitor_id else None,
                "report_to_agency_id": None,
                "deadline": None,
                "source_text": None,
                "status": "active",
                "search_text": fold(" ".join([ref, subject, *self.task_texts.get(int(id_), [])])),
                "created_at": at,
                "updated_at": at,
                "activated_at": at,
                "closed_at": None,
            }

    def tasks(self) -> Iterator[dict[str, Any]]:
        for id_, directive_id, label, position, content, deadline in _read(self.dir, "tasks.csv"):
            yield {
                "id": int(id_),
                "directive_id": int(directive_id),
                "label": label,
                "position": int(position),
                "parent_id": None,
                "text": content,
                "deadline": _day(deadline),
                "recurrence": "none" if deadline else "continuous",
                "recurrence_day": None,
            }

    def assignments(self) -> Iterator[dict[str, Any]]:
        for row in _read(self.dir, "assignments.csv"):
            id_, task_id, agency_id, role, status, deadline, completed_on, progress = row
            completed = _day(completed_on)
            if status == "done":
                reported = completed
            elif status == "reported_done":
                reported = self.reported_on.get(int(id_))
            else:
                reported = None
            at = _morning(self.issued[self.directive_of_task[int(task_id)]])
            yield {
                "id": int(id_),
                "task_id": int(task_id),
                "directive_id": self.directive_of_task[int(task_id)],
                "agency_id": int(agency_id),
                "role": role,
                "status": status,
                "deadline": _day(deadline),
                "reported_done_on": reported,
                "completed_on": completed,
                "progress_percent": int(progress) if progress else None,
                "period_index": 0,
                "via_group_id": None,
                "via_all_addressees": False,
                "escalated_at": None,
                "created_at": at,
                "updated_at": at,
                "version": 1,
            }

    def updates(self) -> Iterator[dict[str, Any]]:
        last_assignment, previous = None, "not_started"
        for id_, assignment_id, created_at, author_id, status_to, text in _read(self.dir, "updates.csv"):
            if assignment_id != last_assignment:
                last_assignment, previous = assignment_id, "not_started"
            changed = status_to != previous
            yield {
                "id": int(id_),
                "assignment_id": int(assignment_id),
                "author_id": int(author_id) if author_id else None,
                "created_at": datetime.fromisoformat(created_at).replace(tzinfo=LOCAL),
                "note": text,
                "progress_percent": 100 if status_to in ("reported_done", "done") and changed else None,
                "status_from": previous if changed else None,
                "status_to": status_to if changed else None,
            }
            previous = status_to

    # --- audit events ------------------------------------------------------------------------------

    def audit_events(self, *, first_id: int = 1, head: str | None = None) -> Iterator[dict[str, Any]]:
        """The audit events of the data set in time order, numbered from `first_id` and chained after `head`."""
        from coordination.audit import chain_hash

        for number, event in enumerate(self._events_in_time_order(), start=first_id):
            event["id"] = number
            event["prev_hash"] = head
            event["hash"] = head = chain_hash(event)
            yield event

    def _events_in_time_order(self) -> Iterator[dict[str, Any]]:
        # The directives come in the order of their day and every event of one happens on or after it: an event
        # earlier than the next directive's creation can go, nothing later will precede it.
        first_user: dict[int, int] = {}
        self.usernames: dict[int, str] = {}
        for id_, username, _full_name, agency_id, _role in _read(self.dir, "users.csv"):
            self.usernames[int(id_)] = username
            if agency_id:
                first_user.setdefault(int(agency_id), int(id_))
        assignments = _Lookahead(self.assignments())
        updates = _Lookahead(self.updates())
        pending: list[tuple[datetime, int, dict[str, Any]]] = []
        order = itertools.count()
        for directive in self.directives():
            at = directive["created_at"]
            while pending and pending[0][0] < at:
                yield heapq.heappop(pending)[2]
            office = first_user[directive["issuer_id"]]
            monitor = first_user.get(directive["monitor_agency_id"] or 0, office)
            for event in self._directive_events(directive, office):
                heapq.heappush(pending, (event["occurred_at"], next(order), event))
            while (assignment := assignments.peek()) is not None and assignment["directive_id"] == directive["id"]:
                next(assignments)
                its_updates = []
                while (update := updates.peek()) is not None and update["assignment_id"] == assignment["id"]:
                    its_updates.append(next(updates))
                for event in self._assignment_events(assignment, its_updates, monitor):
                    heapq.heappush(pending, (event["occurred_at"], next(order), event))
        if assignments.peek() is not None or updates.peek() is not None:
            raise ValueError("bench: assignments or updates out of the order of their directives")
        while pending:
            yield heapq.heappop(pending)[2]

    def _event(self, user_id: int | None, action: str, entity_type: str, entity_id: int, **fields: Any) -> dict:
        """One row of audit_event as `coordination.audit.record` fills it (prev_hash and hash come later)."""
        return {
            "occurred_at": fields["occurred_at"],
            "actor_id": user_id,
            "system_actor": None if user_id is not None else "system:bench",
            "actor_label": self.usernames[user_id] if user_id is not None else "system:bench",
            "entity_type": entity_type,
            "entity_id": entity_id,
            "action": action,
            "before": fields.get("before"),
            "after": fields.get("after"),
            "directive_id": fields["directive_id"],
            "assignment_id": fields.get("assignment_id"),
        }

    def _directive_events(self, directive: dict[str, Any], office: int) -> list[dict[str, Any]]:
        """create_directive's event (a draft with its tasks), then activate_directive's."""
        at, id_ = directive["created_at"], directive["id"]
        # DIRECTIVE_AUDIT_FIELDS of coordination.directives.operations, as the draft was created
        created = {
            "ref": directive["ref"],
            "doc_type": directive["doc_type"],
            "issued_on": directive["issued_on"].isoformat(),
            "subject": directive["subject"],
            "status": "draft",
            "deadline": None,
            "monitor_agency_id": directive["monitor_agency_id"],
            "tasks": len(self.task_texts.get(id_, [])),
        }
        return [
            self._event(office, "directive.create", "directive", id_, occurred_at=at, after=created, directive_id=id_),
            self._event(
                office,
                "directive.activate",
                "directive",
                id_,
                occurred_at=at,
                before={"status": "draft"},
                after={"status": "active"},
                directive_id=id_,
            ),
        ]

    def _assignment_events(
        self, assignment: dict[str, Any], updates: list[dict[str, Any]], monitor: int
    ) -> Iterator[dict[str, Any]]:
        """report_progress's event for each update (two for a jump to done: the report, then the acceptance)."""

        def iso(day: date | None) -> str | None:
            return day.isoformat() if day else None

        # ASSIGNMENT_AUDIT_FIELDS of coordination.assignments.operations, as the assignment was created
        state: dict[str, Any] = {
            "status": "not_started",
            "progress_percent": None,
            "deadline": iso(assignment["deadline"]),
            "reported_done_on": None,
            "completed_on": None,
        }
        ids = {"directive_id": assignment["directive_id"], "assignment_id": assignment["id"]}

        def step(user_id: int | None, action: str, at: datetime, note: str, **changes: Any) -> dict[str, Any]:
            before = dict(state)
            state.update(changes)
            after = {**state, "note": note}
            return self._event(
                user_id, action, "assignment", assignment["id"], occurred_at=at, before=before, after=after, **ids
            )

        for position, update in enumerate(updates):
            author, at, note = update["author_id"], update["created_at"], update["note"]
            day = at.date()
            move = (update["status_from"], update["status_to"])
            if move == (None, None):
                yield step(author, "assignment.progress", at, note)
            elif move == ("not_started", "in_progress"):
                last_of_open_work = position == len(updates) - 1 and assignment["status"] == "in_progress"
                percent = assignment["progress_percent"] if last_of_open_work else state["progress_percent"]
                yield step(author, "assignment.start", at, note, status="in_progress", progress_percent=percent)
            elif move in (("in_progress", "reported_done"), ("in_progress", "done")):
                reported = assignment["reported_done_on"] or day
                yield step(
                    author,
                    "assignment.report_done",
                    at,
                    note,
                    status="reported_done",
                    progress_percent=100,
                    reported_done_on=iso(reported),
                )
                if move[1] == "done":
                    completed = assignment["completed_on"] or day
                    yield step(monitor, "assignment.accept", at, "", status="done", completed_on=iso(completed))
            else:
                raise ValueError(f"bench: update {update['id']} moves {move[0]} -> {move[1]}, which no action does")


class _Lookahead:
    """An iterator whose next item can be looked at first."""

    def __init__(self, items: Iterator[dict[str, Any]]) -> None:
        self._items = items
        self._next = next(items, None)

    def peek(self) -> dict[str, Any] | None:
        return self._next

    def __iter__(self) -> _Lookahead:
        return self

    def __next__(self) -> dict[str, Any]:
        if self._next is None:
            raise StopIteration
        item, self._next = self._next, next(self._items, None)
        return item


# --- writing ---------------------------------------------------------------------------------------


def _copy(conn: sa.Connection, table: sa.Table, rows: Iterable[dict[str, Any]]) -> int:
    """COPY rows into `table` through psycopg 3; JSON columns go as text."""
    from psycopg.types.json import Jsonb

    rows = iter(rows)
    first = next(rows, None)
    if first is None:
        return 0
    # The columns the data set fills; the others (added by later migrations: TOTP, onboarding...) take their
    # defaults, so a new nullable or server-defaulted column does not break the loader.
    present = [c for c in table.columns if c.name in first]
    columns = [c.name for c in present]
    json_columns = {i for i, c in enumerate(present) if isinstance(c.type, sa.JSON)}
    raw = conn.connection.driver_connection
    quote = conn.dialect.identifier_preparer.quote
    statement = f"COPY {quote(table.name)} ({', '.join(quote(c) for c in columns)}) FROM STDIN"
    count = 0
    with raw.cursor() as cursor, cursor.copy(statement) as copy:
        for row in itertools.chain([first], rows):
            values = [row[c] for c in columns]
            for i in json_columns:
                values[i] = Jsonb(values[i])
            copy.write_row(values)
            count += 1
    return count


def _insert_batches(conn: sa.Connection, table: sa.Table, rows: Iterable[dict[str, Any]]) -> int:
    """executemany of a Core insert, BATCH rows at a time."""
    insert, batch, count = table.insert(), [], 0
    for row in rows:
        batch.append(row)
        if len(batch) >= BATCH:
            conn.execute(insert, batch)
            count += len(batch)
            batch = []
    if batch:
        conn.execute(insert, batch)
        count += len(batch)
    return count


ADDRESSEES_SQL = """
INSERT INTO directive_addressee (directive_id, position, name, agency_id)
SELECT t.directive_id,
       ROW_NUMBER() OVER (PARTITION BY t.directive_id ORDER BY MIN(a.id)),
       ag.name_vi, a.agency_id
FROM assignment a
JOIN task t ON t.id = a.task_id
JOIN agency ag ON ag.id = a.agency_id
GROUP BY t.directive_id, a.agency_id, ag.name_vi
"""

LOADED_TABLES = (
    "agency",
    "user_account",
    "directive",
    "task",
    "assignment",
    "progress_update",
    "audit_event",
    "directive_addressee",
)


def load(url: str, data_dir: Path, *, force: bool = False, log: Callable[[str], None] = print) -> dict[str, Any]:
    """Make `url` hold the data set of `data_dir`; return timings ({"skipped": True} if it already did)."""
    url = normalise_url(url)
    fp = fingerprint(data_dir)
    state, stored = stored_fingerprint(url)
    if state == "ours" and stored == fp and not force:
        log(f"bench: {_safe(url)} already holds this data set (fingerprint {fp[:12]}): not reloaded")
        _upgrade(url)  # a migration added since the load (a new table, an index) reaches the data set
        return {"skipped": True, "fingerprint": fp}
    if state == "foreign":
        raise SystemExit(
            f"bench: {_safe(url)} holds tables but no {META_TABLE}: not the benchmark's database, refusing to drop it"
        )

    from argon2 import PasswordHasher
    from flask_migrate import upgrade

    from coordination import create_app
    from coordination.extensions import db
    from coordination.reports import tally

    timings: dict[str, Any] = {"skipped": False, "fingerprint": fp}
    started = time.perf_counter()
    log(f"bench: building {_safe(url)} from {data_dir}")
    recreate_database(url)
    app = create_app(SQLALCHEMY_DATABASE_URI=url, SECRET_KEY="bench", SQLALCHEMY_ENGINE_OPTIONS={})  # noqa: S106
    with app.app_context():
        mark = time.perf_counter()
        upgrade()
        timings["migrate_s"] = round(time.perf_counter() - mark, 2)

        mark = time.perf_counter()
        dataset = Dataset(data_dir, PasswordHasher().hash(BENCH_PASSWORD), datetime.now(LOCAL))
        timings["read_s"] = round(time.perf_counter() - mark, 2)
        tables = db.metadata.tables
        engine = db.engine
        sqlite = engine.dialect.name == "sqlite"
        write = _insert_batches if sqlite else _copy
        counts: dict[str, int] = {}
        with engine.connect() as conn:
            # the migrations write no event today; were one to, the data set's events would follow it
            last = conn.execute(sa.text("SELECT id, hash FROM audit_event ORDER BY id DESC LIMIT 1")).first()
            first_event, head = (last.id + 1, last.hash) if last else (1, None)
            for table, rows in (
                ("agency", dataset.agencies()),
                ("user_account", dataset.users()),
                ("directive", dataset.directives()),
                ("task", dataset.tasks()),
                ("assignment", dataset.assignments()),
                ("progress_update", dataset.updates()),
                ("audit_event", dataset.audit_events(first_id=first_event, head=head)),
            ):
                mark = time.perf_counter()
                if table == "assignment" and not sqlite:
                    # the dashboards' tally is counted once below, not row by row by its trigger
                    conn.exec_driver_sql("ALTER TABLE assignment DISABLE TRIGGER assignment_tally_sync")
                counts[table] = write(conn, tables[table], rows)
                if table == "assignment" and not sqlite:
                    conn.exec_driver_sql("ALTER TABLE assignment ENABLE TRIGGER assignment_tally_sync")
                timings[f"{table}_s"] = round(time.perf_counter() - mark, 2)
                log(f"  {table:<16} {counts[table]:>9,} rows  {timings[f'{table}_s']:7.1f} s")
            mark = time.perf_counter()
            counts["directive_addressee"] = conn.execute(sa.text(ADDRESSEES_SQL)).rowcount
            timings["directive_addressee_s"] = round(time.perf_counter() - mark, 2)
            seconds = timings["directive_addressee_s"]
            log(f"  {'directive_addressee':<16} {counts['directive_addressee']:>9,} rows  {seconds:7.1f} s")
            mark = time.perf_counter()
            counts["assignment_tally"] = tally.rebuild(conn)
            timings["assignment_tally_s"] = round(time.perf_counter() - mark, 2)
            seconds = timings["assignment_tally_s"]
            log(f"  {'assignment_tally':<16} {counts['assignment_tally']:>9,} rows  {seconds:7.1f} s")
            if not sqlite:
                # the app inserts after us (tokens, login attempts, new work): sequences continue past our ids
                for table in LOADED_TABLES:
                    conn.exec_driver_sql(
                        f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "  # noqa: S608
                        f"(SELECT COALESCE(MAX(id), 0) + 1 FROM {table}), false)"
                    )
            conn.commit()
        # the dashboards' daily roll, as the reminders' timer leaves the tally on the data set's day
        tally.roll(DATASET_DAY)
        db.session.commit()
        mark = time.perf_counter()
        if sqlite:
            # the app's SQLite set-up opens a transaction on every connection: ANALYZE in one, committed
            with engine.begin() as conn:
                conn.exec_driver_sql("ANALYZE")
        else:
            with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                conn.exec_driver_sql("VACUUM ANALYZE")
        timings["analyze_s"] = round(time.perf_counter() - mark, 2)
        with engine.begin() as conn:
            _set_meta(conn, "fingerprint", fp)
            _set_meta(conn, "state", "loaded")
            _set_meta(conn, "counts", json.dumps(counts))
        engine.dispose()
    timings["counts"] = counts
    timings["total_s"] = round(time.perf_counter() - started, 2)
    log(f"bench: loaded in {timings['total_s']:.1f} s")
    return timings


def _upgrade(url: str) -> None:
    """Bring a loaded data set's schema to the migrations' head (nothing to do most times), then roll the tally."""
    from flask_migrate import upgrade

    from coordination import create_app
    from coordination.extensions import db
    from coordination.reports import tally

    app = create_app(SQLALCHEMY_DATABASE_URI=url, SECRET_KEY="bench", SQLALCHEMY_ENGINE_OPTIONS={})  # noqa: S106
    with app.app_context():
        upgrade()
        tally.roll(DATASET_DAY)
        db.session.commit()
        db.engine.dispose()


def _safe(url: str) -> str:
    return sa.engine.make_url(url).render_as_string(hide_password=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("data_dir", type=Path)
    parser.add_argument("--url", default=None, help="SQLAlchemy URL (default: BENCH_DATABASE_URL, else coord_bench)")
    parser.add_argument("--force", action="store_true", help="reload even if the database holds this data set")
    parser.add_argument("--json", type=Path, help="write the timings to this file")
    args = parser.parse_args()
    result = load(args.url or default_url(), args.data_dir, force=args.force)
    if args.json:
        args.json.write_text(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
