"""Keyset pages for the web lists: a page continues after (or before) the sort key of a row it carries in its link.

OFFSET makes a deep page sort everything before it; a keyset page filters `(k1, k2, ...) > (v1, v2, ...)` (a row
value comparison: PostgreSQL, SQLite ≥ 3.15) and costs what the first page costs. The cursor is the key of the
row, the direction and the page's position (for "51–100 trong ..."), signed with the app's secret key so that
a hand-made one is refused; it also names the day it was made, since urgency is computed as of today: a
cursor from another day leads back to the first page with a notice, never to a 500.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from typing import Any
from urllib.parse import urlencode

import sqlalchemy as sa
from flask import current_app
from itsdangerous import BadData, URLSafeSerializer
from werkzeug.datastructures import MultiDict

from coordination.db import today

#: the query-string argument the lists page by; `page` (Flask-Admin's OFFSET page) is read as the first page
CURSOR_ARG = "cursor"
#: what a key part may be; the cursor stores dates and (aware) times as ISO text
KINDS = (bool, int, date, datetime)
MAX_POSITION = 10**9


class Direction(StrEnum):
    after = "a"
    before = "b"


class Refusal(StrEnum):
    """Why a cursor was not followed: the first page is shown with one of these notices."""

    invalid = "invalid"
    stale = "stale"


@dataclass(frozen=True, slots=True)
class Cursor:
    key: tuple[Any, ...]
    direction: Direction
    #: 0-based position in the list of the row the cursor names (shown as the page's range only)
    position: int


def _serializer(salt: str) -> URLSafeSerializer:
    return URLSafeSerializer(current_app.secret_key, salt=f"keyset:{salt}")


def encode(salt: str, key: Sequence[Any], direction: Direction, position: int, day: date | None = None) -> str:
    """The opaque, signed cursor of the row with sort key `key`."""
    parts = [v.isoformat() if isinstance(v, date) else v for v in key]
    return _serializer(salt).dumps([(day or today()).isoformat(), direction.value, position, parts])


def decode(token: str | None, salt: str, kinds: Sequence[type], *, dated: bool = True) -> Cursor | Refusal | None:
    """The cursor in `token`, None for none, or why it is refused (altered, malformed, or from another day).

    `dated`: the order depends on today (urgency, overdue), so a cursor made on another day is stale.
    """
    if not token:
        return None
    try:
        made_on, direction, position, parts = _serializer(salt).loads(token[:1000])
        key = tuple(_part(value, kind) for value, kind in zip(parts, kinds, strict=True))
        if not isinstance(position, int) or isinstance(position, bool) or not 0 <= position <= MAX_POSITION:
            raise ValueError(position)
        cursor = Cursor(key, Direction(direction), position)
        made = date.fromisoformat(made_on)
    except (BadData, TypeError, ValueError):
        return Refusal.invalid
    return cursor if made == today() or not dated else Refusal.stale


def _part(value: Any, kind: type) -> Any:
    if kind is datetime:
        moment = datetime.fromisoformat(value)
        if moment.tzinfo is None:
            raise ValueError(value)
        return moment
    if kind is date:
        return date.fromisoformat(value)
    # bool is an int in Python: each kind exactly
    if type(value) is not kind or (kind is int and not -(2**62) < value < 2**62):
        raise TypeError(value)
    return value


def narrowed(query: Any, keys: Sequence[sa.ColumnElement], cursor: Cursor | None, size: int) -> Any:
    """`query` (a Query or Select) with the key columns added, after (or before) the cursor, in order, one row more.

    The extra row tells whether a page follows (or, going back, precedes). Going back, the rows come in reverse
    order: `page` turns them round.
    """
    query = query.add_columns(*[k.label(f"k{i}") for i, k in enumerate(keys)])
    if cursor is None:
        query = query.order_by(*keys)
    else:
        bound = sa.tuple_(*[sa.literal(v, k.type) for v, k in zip(cursor.key, keys, strict=True)])
        if cursor.direction == Direction.after:
            query = query.filter(sa.tuple_(*keys) > bound).order_by(*keys)
        else:
            query = query.filter(sa.tuple_(*keys) < bound).order_by(*[k.desc() for k in keys])
    return query.limit(size + 1)


@dataclass(frozen=True, slots=True)
class Window:
    """The keyset choice of one page: a subquery of ids and key columns, for a second query to load the rows by."""

    chosen: sa.Subquery
    #: the subquery's key columns, in the list's order (to order the page's row query by)
    order: list[sa.ColumnElement]


def window(ids: Any, keys: Sequence[sa.ColumnElement], cursor: Cursor | None, size: int) -> Window:
    """The ids (and keys) of one page of `ids` (a Query or Select of the list's id, filtered and scoped).

    For wide rows: the narrow ids are sorted, and the page's row query joins them and orders by `order`
    (ascending, whichever the direction).
    """
    chosen = narrowed(ids, keys, cursor, size).subquery()
    return Window(chosen, [chosen.c[f"k{i}"] for i in range(len(keys))])


@dataclass(frozen=True, slots=True)
class Page:
    """One page of a keyset list: its rows, where it starts, and the cursors of the pages beside it."""

    rows: list[Any]
    start: int
    next_cursor: str | None
    previous_cursor: str | None
    #: reached through a cursor (not the list's plain URL)
    followed: bool = False

    @property
    def first(self) -> bool:
        """The list's first page (an empty page reached by a cursor is not: its rows moved; "Trang đầu" leads back)."""
        return not self.followed or (self.start == 0 and self.previous_cursor is None and bool(self.rows))

    @property
    def end(self) -> int:
        return self.start + len(self.rows)


def page(found: Sequence[Sequence[Any]], cursor: Cursor | None, size: int, salt: str, *, ascending: bool) -> Page:
    """The page from the rows of `narrowed` (or of a query ordered by a `window`'s order: `ascending`).

    Each row is (object, *key); one row too many says there is more.
    """
    rows = list(found)
    if not ascending and cursor is not None and cursor.direction == Direction.before:
        rows.reverse()
    if cursor is None or cursor.direction == Direction.after:
        more_before = cursor is not None
        more_after = len(rows) > size
        rows = rows[:size]
        start = cursor.position + 1 if cursor is not None else 0
    else:
        more_before = len(rows) > size
        rows = rows[-size:] if more_before else rows
        more_after = True
        start = max(cursor.position - len(rows), 1) if more_before else 0
    objects = [r[0] for r in rows]
    keys = [tuple(r[1:]) for r in rows]
    following = encode(salt, keys[-1], Direction.after, start + len(rows) - 1) if rows and more_after else None
    preceding = encode(salt, keys[0], Direction.before, start) if rows and more_before else None
    return Page(objects, start, following, preceding, followed=cursor is not None)


@dataclass(frozen=True, slots=True)
class Links:
    """The pager's links (None where there is no such page)."""

    first: str | None
    previous: str | None
    next: str | None


def links(found: Page, base_url: str, args: MultiDict) -> Links:
    """The links beside `found`, each the list's URL with every filter of `args` kept and its own cursor."""
    return links_by(found, lambda cursor: base_url + link(args, cursor))


def links_by(found: Page, url: Callable[[str | None], str]) -> Links:
    """The links beside `found`, `url(cursor)` each (None: the first page)."""
    return Links(
        None if found.first else url(None),
        url(found.previous_cursor) if found.previous_cursor else None,
        url(found.next_cursor) if found.next_cursor else None,
    )


def link(args: MultiDict, cursor: str | None) -> str:
    """The list's query string with every filter of `args` kept and the page given by `cursor` (None: the first)."""
    kept = [(k, v) for k, v in args.items(multi=True) if k not in (CURSOR_ARG, "page")]
    if cursor is not None:
        kept.append((CURSOR_ARG, cursor))
    text = urlencode(kept)
    return f"?{text}" if text else ""
