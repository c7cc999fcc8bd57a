"""Files checked on the admin page and waiting for "Nhập": kept on the server between the check and the import.

Kept rather than asked for again so that what is imported is exactly the file that was checked (the
confirmation re-validates those bytes), the admin does not pick the file twice, and the problems file can
be downloaded from the page. They live under the temporary directory (systemd's PrivateTmp is shared by
the service's workers), named by a random id, and are removed after the import or after a day.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import secrets
import tempfile
import time
from pathlib import Path, PurePath

from flask import current_app

from coordination.onboarding.operations import Upload

#: a checked file not imported within this time is forgotten
KEEP_SECONDS = 24 * 3600
_ID = re.compile(r"^[0-9a-f]{32}$")


def _directory() -> Path:
    configured = current_app.config.get("ONBOARDING_UPLOAD_DIR")
    path = Path(configured) if configured else Path(tempfile.gettempdir()) / "coordination-onboarding"
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    return path


def _sweep(directory: Path) -> None:
    limit = time.time() - KEEP_SECONDS
    for old in directory.iterdir():
        try:
            if old.stat().st_mtime < limit:
                old.unlink()
        except OSError:
            pass  # another worker removed it first


def keep(upload: Upload) -> str:
    """Store a checked file; return the id the confirmation and the problems file name."""
    directory = _directory()
    _sweep(directory)
    upload_id = secrets.token_hex(16)
    (directory / f"{upload_id}.bin").write_bytes(upload.content)
    (directory / f"{upload_id}.json").write_text(json.dumps({"filename": PurePath(upload.filename).name[:200]}))
    return upload_id


def load(upload_id: str) -> Upload | None:
    """The file kept under this id, or None (unknown, expired, already imported)."""
    if not _ID.match(upload_id or ""):
        return None
    directory = _directory()
    try:
        meta = json.loads((directory / f"{upload_id}.json").read_text())
        return Upload(meta["filename"], (directory / f"{upload_id}.bin").read_bytes())
    except (OSError, ValueError, KeyError):
        return None


def discard(upload_id: str) -> None:
    if not _ID.match(upload_id or ""):
        return
    for suffix in (".bin", ".json"):
        with contextlib.suppress(OSError):
            os.unlink(_directory() / f"{upload_id}{suffix}")
