"""bench/serve.py's gunicorn gives each worker a listening socket of its own (SO_REUSEPORT), so that the kernel
spreads wrk's keep-alive connections over the workers instead of letting the first one awake take them all."""

from __future__ import annotations

import time
from pathlib import Path

from bench import serve
from tests.support.gunicorn import free_port


def _listening_sockets(port: int) -> int:
    """How many sockets listen on 127.0.0.1:`port` (state 0A in /proc/net/tcp)."""
    wanted = f"0100007F:{port:04X}"
    rows = [line.split() for line in Path("/proc/net/tcp").read_text().splitlines()[1:]]
    return sum(1 for row in rows if row[1] == wanted and row[3] == "0A")


def test_each_of_the_two_workers_listens_on_a_socket_of_its_own(tmp_path: Path) -> None:
    port = free_port()
    server = serve.start_gunicorn("bench.floor_app:app", port, {"PYTHONPATH": str(serve.ROOT)}, tmp_path / "log")
    try:
        # start_gunicorn returns as soon as one socket accepts: the other worker may still be starting
        deadline = time.monotonic() + 30
        while _listening_sockets(port) < 2 and time.monotonic() < deadline:
            time.sleep(0.1)
        assert _listening_sockets(port) == 2
    finally:
        serve.stop(server)
