"""`flask --app wsgi audit verify | evidence verify | backup DIR | restore DIR`: prove the records intact."""

from __future__ import annotations

from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup, with_appcontext
from flask_babel import force_locale
from flask_babel import gettext as _

from coordination.extensions import db

audit_cli = AppGroup("audit", help="The audit history (nhật ký): verify its hash chain.")
evidence_cli = AppGroup("evidence", help="Evidence files (minh chứng): verify the store.")


def _locale():  # type: ignore[no-untyped-def]
    # No request here: messages take the app's default language.
    return force_locale(current_app.config["BABEL_DEFAULT_LOCALE"])


@audit_cli.command("verify")
@click.option("--batch-size", default=1000, show_default=True, help="Events read per query.")
def audit_verify_command(batch_size: int) -> None:
    """Walk the hash chain in id order; name the first event that does not match."""
    from coordination.audit import verify_chain

    with _locale():
        count, broken = verify_chain(batch_size)
        if broken is None:
            click.echo(_("OK: chuỗi băm của %(n)s sự kiện nhật ký khớp.", n=count))
            return
        if broken.reason == "link":
            message = _(
                "Sự kiện nhật ký %(id)s không nối với sự kiện trước nó (một sự kiện đã bị xoá hoặc chèn thêm).",
                id=broken.event_id,
            )
        else:
            message = _("Sự kiện nhật ký %(id)s đã bị sửa: nội dung không khớp mã băm.", id=broken.event_id)
        click.echo(message, err=True)
        click.echo(_("%(n)s sự kiện trước đó khớp.", n=count), err=True)
    raise SystemExit(1)


@evidence_cli.command("verify")
def evidence_verify_command() -> None:
    """Re-hash every stored evidence file; report missing, changed and orphan files."""
    from coordination.evidence.stores import get_store
    from coordination.evidence.verify import verify_store

    with _locale():
        labels = {
            "missing": _("thiếu"),
            "changed": _("đã thay đổi"),
            "orphan": _("không được tham chiếu"),
        }
        good = 0
        counts = dict.fromkeys(labels, 0)
        for finding in verify_store(get_store()):
            if isinstance(finding, str):
                good += 1
                continue
            counts[finding.kind] += 1
            click.echo(f"{labels[finding.kind]}: {finding.sha256}", err=True)
        summary = _(
            "%(good)s tệp khớp; %(missing)s thiếu, %(changed)s đã thay đổi, %(orphan)s không được tham chiếu.",
            good=good,
            **counts,
        )
        if any(counts.values()):
            click.echo(summary, err=True)
            raise SystemExit(1)
        click.echo(f"OK: {summary}")


@click.command("backup")
@with_appcontext
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
def backup_command(directory: Path) -> None:
    """Back up the database and the evidence store into DIRECTORY (new or empty), with a manifest."""
    from coordination.backup import BackupError, backup
    from coordination.evidence.stores import get_store

    with _locale():
        try:
            manifest = backup(db.engine, get_store(), directory)
        except BackupError as error:
            raise click.ClickException(str(error)) from None
        click.echo(_("Đã sao lưu %(n)s tệp vào %(dir)s.", n=len(manifest["files"]), dir=str(directory)))


@click.command("restore")
@with_appcontext
@click.argument("directory", type=click.Path(file_okay=False, exists=True, path_type=Path))
def restore_command(directory: Path) -> None:
    """Restore a backup from DIRECTORY into an empty database and the evidence store."""
    from coordination.backup import BackupError, restore
    from coordination.evidence.stores import get_store

    with _locale():
        try:
            manifest = restore(db.engine, get_store(), directory)
        except BackupError as error:
            raise click.ClickException(str(error)) from None
        click.echo(
            _(
                "Đã khôi phục bản sao lưu lúc %(at)s (migration %(rev)s).",
                at=manifest["created_at"],
                rev=manifest["migration_head"],
            )
        )
