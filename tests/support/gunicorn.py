"""The app served by our own gunicorn (deploy/gunicorn.conf.py, wsgi:app) for a test: started on a free port with
the environment the test gives, waited for until /readyz answers, stopped after."""

from __future__ import annotations

import http.client
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
GUNICORN = Path(sys.executable).with_name("gunicorn")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def server_env(url: str, tmp: Path, port: int, secret: str, **more: str) -> dict[str, str]:
    """What every test server needs: plain HTTP, its database, evidence, metrics, and no mail leaving."""
    return {
        **os.environ,
        "COORDINATION_ENV": "development",  # plain HTTP here: production's cookies would be Secure
        "SECRET_KEY": secret,
        "DATABASE_URL": url,
        "EVIDENCE_DIR": str(tmp / "evidence"),
        "PROMETHEUS_MULTIPROC_DIR": str(tmp / "metrics"),
        "GUNICORN_BIND": f"127.0.0.1:{port}",
        "GUNICORN_WORKERS": "2",
        "MAIL_SERVER": "127.0.0.1",
        "MAIL_PORT": "1",
        **more,
    }


def start(env: dict[str, str], log: Path) -> subprocess.Popen:
    """gunicorn with `env`, its output in `log`; not yet ready (see `wait_ready`)."""
    with log.open("wb") as sink:
        return subprocess.Popen(  # noqa: S603 - our own gunicorn with our own config
            [str(GUNICORN), "-c", "deploy/gunicorn.conf.py", "wsgi:app"],
            cwd=ROOT,
            env=env,
            stdout=sink,
            stderr=subprocess.STDOUT,
        )


def wait_ready(port: int, process: subprocess.Popen, log: Path, *, seconds: float = 30) -> None:
    """Until /readyz answers 200; the test fails with the server's log if it dies or never gets ready."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
        try:
            connection.request("GET", "/readyz")
            if connection.getresponse().status == 200:
                return
        except OSError:
            pass
        finally:
            connection.close()
        assert process.poll() is None, log.read_text()
        time.sleep(0.1)
    pytest.fail("gunicorn did not get ready: " + log.read_text())


def stop(*processes: subprocess.Popen) -> None:
    for process in processes:
        process.terminate()
    for process in processes:
        process.wait(timeout=30)


@contextmanager
def serving(env: dict[str, str], log: Path, port: int) -> Iterator[subprocess.Popen]:
    """One server, ready, for the block; stopped after."""
    process = start(env, log)
    try:
        wait_ready(port, process, log)
        yield process
    finally:
        stop(process)
