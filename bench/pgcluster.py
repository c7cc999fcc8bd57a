"""PostgreSQL clusters of one's own, in a temporary directory, on free loopback ports: bench/soak.py's database
(restarted on purpose, touching nobody else's) and tests/replica's primary and streaming standby.

    primary = Cluster(workdir / "primary")
    primary.init(wal_level="replica")      # initdb, trust, a pg_hba line for replication from 127.0.0.1
    primary.start()
    primary.create_database("app")
    standby = primary.standby(workdir / "standby")   # pg_basebackup -R, started: a hot standby
    standby.wait_replayed(primary)                    # until it has replayed everything the primary wrote

PostgreSQL refuses to run as root: as root, its tools run as the `postgres` user (runuser) and the directories
are handed to it, so the work directory must be one that user can reach (a `tempfile.mkdtemp()` does, after
`hand_over()`; pytest's tmp_path, under a 0700 directory of root's, does not).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import time
from pathlib import Path

import psycopg


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def find_pg_bin() -> Path | None:
    """The newest installed PostgreSQL's server binaries (Debian keeps them out of PATH), or None."""
    versions = sorted(
        (p for p in Path("/usr/lib/postgresql").glob("*/bin") if (p / "initdb").exists() and p.parent.name.isdigit()),
        key=lambda p: int(p.parent.name),
    )
    return versions[-1] if versions else None


def as_postgres(args: list[str]) -> list[str]:
    """PostgreSQL refuses to run as root: run its tools as the postgres user when we are root."""
    return ["runuser", "-u", "postgres", "--", *args] if os.geteuid() == 0 else args


def hand_over(path: Path) -> None:
    """Let the user the clusters run as own `path` (nothing to do unless we are root)."""
    if os.geteuid() == 0:
        shutil.chown(path, "postgres")


class Cluster:
    """One PostgreSQL cluster: its data directory, loopback port and log (`<dir>/log`)."""

    def __init__(self, directory: Path, *, port: int | None = None, pg_bin: Path | None = None) -> None:
        self.dir = directory
        self.port = port or free_port()
        found = pg_bin or find_pg_bin()
        if found is None:
            raise FileNotFoundError("PostgreSQL's server binaries are not installed (/usr/lib/postgresql/*/bin)")
        self.bin = found

    def dsn(self, database: str = "postgres", *, driver: str = "postgresql") -> str:
        return f"{driver}://postgres@127.0.0.1:{self.port}/{database}"

    def _run(self, tool: str, *args: str) -> None:
        subprocess.run(as_postgres([str(self.bin / tool), *args]), check=True, stdout=subprocess.DEVNULL)

    def _ctl(self, *args: str) -> None:
        self._run("pg_ctl", "-D", str(self.dir), "-w", "-l", str(self.dir / "log"), *args)

    def init(self, **settings: str) -> None:
        """initdb (trust, UTF-8), `settings` appended to postgresql.conf, replication allowed from 127.0.0.1."""
        self.dir.mkdir(parents=True)
        hand_over(self.dir)
        self._run("initdb", "-D", str(self.dir), "-A", "trust", "-U", "postgres", "-E", "UTF8")
        if settings:
            with (self.dir / "postgresql.conf").open("a") as conf:
                conf.writelines(f"{name} = '{value}'\n" for name, value in settings.items())
        with (self.dir / "pg_hba.conf").open("a") as hba:
            hba.write("host replication postgres 127.0.0.1/32 trust\n")

    def start(self) -> None:
        # TCP on loopback only; no Unix socket (in the data directory it would upset pg_basebackup, elsewhere
        # it could collide with the host's own server)
        self._ctl("-o", f"-p {self.port} -c listen_addresses=127.0.0.1 -c unix_socket_directories=''", "start")

    def restart(self) -> None:
        self._ctl("-m", "fast", "restart")

    def stop(self) -> None:
        with contextlib.suppress(Exception):
            self._ctl("-m", "fast", "stop")

    def running(self) -> bool:
        status = as_postgres([str(self.bin / "pg_ctl"), "-D", str(self.dir), "status"])
        return subprocess.run(status, stdout=subprocess.DEVNULL, check=False).returncode == 0

    def create_database(self, name: str) -> None:
        with psycopg.connect(self.dsn(), autocommit=True) as c:
            c.execute(f'CREATE DATABASE "{name}"')

    def standby(self, directory: Path, *, port: int | None = None) -> Cluster:
        """A streaming hot standby of this cluster: pg_basebackup -R into `directory`, started."""
        standby = Cluster(directory, port=port, pg_bin=self.bin)
        self._run(
            "pg_basebackup",
            *("-D", str(directory), "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres"),
            *("-X", "stream", "-R", "-c", "fast"),
        )
        standby.start()
        return standby

    def wait_replayed(self, primary: Cluster, timeout: float = 30.0) -> None:
        """Wait until this standby has replayed everything written on `primary` so far."""
        with psycopg.connect(primary.dsn(), autocommit=True) as c:
            target = c.execute("SELECT pg_current_wal_lsn()").fetchone()[0]  # type: ignore[index]
        deadline = time.monotonic() + timeout
        with psycopg.connect(self.dsn(), autocommit=True) as c:
            while True:
                replayed = c.execute("SELECT pg_last_wal_replay_lsn() >= %s::pg_lsn", (str(target),)).fetchone()[0]  # type: ignore[index]
                if replayed:
                    return
                if time.monotonic() > deadline:
                    raise TimeoutError(f"the standby on port {self.port} did not replay {target} in {timeout} s")
                time.sleep(0.05)
