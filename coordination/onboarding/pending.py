"""Files checked on the admin page and waiting for "Nhập": kept on the server between the check and the import.

Kept rather than asked for again so that what is imported is exactly the file that was checked (the
confirmation re-validates those bytes), the admin does not pick the file twice, and the problems file can
be downloaded from the page. The check and the confirmation may reach different app servers behind a load
balancer, so the files live where every server reads them: beside the evidence, in the same store — the
directory `EVIDENCE_DIR/.onboarding/` (shared when EVIDENCE_DIR is), or the S3 bucket under
`<EVIDENCE_S3_PREFIX>.onboarding/` with `EVIDENCE_STORE=s3` — named by a random id, outside the evidence's
content addresses (so `evidence verify` and `backup` never see them), and removed after the import or after
a day. `ONBOARDING_UPLOAD_DIR` names another directory.
"""

from __future__ import annotations

import contextlib
import json
import re
import secrets
import time
from pathlib import Path, PurePath
from typing import Any, Protocol

from flask import current_app

from coordination.evidence.s3 import S3EvidenceStore
from coordination.evidence.stores import get_store
from coordination.onboarding.operations import Upload

#: a checked file not imported within this time is forgotten
KEEP_SECONDS = 24 * 3600
_ID = re.compile(r"^[0-9a-f]{32}$")
#: the folder (or key prefix) beside the evidence store's own keys
FOLDER = ".onboarding"


class _Area(Protocol):
    def write(self, name: str, data: bytes) -> None: ...

    def read(self, name: str) -> bytes: ...

    def delete(self, name: str) -> None: ...

    def sweep(self, before: float) -> None: ...


class _Directory:
    def __init__(self, root: Path) -> None:
        self.root = root
        root.mkdir(mode=0o700, parents=True, exist_ok=True)

    def write(self, name: str, data: bytes) -> None:
        (self.root / name).write_bytes(data)

    def read(self, name: str) -> bytes:
        return (self.root / name).read_bytes()

    def delete(self, name: str) -> None:
        (self.root / name).unlink(missing_ok=True)

    def sweep(self, before: float) -> None:
        for old in self.root.iterdir():
            with contextlib.suppress(OSError):  # another worker or server removed it first
                if old.stat().st_mtime < before:
                    old.unlink()


class _Bucket:
    def __init__(self, store: S3EvidenceStore) -> None:
        self.client: Any = store.client
        self.bucket = store.bucket
        self.prefix = f"{store.prefix}{FOLDER}/"

    def write(self, name: str, data: bytes) -> None:
        self.client.put_object(Bucket=self.bucket, Key=self.prefix + name, Body=data)

    def read(self, name: str) -> bytes:
        try:
            return self.client.get_object(Bucket=self.bucket, Key=self.prefix + name)["Body"].read()
        except self.client.exceptions.NoSuchKey:
            raise FileNotFoundError(name) from None

    def delete(self, name: str) -> None:
        self.client.delete_object(Bucket=self.bucket, Key=self.prefix + name)

    def sweep(self, before: float) -> None:
        paginator = self.client.get_paginator("list_objects_v2")
        for page in paginator.paginate(Bucket=self.bucket, Prefix=self.prefix):
            for item in page.get("Contents", []):
                if item["LastModified"].timestamp() < before:
                    self.client.delete_object(Bucket=self.bucket, Key=item["Key"])


def _area() -> _Area:
    configured = current_app.config.get("ONBOARDING_UPLOAD_DIR")
    if configured:
        return _Directory(Path(configured))
    store = get_store()
    if isinstance(store, S3EvidenceStore):
        return _Bucket(store)
    return _Directory(Path(current_app.config["EVIDENCE_DIR"]) / FOLDER)


def keep(upload: Upload) -> str:
    """Store a checked file; return the id the confirmation and the problems file name."""
    area = _area()
    area.sweep(time.time() - KEEP_SECONDS)
    upload_id = secrets.token_hex(16)
    area.write(f"{upload_id}.bin", upload.content)
    meta = {"filename": PurePath(upload.filename).name[:200], "kept_at": time.time()}
    area.write(f"{upload_id}.json", json.dumps(meta).encode())
    return upload_id


def load(upload_id: str) -> Upload | None:
    """The file kept under this id, or None (unknown, expired, already imported)."""
    if not _ID.match(upload_id or ""):
        return None
    area = _area()
    try:
        meta = json.loads(area.read(f"{upload_id}.json"))
        if not time.time() - float(meta["kept_at"]) <= KEEP_SECONDS:
            return None  # not swept yet, but as good as gone
        return Upload(meta["filename"], area.read(f"{upload_id}.bin"))
    except (OSError, ValueError, KeyError, TypeError):
        return None


def discard(upload_id: str) -> None:
    if not _ID.match(upload_id or ""):
        return
    area = _area()
    for suffix in (".bin", ".json"):
        with contextlib.suppress(OSError):
            area.delete(f"{upload_id}{suffix}")
