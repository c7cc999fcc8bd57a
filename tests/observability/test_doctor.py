"""`flask doctor` on a good deployment (exit 0) and on a broken one (exit 1, naming each problem)."""

from __future__ import annotations

import socket
from collections.abc import Iterator

import pytest
from aiosmtpd.controller import Controller

from coordination.extensions import db
from coordination.observability.doctor import check_evidence_dir, check_fonts, check_secret_key
from coordination.observability.health import migration_heads
from tests.conftest import make_test_app

GOOD_KEY = "7f" * 32


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Sink:
    async def handle_DATA(self, server, session, envelope):  # type: ignore[no-untyped-def]
        return "250 OK"


@pytest.fixture
def smtp_port() -> Iterator[int]:
    controller = Controller(Sink(), hostname="127.0.0.1", port=_free_port())
    controller.start()
    yield controller.port
    controller.stop()


def _doctor(app) -> tuple[int, list[str]]:  # type: ignore[no-untyped-def]
    result = app.test_cli_runner().invoke(args=["doctor"])
    with app.app_context():
        db.session.remove()
        db.engine.dispose()
    return result.exit_code, result.output.splitlines()


def test_a_good_deployment(database: str, tmp_path, smtp_port: int) -> None:  # type: ignore[no-untyped-def]
    (tmp_path / "evidence").mkdir()
    app = make_test_app(
        str(tmp_path),
        database,
        ENV_NAME="production",
        SECRET_KEY=GOOD_KEY,
        PASSWORD_HASH_PROFILE="owasp",
        MAIL_SERVER="127.0.0.1",
        MAIL_PORT=smtp_port,
        BABEL_DEFAULT_LOCALE="en",
    )
    code, lines = _doctor(app)
    assert code == 0, lines
    assert lines == [
        "ok   SECRET_KEY: set",
        "ok   debug: production, debug off",
        f"ok   database: answers, schema at revision {migration_heads()[0]}",
        f"ok   EVIDENCE_DIR: {tmp_path / 'evidence'} is writable",
        f"ok   SMTP: 127.0.0.1:{smtp_port} answers",
        "ok   PDF fonts: 4 fonts, with every Vietnamese letter",
        lines[6],
        "No problem found.",
    ]
    assert lines[6].startswith("ok   clock: ") and lines[6].endswith(" (Asia/Ho_Chi_Minh)")
    assert list((tmp_path / "evidence").iterdir()) == []  # the write test leaves nothing


def test_a_broken_deployment(tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("FLASK_DEBUG", "1")  # what the flask command and Flask itself read
    (tmp_path / "not-a-dir").write_text("x")
    dead_port = _free_port()
    app = make_test_app(
        str(tmp_path),
        f"postgresql+psycopg://coordination@127.0.0.1:{dead_port}/coordination",
        SECRET_KEY="short",
        EVIDENCE_DIR=str(tmp_path / "not-a-dir"),
        MAIL_SERVER="127.0.0.1",
        MAIL_PORT=dead_port,
        TIMEZONE="Asia/Sai_Gon",
        BABEL_DEFAULT_LOCALE="en",
    )
    code, lines = _doctor(app)
    assert code == 1
    assert lines[0] == "FAIL SECRET_KEY: too short (under 32 characters)"
    assert lines[1] == "FAIL debug: debug mode is on (FLASK_DEBUG); never on a server"
    assert lines[2].startswith("FAIL database: database unreachable: ") and "refused" in lines[2]
    assert lines[3] == f"FAIL EVIDENCE_DIR: {tmp_path / 'not-a-dir'} does not exist or is not a directory"
    assert lines[4].startswith(f"FAIL SMTP: cannot connect to 127.0.0.1:{dead_port}: ") and "refused" in lines[4]
    assert lines[5] == "ok   PDF fonts: 4 fonts, with every Vietnamese letter"
    assert lines[6] == "FAIL clock: TIMEZONE Asia/Sai_Gon is not a valid time zone"
    assert lines[7] == "6 problem(s) to fix."


def test_development_settings_are_a_problem(app) -> None:  # type: ignore[no-untyped-def]
    with app.app_context():
        from coordination.observability.doctor import check_mode

        assert check_mode(app).ok is False  # the suite's app: COORDINATION_ENV=development


@pytest.mark.parametrize(
    ("key", "ok"),
    [("dev-only-not-secret", False), ("change-me", False), ("", False), ("a" * 31, False), (GOOD_KEY, True)],
)
def test_secret_keys(app, key: str, ok: bool) -> None:  # type: ignore[no-untyped-def]
    saved = app.config["SECRET_KEY"]
    app.config["SECRET_KEY"] = key
    try:
        with app.app_context():
            assert check_secret_key(app).ok is ok
    finally:
        app.config["SECRET_KEY"] = saved


def test_fonts_missing_or_unreadable(app, tmp_path) -> None:  # type: ignore[no-untyped-def]
    with app.app_context():
        finding = check_fonts(tmp_path)
        assert finding.ok is False and "LiberationSerif-Regular.ttf" in finding.detail
        for name in ("Regular", "Bold", "Italic", "BoldItalic"):
            (tmp_path / f"LiberationSerif-{name}.ttf").write_bytes(b"not a font")
        finding = check_fonts(tmp_path)
        assert finding.ok is False and "LiberationSerif-Regular.ttf" in finding.detail


def test_evidence_dir_missing(app, tmp_path) -> None:  # type: ignore[no-untyped-def]
    with app.app_context():
        assert check_evidence_dir(str(tmp_path / "missing")).ok is False
        assert check_evidence_dir(str(tmp_path)).ok is True
