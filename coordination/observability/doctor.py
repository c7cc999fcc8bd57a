"""`flask --app wsgi doctor`: check a deployment and say what is wrong; exit 1 when anything is."""

from __future__ import annotations

import smtplib
import tempfile
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import click
import sqlalchemy as sa
from flask import Flask, current_app
from flask.cli import with_appcontext
from flask_babel import force_locale
from flask_babel import gettext as _

import config as config_module
from coordination.extensions import db

#: the fonts the PDF reports embed (coordination/static/fonts), and text they must be able to draw
PDF_FONTS = (
    "LiberationSerif-Regular.ttf",
    "LiberationSerif-Bold.ttf",
    "LiberationSerif-Italic.ttf",
    "LiberationSerif-BoldItalic.ttf",
)
VIETNAMESE_SAMPLE = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM Độc lập - Tự do - Hạnh phúc ữ ặ ỹ đ"
#: a secret key shorter than this (or a placeholder) is not a secret
MIN_SECRET_KEY_LENGTH = 32
PLACEHOLDER_SECRETS = {"", "change-me", "changeme", "secret", config_module.DEV_SECRET_KEY}
#: the database's clock and this machine's may differ by this much (seconds)
MAX_CLOCK_SKEW = 60


@dataclass(frozen=True)
class Finding:
    check: str
    ok: bool
    detail: str


def check_secret_key(app: Flask) -> Finding:
    key = app.config.get("SECRET_KEY") or ""
    if key in PLACEHOLDER_SECRETS:
        return Finding("SECRET_KEY", False, _("đang là giá trị mặc định hoặc giữ chỗ; hãy đặt một chuỗi ngẫu nhiên"))
    if len(key) < MIN_SECRET_KEY_LENGTH:
        return Finding("SECRET_KEY", False, _("quá ngắn (dưới %(n)s ký tự)", n=MIN_SECRET_KEY_LENGTH))
    return Finding("SECRET_KEY", True, _("đã đặt"))


def check_mode(app: Flask) -> Finding:
    if app.debug:
        return Finding("debug", False, _("chế độ debug đang bật (FLASK_DEBUG); không bao giờ bật trên máy chủ"))
    if app.config["ENV_NAME"] != "production":
        return Finding(
            "debug", False, _("COORDINATION_ENV là %(env)s, không phải production", env=app.config["ENV_NAME"])
        )
    return Finding("debug", True, _("production, debug tắt"))


def check_database() -> Finding:
    from coordination.observability.health import database_state, migration_heads

    ready, reason = database_state()
    if not ready:
        return Finding("database", False, reason)
    return Finding("database", True, _("trả lời, lược đồ ở phiên bản %(head)s", head=", ".join(migration_heads())))


def check_evidence_dir(path: str) -> Finding:
    directory = Path(path)
    if not directory.is_dir():
        return Finding("EVIDENCE_DIR", False, _("%(path)s không tồn tại hoặc không phải thư mục", path=path))
    try:
        # The same way the store writes: a temporary file in the directory, then removed.
        with tempfile.NamedTemporaryFile(dir=directory, prefix=f".doctor-{uuid.uuid4().hex}-"):
            pass
    except OSError as error:
        return Finding(
            "EVIDENCE_DIR", False, _("không ghi được vào %(path)s: %(error)s", path=path, error=error.strerror)
        )
    return Finding("EVIDENCE_DIR", True, _("%(path)s ghi được", path=path))


def check_evidence_store(app: Flask) -> Finding:
    if app.config.get("EVIDENCE_STORE", "directory") != "s3":
        return check_evidence_dir(app.config["EVIDENCE_DIR"])
    from coordination.evidence.stores import get_store

    bucket = app.config["EVIDENCE_S3_BUCKET"]
    try:
        # Listing one key needs the bucket to exist and the credentials to read it.
        next(iter(get_store().stored_keys()), None)
    except Exception as error:  # botocore's errors have no common base short of Exception
        return Finding(
            "EVIDENCE_S3_BUCKET", False, _("không đọc được kho %(bucket)s: %(error)s", bucket=bucket, error=error)
        )
    return Finding("EVIDENCE_S3_BUCKET", True, _("kho %(bucket)s đọc được", bucket=bucket))


