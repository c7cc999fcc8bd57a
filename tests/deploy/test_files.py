"""The files an operator installs from deploy/: systemd units that systemd accepts, a gunicorn config that
gunicorn accepts, and an environment file template that names every setting."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
UNITS = (
    "coordination.service",
    "coordination-reminders.service",
    "coordination-reminders.timer",
    "coordination-webhooks.service",
    "coordination-webhooks.timer",
    "coordination-worker.service",
)
#: the README's Configuration table rows that are not deployment settings
NOT_DEPLOYED = {"TEST_DATABASE_URL"}


def readme_settings() -> list[str]:
    """The variables of the README's Configuration table, in order."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    table = text.split("## Configuration", 1)[1].split("\n## ", 1)[0]
    names: list[str] = []
    for line in table.splitlines():
        if line.startswith("| `"):
            first_cell = line.split("|")[1]
            names += re.findall(r"`([A-Z][A-Z0-9_]+)`", first_cell)
    return names


def test_every_variable_the_code_reads_is_in_the_configuration_table() -> None:
    read = set(re.findall(r'(?:os\.environ\.get|_int|_bool)\(\s*"([A-Z][A-Z0-9_]+)"', (ROOT / "config.py").read_text()))
    read |= set(
        re.findall(
            r'os\.environ\.(?:get|setdefault)\(\s*"([A-Z][A-Z0-9_]+)"', (DEPLOY / "gunicorn.conf.py").read_text()
        )
    )
    assert {"SECRET_KEY", "MAX_UPLOAD_MB", "PROXY_COUNT", "GUNICORN_WORKERS", "PROMETHEUS_MULTIPROC_DIR"} <= read
    assert sorted(read - set(readme_settings())) == []


def test_the_environment_template_lists_every_setting() -> None:
    template = (DEPLOY / "coordination.env").read_text(encoding="utf-8")
    listed = set(re.findall(r"^#?([A-Z][A-Z0-9_]+)=", template, re.M))
    wanted = set(readme_settings()) - NOT_DEPLOYED
    assert len(wanted) >= 30
    assert sorted(wanted - listed) == []
    # Production settings are set, not left to their development defaults.
    for line in ("COORDINATION_ENV=production", "PROXY_COUNT=1", "EVIDENCE_DIR=/var/lib/coordination/evidence"):
        assert re.search(rf"^{re.escape(line)}$", template, re.M), line


def _rendered_units(tmp_path: Path) -> list[Path]:
    """The units with this checkout in place of /srv/coordination, so that their commands exist here."""
    venv_bin = Path(sys.executable).parent
    paths = []
    for name in UNITS:
        text = (DEPLOY / "systemd" / name).read_text(encoding="utf-8")
        text = text.replace("/srv/coordination/.venv/bin/", f"{venv_bin}/").replace("/srv/coordination", str(ROOT))
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        paths.append(path)
    return paths


def test_systemd_accepts_the_units(tmp_path: Path) -> None:
    analyze = shutil.which("systemd-analyze")
    if analyze is None:
        pytest.skip("systemd-analyze missing: `make test` installs Debian's systemd package; install it to run this")
    result = subprocess.run(  # noqa: S603 - systemd's own checker on our files
        [analyze, "verify", "--man=no", *map(str, _rendered_units(tmp_path))],
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "SYSTEMD_LOG_COLOR": "0"},
    )
    assert (result.returncode, result.stdout + result.stderr) == (0, "")


@pytest.mark.parametrize(
    ("name", "writable"),
    [
        ("coordination.service", ["/var/lib/coordination/evidence"]),
        # the daily purge deletes expired exports (the directory exists only where the worker runs)
        ("coordination-reminders.service", ["/var/lib/coordination/evidence", "-/var/lib/coordination/exports"]),
        ("coordination-worker.service", ["/var/lib/coordination/exports"]),
    ],
)
def test_units_are_sandboxed(name: str, writable: list[str]) -> None:
    text = (DEPLOY / "systemd" / name).read_text(encoding="utf-8")
    directives = dict(
        line.split("=", 1) for line in text.splitlines() if "=" in line and not line.startswith(("#", ";"))
    )
    assert directives["User"] == directives["Group"] == "coordination"
    assert directives["ProtectSystem"] == "strict"
    assert directives["NoNewPrivileges"] == "yes"
    assert directives["ProtectHome"] == directives["PrivateTmp"] == directives["PrivateDevices"] == "yes"
    assert directives["CapabilityBoundingSet"] == ""
    assert re.findall(r"^ReadWritePaths=(.*)$", text, re.M) == writable
    assert directives["EnvironmentFile"] == "/etc/coordination/coordination.env"


