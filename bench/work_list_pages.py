"""The HTML work list's keyset pages against OFFSET, on the bench data set, read-only (issue 14).

Calls the list view in-process for a user (no login form: nothing is written; the connection is read-only) at
page 1 and at a page N deep, by keyset cursor, and times the same depth by the OFFSET the list used before;
prints EXPLAIN ANALYZE of the page's choice of ids for both.

    .venv/bin/python bench/work_list_pages.py                  # coord_bench, the monitor's followed work
    .venv/bin/python bench/work_list_pages.py --url sqlite:///bench/data/bench.db --depth 200
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

READ_ONLY = "options=-c%20default_transaction_read_only%3Don"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", default="postgresql+psycopg://postgres@127.0.0.1:5432/coord_bench")
    parser.add_argument("--user", default="ca", help="username (default: the data set's monitor)")
    parser.add_argument("--args", default="scope=followed", help="the list's query string")
    parser.add_argument("--depth", type=int, default=1000, help="the deep page's number")
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--today", default="2026-11-24")
    parser.add_argument("--explain", action="store_true", help="print the plans")
    options = parser.parse_args()
    url = options.url
    if url.startswith("postgresql"):
        url += ("&" if "?" in url else "?") + READ_ONLY
    # before the app's modules are imported: config reads it once
    os.environ["DATABASE_URL"] = url
    from bench.run import pin_today

    pin_today(date.fromisoformat(options.today))

    import sqlalchemy as sa
    from flask_login import login_user

    from coordination import create_app, keyset
    from coordination.admin import queries
    from coordination.admin.assignments import WORK_CURSOR
    from coordination.assignments.models import Assignment
    from coordination.auth.models import User
    from coordination.extensions import db

    app = create_app()
    view = next(v for v in app.extensions["admin"][0]._views if getattr(v, "endpoint", "") == "assignment")
    size = view.page_size
    path = f"/app/assignment/?{options.args}"

    def ids_query():  # type: ignore[no-untyped-def]
        ids, not_mine = queries.mine_first(view.filter_list(view.scope(db.session.query(Assignment.id))), user)
        return ids, not_mine

    with app.test_request_context(path):
        user = db.session.scalar(sa.select(User).where(User.username == options.user))
        login_user(user)
        ids, not_mine = ids_query()
        keys = queries.work_sort_key(not_mine)
        total = db.session.scalar(sa.select(sa.func.count()).select_from(ids.subquery()))
        depth = min(options.depth, max(total // size - 1, 1))
        # the key of the last row before the deep page, found once by OFFSET (the measurement's set-up only)
        before = ids.add_columns(*keys).order_by(*keys).offset(depth * size - 1).limit(1).one()
        cursor = keyset.encode(WORK_CURSOR, tuple(before[1:]), keyset.Direction.after, depth * size - 1)
    deep = f"page {depth + 1:,} (row {depth * size + 1:,})"
    print(f"{options.user} {path}: {total:,} rows, {size} a page; deep page = {deep}")

    def timed(url: str) -> tuple[float, str]:
        samples = []
        for _ in range(options.repeat):
            with app.test_request_context(url):
                login_user(db.session.get(User, user.id))
                started = time.perf_counter()
                html = view.index_view()
                samples.append((time.perf_counter() - started) * 1000)
                db.session.rollback()
        return statistics.median(samples), html

    first_ms, _first_html = timed(path)
    deep_ms, deep_html = timed(f"{path}&cursor={cursor}")
    assert 'class="work-row"' in deep_html and "keyset-notice" not in deep_html, "the deep page did not render"

    def choose_ms(offset: int | None, with_cursor: bool) -> tuple[float, str]:
        samples, plan = [], ""
        with app.test_request_context(path):
            login_user(db.session.get(User, user.id))
            ids, not_mine = ids_query()
            keys = queries.work_sort_key(not_mine)
            if with_cursor:
                win = keyset.window(ids, keys, keyset.decode(cursor, WORK_CURSOR, queries.WORK_KEY_KINDS), size)
                statement = sa.select(win.chosen)
            else:
                # the list before keyset pages: the ids in order, LIMIT and OFFSET
                statement = ids.order_by(not_mine, *queries.urgency_order()).limit(size).offset(offset).statement
            for _ in range(options.repeat):
                started = time.perf_counter()
                db.session.execute(statement).all()
                samples.append((time.perf_counter() - started) * 1000)
            if options.explain and db.engine.dialect.name == "postgresql":
                compiled = statement.compile(db.engine, compile_kwargs={"literal_binds": True})
                plan = "\n".join(r[0] for r in db.session.execute(sa.text(f"EXPLAIN ANALYZE {compiled}")))
            db.session.rollback()
        return statistics.median(samples), plan

    rows = [
        ("whole request, page 1", first_ms),
        (f"whole request, page {depth + 1:,} by cursor", deep_ms),
    ]
    page1, plan1 = choose_ms(0, False)
    offset_ms, plan_offset = choose_ms(depth * size, False)
    keyset_ms, plan_keyset = choose_ms(None, True)
    rows += [
        ("choice of ids, page 1", page1),
        (f"choice of ids, page {depth + 1:,} by OFFSET (before)", offset_ms),
        (f"choice of ids, page {depth + 1:,} by keyset (now)", keyset_ms),
    ]
    for name, ms in rows:
        print(f"  {name:<48} {ms:8.1f} ms (median of {options.repeat})")
    for name, plan in (("OFFSET", plan_offset), ("keyset", plan_keyset), ("page 1", plan1)):
        if plan:
            print(f"\n--- {name} ---\n{plan}")


if __name__ == "__main__":
    main()
