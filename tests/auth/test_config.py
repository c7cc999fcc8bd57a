"""Production safety: no development secret, and cookies that scripts and other sites cannot use."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

import config
from coordination import ConfigError, create_app
from tests.conftest import DEMO_PASSWORD

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("secret", [config.DEV_SECRET_KEY, "", None])
def test_production_refuses_the_development_secret(secret):
    with pytest.raises(ConfigError, match="SECRET_KEY"):
        create_app(ENV_NAME="production", SECRET_KEY=secret)


def test_development_cookies_are_httponly_and_lax(client):
    response = client.post("/login", data={"username": "justice.tayninh", "password": DEMO_PASSWORD})
    cookie = response.headers["Set-Cookie"]
    assert cookie.startswith("session=")
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie
    assert "Secure" not in cookie


def _run_in_production(tmp_path, code: str, **env: str) -> subprocess.CompletedProcess[str]:
    environ = {k: v for k, v in os.environ.items() if k not in ("SECRET_KEY", "SESSION_COOKIE_SECURE")}
    environ.update(COORDINATION_ENV="production", DATABASE_URL=f"sqlite:///{tmp_path}/prod.db", **env)
    return subprocess.run(  # noqa: S603 - our own interpreter running our own snippet
        [sys.executable, "-c", code], cwd=ROOT, env=environ, capture_output=True, text=True, timeout=60, check=False
    )


def test_production_start_without_secret_key_fails(tmp_path):
    result = _run_in_production(tmp_path, "import wsgi")
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_production_cookies_are_secure(tmp_path):
    code = (
        "import wsgi\n"
        "c = wsgi.app.config\n"
        "print(c['SESSION_COOKIE_SECURE'], c['SESSION_COOKIE_HTTPONLY'], c['SESSION_COOKIE_SAMESITE'],"
        " c['REMEMBER_COOKIE_SECURE'])\n"
        "print(wsgi.app.test_client().get('/login').headers['Set-Cookie'])\n"
    )
    result = _run_in_production(tmp_path, code, SECRET_KEY="a-real-secret-for-this-test")
    assert result.returncode == 0, result.stderr
    flags, cookie = result.stdout.strip().splitlines()
    assert flags == "True True Lax True"
    assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_production_password_profile_meets_owasp():
    """argon2id with at least OWASP's minimum cost (m=19 MiB, t=2, p=1); the cheap test profile is refused."""
    import re

    from coordination.auth.models import PASSWORD_PROFILES

    encoded = PASSWORD_PROFILES["owasp"].hash("demo-2026")
    m, t, p = map(int, re.match(r"\$argon2id\$v=19\$m=(\d+),t=(\d+),p=(\d+)\$", encoded).groups())
    assert m >= 19 * 1024 and t >= 2 and p >= 1


def test_production_refuses_the_test_password_profile():
    import pytest

    from coordination import ConfigError, create_app

    with pytest.raises(ConfigError, match="PASSWORD_HASH_PROFILE"):
        create_app(ENV_NAME="production", SECRET_KEY="x" * 40, PASSWORD_HASH_PROFILE="tests-only")
