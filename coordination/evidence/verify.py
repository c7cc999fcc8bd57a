"""Check the evidence store against the database: every referenced file present and intact, none extra."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import sqlalchemy as sa

from coordination.evidence.models import Evidence
from coordination.evidence.storage import EvidenceStore
from coordination.extensions import db


@dataclass(frozen=True)
class Finding:
    #: "missing" (referenced, not stored), "changed" (stored bytes hash to another key) or "orphan"
    kind: str
    sha256: str


def referenced_keys(batch_size: int = 1000) -> Iterator[str]:
    """Yield every key the evidence rows reference (removed ones too: history keeps them), sorted."""
    last = ""
    while True:
        keys = db.session.scalars(
            sa.select(Evidence.sha256)
            .distinct()
            .where(Evidence.sha256 > last)
            .order_by(Evidence.sha256)
            .limit(batch_size)
        ).all()
        if not keys:
            return
        yield from keys
        last = keys[-1]


def verify_store(store: EvidenceStore) -> Iterator[Finding | str]:
    """Merge the two sorted streams of keys (constant memory); yield each finding, and each good key as a str."""
    referenced = referenced_keys()
    stored = store.stored_keys()
    ref = next(referenced, None)
    disk = next(stored, None)
    while ref is not None or disk is not None:
        if disk is None or (ref is not None and ref < disk):
            yield Finding("missing", ref)  # type: ignore[arg-type]
            ref = next(referenced, None)
        elif ref is None or disk < ref:
            yield Finding("orphan", disk)
            disk = next(stored, None)
        else:
            yield ref if store.sha256(ref) == ref else Finding("changed", ref)
            ref = next(referenced, None)
            disk = next(stored, None)
