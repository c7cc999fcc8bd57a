"""Back up the database and the evidence store into a directory with a manifest of hashes; restore it.

PostgreSQL is dumped with pg_dump's custom format and restored with pg_restore in one transaction;
SQLite (development) is copied with its online backup API. A backup is written under a temporary name
and renamed when complete, so a failed run leaves nothing that looks like a backup.
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import tempfile
from pathlib import Path

import sqlalchemy as sa
from alembic.migration import MigrationContext
from flask_babel import gettext as _
from sqlalchemy.engine import URL

from coordination.db import utcnow
from coordination.evidence.storage import CHUNK, EvidenceStore, file_sha256

MANIFEST = "manifest.json"
PG_DUMP = "database.dump"
SQLITE_COPY = "database.sqlite3"
EVIDENCE = "evidence"
FORMAT = 1


class BackupError(Exception):
    """A backup or a restore refused or failed; the message is for the operator (already translated)."""


def _libpq_url(url: URL) -> str:
    # pg_dump takes a libpq connection string, without SQLAlchemy's "+driver"; the password goes in
    # PGPASSWORD (see _run), never on the command line where the process list shows it.
    return url.set(drivername="postgresql", password=None).render_as_string(hide_password=False)


def _sqlite_path(url: URL) -> str:
    return url.database or ""


def migration_revision(engine: sa.Engine) -> str | None:
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def _run(command: list[str], failure: str, url: URL) -> None:
    env = dict(os.environ)
    if url.password:
        env["PGPASSWORD"] = str(url.password)
    # The command is a fixed program with our own arguments, no shell.
    result = subprocess.run(command, capture_output=True, text=True, check=False, env=env)  # noqa: S603
    if result.returncode != 0:
        raise BackupError(f"{failure}: {result.stderr.strip()}")


def backup(engine: sa.Engine, store: EvidenceStore, target: Path) -> dict:
    """Write a complete backup at target (which must not exist or be empty); return its manifest."""
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        raise BackupError(_("Thư mục sao lưu đã có nội dung; hãy chọn một thư mục mới hoặc trống."))
    target.parent.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=f".{target.name}.partial-", dir=target.parent))
    try:
        url = engine.url
        if url.get_backend_name() == "postgresql":
            database_file = PG_DUMP
            _run(
                ["pg_dump", "--format=custom", "--no-owner", "--file", str(work / PG_DUMP), _libpq_url(url)],
                _("pg_dump thất bại"),
                url,
            )
        else:
            database_file = SQLITE_COPY
            source = sqlite3.connect(_sqlite_path(url))
            copy = sqlite3.connect(work / SQLITE_COPY)
            try:
                source.backup(copy)
            finally:
                copy.close()
                source.close()
        files = [_entry(work, database_file)]
        for key in store.stored_keys():
            relative = f"{EVIDENCE}/{key[:2]}/{key[2:4]}/{key}"
            (work / relative).parent.mkdir(parents=True, exist_ok=True)
            with store.open(key) as stored, open(work / relative, "wb") as copy:
                shutil.copyfileobj(stored, copy, CHUNK)
            entry = _entry(work, relative)
            if entry["sha256"] != key:
                raise BackupError(
                    _("Tệp minh chứng %(key)s không khớp mã băm của nó; hãy chạy evidence verify.", key=key)
                )
            files.append(entry)
        manifest = {
            "format": FORMAT,
            "created_at": utcnow().isoformat(),
            "dialect": url.get_backend_name(),
            "migration_head": migration_revision(engine),
            "database": database_file,
            "files": files,
        }
        (work / MANIFEST).write_text(json.dumps(manifest, indent=2, ensure_ascii=False))
        if target.exists():
            target.rmdir()
        os.replace(work, target)
        return manifest
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise


def _entry(root: Path, relative: str) -> dict:
    path = root / relative
    return {"path": relative, "sha256": file_sha256(path), "size": path.stat().st_size}


def read_manifest(source: Path) -> dict:
    """Load the manifest and check every file it lists against its hash and size."""
    try:
        manifest = json.loads((source / MANIFEST).read_text())
    except (OSError, ValueError):
        raise BackupError(_("Không đọc được manifest.json: đây không phải một bản sao lưu.")) from None
    for entry in manifest["files"]:
        path = source / entry["path"]
        if not path.is_file() or path.stat().st_size != entry["size"] or file_sha256(path) != entry["sha256"]:
            raise BackupError(_("Tệp %(path)s của bản sao lưu bị thiếu hoặc đã thay đổi.", path=entry["path"]))
    return manifest


def is_empty(engine: sa.Engine) -> bool:
    return not sa.inspect(engine).get_table_names()


def restore_evidence(store: EvidenceStore, source: Path, manifest: dict) -> list[str]:
    """Put the backup's evidence files into the store; return the keys it did not hold before."""
    created: list[str] = []
    try:
        for entry in manifest["files"]:
            if not entry["path"].startswith(f"{EVIDENCE}/"):
                continue
            with open(source / entry["path"], "rb") as stream:
                blob = store.put(stream, max_size=entry["size"])
            if blob.created:
                created.append(blob.sha256)
            if blob.sha256 != entry["sha256"]:
                raise BackupError(_("Tệp %(path)s của bản sao lưu bị thiếu hoặc đã thay đổi.", path=entry["path"]))
    except BaseException:
        for key in created:
            store.delete(key)
        raise
    return created


def restore(engine: sa.Engine, store: EvidenceStore, source: Path) -> dict:
    """Restore a backup into an empty database and the evidence store; return its manifest."""
    manifest = read_manifest(source)
    url = engine.url
    if manifest["dialect"] != url.get_backend_name():
        raise BackupError(
            _(
                "Bản sao lưu là của cơ sở dữ liệu %(dialect)s, khác loại với cơ sở dữ liệu đích.",
                dialect=manifest["dialect"],
            )
        )
    if not is_empty(engine):
        raise BackupError(_("Cơ sở dữ liệu đích không trống; chỉ khôi phục vào một cơ sở dữ liệu trống."))
    # Evidence first: content-addressed files are harmless extras, removed again if the database fails.
    created: list[str] = []
    try:
        created = restore_evidence(store, source, manifest)
        engine.dispose()
        if manifest["dialect"] == "postgresql":
            _run(
                [
                    "pg_restore",
                    "--single-transaction",
                    "--exit-on-error",
                    "--no-owner",
                    "--dbname",
                    _libpq_url(url),
                    str(source / manifest["database"]),
                ],
                _("pg_restore thất bại"),
                url,
            )
        else:
            backup_copy = sqlite3.connect(source / manifest["database"])
            destination = sqlite3.connect(_sqlite_path(url))
            try:
                backup_copy.backup(destination)
            finally:
                destination.close()
                backup_copy.close()
    except BaseException:
        for key in created:
            store.delete(key)
        raise
    if migration_revision(engine) != manifest["migration_head"]:
        raise BackupError(_("Phiên bản migration sau khi khôi phục khác với manifest."))
    return manifest