def check_smtp(app: Flask, timeout: float = 10) -> Finding:
    config = app.config
    where = f"{config['MAIL_SERVER']}:{config['MAIL_PORT']}"
    try:
        with smtplib.SMTP(config["MAIL_SERVER"], config["MAIL_PORT"], timeout=timeout) as connection:
            connection.ehlo()
            if config["MAIL_USE_TLS"]:
                connection.starttls()
                connection.ehlo()
            if config.get("MAIL_USERNAME"):
                connection.login(config["MAIL_USERNAME"], config.get("MAIL_PASSWORD") or "")
    except (OSError, smtplib.SMTPException) as error:
        return Finding("SMTP", False, _("không kết nối được %(where)s: %(error)s", where=where, error=error))
    return Finding("SMTP", True, _("%(where)s trả lời", where=where))


def check_fonts(directory: Path | None = None) -> Finding:
    from reportlab.pdfbase.ttfonts import TTFError, TTFont

    from coordination.reports.render_html import FONTS_DIR

    directory = directory or FONTS_DIR
    missing = [name for name in PDF_FONTS if not (directory / name).is_file()]
    if missing:
        return Finding("PDF fonts", False, _("thiếu %(files)s trong %(dir)s", files=", ".join(missing), dir=directory))
    for name in PDF_FONTS:
        try:
            face = TTFont(f"doctor-{name}", str(directory / name)).face
        except (TTFError, OSError) as error:
            return Finding("PDF fonts", False, _("%(file)s không đọc được: %(error)s", file=name, error=error))
        lacking = sorted({ch for ch in VIETNAMESE_SAMPLE if not ch.isspace() and ord(ch) not in face.charToGlyph})
        if lacking:
            return Finding("PDF fonts", False, _("%(file)s thiếu chữ %(chars)s", file=name, chars="".join(lacking)))
    return Finding("PDF fonts", True, _("%(n)s phông chữ, đủ chữ tiếng Việt", n=len(PDF_FONTS)))


def check_clock(app: Flask) -> Finding:
    name = app.config["TIMEZONE"]
    try:
        zone = ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return Finding("clock", False, _("TIMEZONE %(zone)s không phải múi giờ hợp lệ", zone=name))
    try:
        database_now = db.session.scalar(sa.select(sa.func.current_timestamp()))
    except sa.exc.SQLAlchemyError:
        return Finding("clock", False, _("không đọc được giờ của cơ sở dữ liệu"))
    finally:
        db.session.rollback()
    if isinstance(database_now, str):  # SQLite: 'YYYY-MM-DD HH:MM:SS' in UTC
        database_now = datetime.fromisoformat(database_now)
    if database_now.tzinfo is None:
        database_now = database_now.replace(tzinfo=UTC)
    skew = abs((datetime.now(UTC) - database_now).total_seconds())
    if skew > MAX_CLOCK_SKEW:
        return Finding(
            "clock", False, _("đồng hồ máy này lệch %(s)s giây so với cơ sở dữ liệu; hãy bật NTP", s=round(skew))
        )
    local = datetime.now(zone)
    return Finding("clock", True, f"{local:%d/%m/%Y %H:%M} ({name})")


def run_checks(app: Flask) -> list[Finding]:
    checks: list[Callable[[], Finding]] = [
        lambda: check_secret_key(app),
        lambda: check_mode(app),
        check_database,
        lambda: check_evidence_store(app),
        lambda: check_smtp(app),
        check_fonts,
        lambda: check_clock(app),
    ]
    return [check() for check in checks]


@click.command("doctor")
@with_appcontext
def doctor_command() -> None:
    """Check this deployment: secret key, debug, database, evidence directory, SMTP, PDF fonts, clock."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    with force_locale(app.config["BABEL_DEFAULT_LOCALE"]):
        findings = run_checks(app)
        for finding in findings:
            mark = "ok  " if finding.ok else "FAIL"
            click.echo(f"{mark} {finding.check}: {finding.detail}", err=not finding.ok)
        failed = [finding for finding in findings if not finding.ok]
        if failed:
            click.echo(_("%(n)s vấn đề cần sửa.", n=len(failed)), err=True)
            raise SystemExit(1)
        click.echo(_("Không phát hiện vấn đề."))
