"""Throw-away database servers of their own (data in a temp dir, another port) to restart.

PostgreSQL's ``initdb`` and ``pg_ctl`` refuse to run as root, so they run as the
``postgres`` OS user through ``runuser``; MariaDB's server drops to the ``mysql`` user.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Protocol

import attrs
from sqlalchemy import create_engine

START_TIMEOUT = 30.0


class RestartableServer(Protocol):
    """A throw-away server the restart test can reach and restart."""

    @property
    def url(self) -> str: ...

    def restart(self, mode: str) -> None: ...


def free_port() -> int:
    """A TCP port nobody listens on now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _as(user: str, *command: str) -> list[str]:
    return ["runuser", "-u", user, "--", *command] if os.geteuid() == 0 else list(command)


def _run(command: list[str]) -> None:
    subprocess.run(command, check=True, capture_output=True, timeout=120)


def _workspace(owner: str) -> Path:
    root = Path(tempfile.mkdtemp(prefix="crmkit-restart-"))
    root.chmod(0o755)
    if os.geteuid() == 0:
        shutil.chown(root, owner, owner)
    return root


@attrs.define
class Postgres:
    """A PostgreSQL cluster in ``root``, listening on ``port``."""

    bindir: Path
    root: Path
    port: int

    @property
    def url(self) -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/postgres"

    def _ctl(self, *args: str) -> None:
        data, log = str(self.root / "data"), str(self.root / "log")
        _run(_as("postgres", str(self.bindir / "pg_ctl"), "-D", data, "-l", log, *args))

    def start(self) -> None:
        """Start the server and wait until it accepts connections."""
        options = f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 -c fsync=off"
        self._ctl("-o", options, "-w", "-t", str(int(START_TIMEOUT)), "start")

    def restart(self, mode: str) -> None:
        """Stop (``fast``: roll back and disconnect; ``immediate``: crash) and start again."""
        self._ctl("-m", mode, "-w", "stop")
        self.start()

    def stop(self) -> None:
        self._ctl("-m", "immediate", "-w", "stop")


@contextmanager
def throwaway_postgres() -> Iterator[Postgres]:
    """A fresh PostgreSQL cluster, removed afterwards."""
    bindir = Path(
        subprocess.run(
            ["pg_config", "--bindir"], check=True, capture_output=True, text=True
        ).stdout.strip()
    )
    root = _workspace("postgres")
    server = Postgres(bindir, root, free_port())
    try:
        _run(
            _as(
                "postgres",
                str(bindir / "initdb"),
                "-D",
                str(root / "data"),
                "-A",
                "trust",
                "-U",
                "postgres",
                "--no-sync",
            )
        )
        server.start()
        try:
            yield server
        finally:
            server.stop()
    finally:
        shutil.rmtree(root, ignore_errors=True)


@attrs.define
class MariaDb:
    """A MariaDB server with its own datadir and socket, listening on ``port``."""

    root: Path
    port: int
    process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"mysql+pymysql://root@127.0.0.1:{self.port}/crmkit?charset=utf8mb4"

    def start(self) -> None:
        """Start the server and wait until it accepts connections."""
        command = [
            shutil.which("mariadbd") or "mariadbd",
            "--no-defaults",
            f"--datadir={self.root / 'data'}",
            f"--socket={self.root / 'mysqld.sock'}",
            f"--pid-file={self.root / 'mysqld.pid'}",
            f"--port={self.port}",
            "--bind-address=127.0.0.1",
            "--skip-log-bin",
            "--innodb-flush-log-at-trx-commit=2",
            "--innodb-buffer-pool-size=32M",
        ]
        if os.geteuid() == 0:
            command.append("--user=mysql")
        log = (self.root / "log").open("ab")
        self.process = subprocess.Popen(command, stdout=log, stderr=log)
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"mariadbd exited: {(self.root / 'log').read_text()[-2000:]}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.5):
                    return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("mariadbd did not start in time")

    def restart(self, mode: str) -> None:
        """Stop (``fast``: SIGTERM, a clean shutdown; ``immediate``: SIGKILL) and start."""
        self.stop(signal.SIGTERM if mode == "fast" else signal.SIGKILL)
        self.start()

    def stop(self, how: signal.Signals = signal.SIGKILL) -> None:
        if self.process is not None:
            self.process.send_signal(how)
            self.process.wait(timeout=START_TIMEOUT)
            self.process = None


@contextmanager
def throwaway_mariadb() -> Iterator[MariaDb]:
    """A fresh MariaDB server with an empty ``crmkit`` database, removed afterwards."""
    root = _workspace("mysql")
    server = MariaDb(root, free_port())
    try:
        install = [
            shutil.which("mariadb-install-db") or "mariadb-install-db",
            "--no-defaults",
            f"--datadir={root / 'data'}",
            "--auth-root-authentication-method=normal",
            "--skip-test-db",
        ]
        if os.geteuid() == 0:
            install.append("--user=mysql")
        _run(install)
        server.start()
        try:
            engine = create_engine(f"mysql+pymysql://root@127.0.0.1:{server.port}/")
            with engine.begin() as connection:
                connection.exec_driver_sql("CREATE DATABASE crmkit")
            engine.dispose()
            yield server
        finally:
            server.stop()
    finally:
        shutil.rmtree(root, ignore_errors=True)
