"""Keyset pagination on id: a page continues after the last id seen, so inserts never shift pages."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import sqlalchemy as sa

from coordination.api.schemas import encode_page_token
from coordination.extensions import db


def paginate(
    query: sa.Select,
    args: dict[str, Any],
    *,
    key: sa.ColumnElement[int],
    rows: bool = False,
    descending: bool = False,
) -> dict[str, Any]:
    """Run `query` for one page, ordered by `key` (an id column) after `args["page_token"]`.

    `rows=True` keeps whole result rows (an entity and computed columns, or columns starting with the key);
    else the first entity.
    `descending=True` lists newest first (a history): a page continues below the last id seen.
    Returns {"items", "next_page_token", "page_size"}, ready for `page_of(...)` to dump.
    """
    size: int = args["page_size"]
    after: int | None = args.get("page_token")
    if after is not None:
        query = query.where(key < after if descending else key > after)
    query = query.order_by(None).order_by(key.desc() if descending else key).limit(size + 1)
    result = db.session.execute(query)
    items = list(result.all() if rows else result.scalars().all())
    more = len(items) > size
    items = items[:size]
    # a row starts with its entity, or (a column-only list) with the key itself
    key_of: Callable[[Any], int] = (lambda row: getattr(row[0], "id", row[0])) if rows else (lambda obj: obj.id)
    return {
        "items": items,
        "next_page_token": encode_page_token(key_of(items[-1])) if more else None,
        "page_size": size,
    }
