"""Where evidence bytes live: content-addressed by SHA-256, written to a temporary file and renamed.

A crash leaves at most a temporary file (never a half file under a real key); a rolled-back
transaction removes the files it added (see `forget_new_blobs_on_rollback`). The store is an interface:
an S3-compatible store (coordination/evidence/s3.py) replaces the directory when several servers share
the files.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, Protocol

from sqlalchemy import event
from sqlalchemy.orm import Session

CHUNK = 1024 * 1024


class TooLarge(Exception):
    """The content is larger than the configured limit."""


@dataclass(frozen=True)
class StoredBlob:
    sha256: str
    size: int
    #: False when the same content was already stored
    created: bool


class EvidenceStore(Protocol):
    def put(self, stream: BinaryIO, *, max_size: int) -> StoredBlob: ...

    def open(self, sha256: str) -> BinaryIO: ...

    def exists(self, sha256: str) -> bool: ...

    def delete(self, sha256: str) -> None: ...

    def stored_keys(self) -> Iterator[str]: ...

    def sha256(self, sha256: str) -> str: ...


def is_key(name: str) -> bool:
    """Whether a name is a content address (64 lowercase hex digits)."""
    return len(name) == 64 and all(c in "0123456789abcdef" for c in name)


def check_key(sha256: str) -> None:
    if not is_key(sha256):
        raise ValueError("not a sha256 key")


class LocalEvidenceStore:
    """A directory: <root>/ab/cd/<sha256>, temporary files under <root>/.tmp on the same filesystem."""

    def __init__(self, root: str | Path) -> None:
        self.root = Path(root)

    def _path(self, sha256: str) -> Path:
        check_key(sha256)
        return self.root / sha256[:2] / sha256[2:4] / sha256

    def put(self, stream: BinaryIO, *, max_size: int) -> StoredBlob:
        tmp_dir = self.root / ".tmp"
        tmp_dir.mkdir(parents=True, exist_ok=True)
        fd, tmp_name = tempfile.mkstemp(dir=tmp_dir)
        try:
            with os.fdopen(fd, "wb") as tmp:
                key, size = copy_hashed(stream, tmp, max_size=max_size)
                tmp.flush()
                os.fsync(tmp.fileno())
            final = self._path(key)
            if final.exists():
                os.unlink(tmp_name)
                return StoredBlob(key, size, created=False)
            final.parent.mkdir(parents=True, exist_ok=True)
            os.replace(tmp_name, final)  # atomic: the key holds the whole file or nothing
            return StoredBlob(key, size, created=True)
        except BaseException:
            if os.path.exists(tmp_name):
                os.unlink(tmp_name)
            raise

    def open(self, sha256: str) -> BinaryIO:
        return self._path(sha256).open("rb")

    def exists(self, sha256: str) -> bool:
        return self._path(sha256).exists()

    def delete(self, sha256: str) -> None:
        self._path(sha256).unlink(missing_ok=True)

    def stored_keys(self) -> Iterator[str]:
        """Yield the stored keys in sorted order, one directory at a time (temporary files left out)."""
        for first in _sorted_dirs(self.root):
            for second in _sorted_dirs(first):
                for entry in sorted(os.scandir(second), key=lambda e: e.name):
                    if entry.is_file():
                        yield entry.name

    def sha256(self, sha256: str) -> str:
        """Re-hash the stored bytes (for `evidence verify`)."""
        return file_sha256(self._path(sha256))

    def path(self, sha256: str) -> Path:
        """Where a key's bytes are on disk."""
        return self._path(sha256)


def _sorted_dirs(parent: Path) -> list[Path]:
    if not parent.is_dir():
        return []
    return [Path(e.path) for e in sorted(os.scandir(parent), key=lambda e: e.name) if e.is_dir() and len(e.name) == 2]


def copy_hashed(stream: BinaryIO, out: BinaryIO, *, max_size: int) -> tuple[str, int]:
    """Copy `stream` into `out` in chunks; (hex SHA-256, size). TooLarge as soon as it passes `max_size`."""
    digest = hashlib.sha256()
    size = 0
    while chunk := stream.read(CHUNK):
        size += len(chunk)
        if size > max_size:
            raise TooLarge
        digest.update(chunk)
        out.write(chunk)
    return digest.hexdigest(), size


def stream_sha256(stream: BinaryIO) -> str:
    """Return the hex SHA-256 of what is left to read in `stream`, read in chunks."""
    digest = hashlib.sha256()
    while chunk := stream.read(CHUNK):
        digest.update(chunk)
    return digest.hexdigest()


def file_sha256(path: str | Path) -> str:
    """Return the hex SHA-256 of a file, read in chunks."""
    with open(path, "rb") as stream:
        return stream_sha256(stream)


def forget_new_blobs_on_rollback(session: Session, store: EvidenceStore, blob: StoredBlob) -> None:
    """If the transaction that references a newly stored file rolls back, remove the file too."""
    if not blob.created:
        return
    pending: list[str] = session.info.setdefault("new_evidence_blobs", [])
    pending.append(blob.sha256)
    if not session.info.get("evidence_hooks"):
        session.info["evidence_hooks"] = True

        @event.listens_for(session, "after_commit")
        def _kept(sess: Session) -> None:
            sess.info["new_evidence_blobs"] = []

        @event.listens_for(session, "after_soft_rollback")
        def _discard(sess: Session, previous_transaction) -> None:  # type: ignore[no-untyped-def]
            if previous_transaction.parent is not None:
                return  # a savepoint rolled back; the outer transaction decides
            # Only files this transaction created are removed; content stored before is never touched.
            for key in sess.info.get("new_evidence_blobs", []):
                store.delete(key)
            sess.info["new_evidence_blobs"] = []
