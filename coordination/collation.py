"""Vietnamese order of names: one collation for SQL (PostgreSQL and SQLite) and for Python sorts.

Code-point order puts "Đài PT-TH" after "Văn phòng" and "xã Đông Sơn" last. ICU's "vi" rules give
the Vietnamese alphabet (a ă â b c d đ e ê … o ô ơ … u ư …, tones as secondary differences, case
ignored at the first level). PostgreSQL names them "vi-x-icu"; on SQLite the same ICU rules, through
PyICU, are registered on every connection as the collation "vi". Both use the system's ICU, so the two
databases and Python sort alike.

Use `vi_order(column)` in every ORDER BY on a name and `vi_key` (or `vi_sorted`) in Python sorts.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Callable, Iterable
from typing import Any, TypeVar

import icu
import sqlalchemy as sa
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql import coercions, roles
from sqlalchemy.sql.visitors import InternalTraversal

#: the collation's name on each database
POSTGRESQL_COLLATION = "vi-x-icu"
SQLITE_COLLATION = "vi"

T = TypeVar("T")

# An ICU Collator may not be shared between threads while it compares: one per thread.
_local = threading.local()


def _collator() -> icu.Collator:
    collator = getattr(_local, "collator", None)
    if collator is None:
        collator = _local.collator = icu.Collator.createInstance(icu.Locale("vi"))
    return collator


def vi_key(text: str | None) -> bytes:
    """The sort key of `text` in Vietnamese order (None sorts first, like an empty name)."""
    return bytes(_collator().getSortKey(text or ""))


def vi_sorted(items: Iterable[T], key: Callable[[T], str | None] = lambda x: x, *, reverse: bool = False) -> list[T]:  # type: ignore[assignment,return-value]
    """`items` sorted by the name `key` gives, in Vietnamese order."""
    return sorted(items, key=lambda item: vi_key(key(item)), reverse=reverse)


def _compare(left: str | None, right: str | None) -> int:
    return _collator().compare(left or "", right or "")


def register_sqlite(connection: sqlite3.Connection) -> None:
    """Make `COLLATE vi` known to this SQLite connection."""
    connection.create_collation(SQLITE_COLLATION, _compare)


class _ViOrder(sa.sql.expression.ColumnElement[Any]):
    """`expr COLLATE <the database's Vietnamese collation>`."""

    inherit_cache = True
    _traverse_internals = [("element", InternalTraversal.dp_clauseelement)]

    def __init__(self, element: sa.ColumnElement[Any]) -> None:
        self.element = coercions.expect(roles.ExpressionElementRole, element)
        self.type = self.element.type


@compiles(_ViOrder)
def _compile_sqlite(element: _ViOrder, compiler: Any, **kw: Any) -> str:
    return f"{compiler.process(element.element, **kw)} COLLATE {SQLITE_COLLATION}"


@compiles(_ViOrder, "postgresql")
def _compile_postgresql(element: _ViOrder, compiler: Any, **kw: Any) -> str:
    return f'{compiler.process(element.element, **kw)} COLLATE "{POSTGRESQL_COLLATION}"'


def vi_order(column: Any) -> sa.ColumnElement[Any]:
    """`column` for an ORDER BY in Vietnamese order, on PostgreSQL and SQLite alike."""
    return _ViOrder(column)