def test_reminders_run_from_a_timer_each_morning_in_vietnam_time() -> None:
    text = (DEPLOY / "systemd" / "coordination-reminders.timer").read_text(encoding="utf-8")
    assert "OnCalendar=*-*-* 07:00:00 Asia/Ho_Chi_Minh" in text.splitlines()
    assert "Persistent=true" in text.splitlines()
    service = (DEPLOY / "systemd" / "coordination-reminders.service").read_text(encoding="utf-8")
    assert "ExecStart=/srv/coordination/.venv/bin/flask --app wsgi reminders run" in service.splitlines()
    assert "ExecStartPost=/srv/coordination/.venv/bin/flask --app wsgi report tally --roll" in service.splitlines()


def test_the_export_worker_is_one_command_restarted_always_and_purged_daily() -> None:
    text = (DEPLOY / "systemd" / "coordination-worker.service").read_text(encoding="utf-8").splitlines()
    assert "ExecStart=/srv/coordination/.venv/bin/flask --app wsgi jobs worker" in text
    assert "Restart=always" in text and "KillMode=mixed" in text
    reminders = (DEPLOY / "systemd" / "coordination-reminders.service").read_text(encoding="utf-8").splitlines()
    assert "ExecStart=/srv/coordination/.venv/bin/flask --app wsgi jobs purge" in reminders
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "flask --app wsgi jobs worker" in readme


def test_webhooks_are_delivered_every_minute_from_a_sandbox_that_writes_nothing() -> None:
    timer = (DEPLOY / "systemd" / "coordination-webhooks.timer").read_text(encoding="utf-8").splitlines()
    assert "OnUnitActiveSec=1min" in timer and "Unit=coordination-webhooks.service" in timer
    text = (DEPLOY / "systemd" / "coordination-webhooks.service").read_text(encoding="utf-8")
    assert "ExecStart=/srv/coordination/.venv/bin/flask --app wsgi webhooks deliver" in text.splitlines()
    directives = dict(line.split("=", 1) for line in text.splitlines() if "=" in line and not line.startswith("#"))
    assert directives["User"] == "coordination" and directives["ProtectSystem"] == "strict"
    assert directives["NoNewPrivileges"] == "yes" and directives["CapabilityBoundingSet"] == ""
    assert "ReadWritePaths" not in directives


def test_gunicorn_accepts_the_config(tmp_path: Path) -> None:
    gunicorn = Path(sys.executable).with_name("gunicorn")
    env = {
        **os.environ,
        "SECRET_KEY": "check-config",
        "DATABASE_URL": f"sqlite:///{tmp_path}/check.db",
        "PROMETHEUS_MULTIPROC_DIR": str(tmp_path / "metrics"),
    }
    result = subprocess.run(  # noqa: S603 - our own gunicorn on our own config
        [str(gunicorn), "--check-config", "-c", str(DEPLOY / "gunicorn.conf.py"), "wsgi:app"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
        env=env,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    result = subprocess.run(  # noqa: S603 - the settings gunicorn will run with
        [str(gunicorn), "--print-config", "-c", str(DEPLOY / "gunicorn.conf.py"), "wsgi:app"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
        env={**env, "GUNICORN_WORKERS": "3"},
    )
    settings = dict(re.findall(r"^(\w+)\s+= (.*)$", result.stdout, re.M))
    assert settings["workers"] == "3"
    assert settings["preload_app"] == "True"
    assert settings["max_requests"] == "2000" and settings["max_requests_jitter"] == "200"
    assert settings["timeout"] == "120"
    assert settings["logger_class"] == "coordination.observability.gunicorn_logging.JsonLogger"


def test_nginx_allows_the_largest_request_the_app_accepts() -> None:
    import config

    text = (DEPLOY / "nginx" / "coordination.conf").read_text(encoding="utf-8")
    (size,) = re.findall(r"client_max_body_size (\d+)m;", text)
    assert int(size) * 1024 * 1024 == config.Config.MAX_CONTENT_LENGTH
    assert "proxy_set_header X-Forwarded-For $remote_addr;" in text
    assert "proxy_set_header X-Forwarded-Proto $scheme;" in text
    assert "alias /srv/coordination/coordination/static/;" in text
    assert "ssl_certificate " in text
