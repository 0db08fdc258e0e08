"""Real databases for the tests: URLs from the environment, or the machine's defaults.

PostgreSQL and MariaDB are expected to run (``.ci/run`` starts them); MongoDB is a
SecantusDB server started here unless ``CRMKIT_TEST_MONGO_URL`` points at a real one.
A backend that cannot be reached fails its tests: nothing is skipped.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from pymongo import MongoClient
from sqlalchemy import Engine, MetaData, create_engine, make_url, text

from crmkit.adapters.sql import create_crmkit_engine, upgrade_database
from crmkit.adapters.sql.tables import metadata

WORKER = os.environ.get("PYTEST_XDIST_WORKER", "")
"""The pytest-xdist worker running this process (``gw0``, ...), or empty without xdist."""


def per_worker(url: str) -> str:
    """``url`` with a database of the worker's own (``test_gw0``): parallel workers must not
    drop each other's tables."""
    if not WORKER:
        return url
    parsed = make_url(url)
    return parsed.set(database=f"{parsed.database}_{WORKER}").render_as_string(hide_password=False)


def ensure_database(url: str) -> None:
    """Create the database ``url`` names if the server does not have it yet."""
    parsed = make_url(url)
    name = parsed.database or ""
    if not name.replace("_", "").isalnum():
        raise ValueError(f"unexpected test database name {name!r}")
    server = parsed.set(database="postgres" if parsed.get_backend_name() == "postgresql" else "")
    engine = create_engine(server, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as connection:
            if parsed.get_backend_name() == "postgresql":
                found = connection.execute(
                    text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": name}
                ).first()
                if found is None:
                    connection.execute(text(f'CREATE DATABASE "{name}"'))
            else:
                connection.execute(
                    text(f"CREATE DATABASE IF NOT EXISTS `{name}` CHARACTER SET utf8mb4")
                )
    finally:
        engine.dispose()


POSTGRES_URL = per_worker(
    os.environ.get("CRMKIT_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
)
MARIADB_URL = per_worker(
    os.environ.get(
        "CRMKIT_TEST_MARIADB_URL", "mysql+pymysql://root@127.0.0.1:3306/test?charset=utf8mb4"
    )
)
MONGO_URL = os.environ.get("CRMKIT_TEST_MONGO_URL")


def fresh_sql_database(url: str) -> Engine:
    """An engine on ``url`` whose crmkit tables were dropped and migrated afresh.

    Tables an older crmkit left behind (any ``crmkit_`` table the metadata no longer has)
    are dropped too, so a reused test database compares cleanly with the metadata.
    """
    if WORKER:
        ensure_database(url)
    engine = create_crmkit_engine(url, pool_size=10, max_overflow=10)
    with engine.begin() as connection:
        metadata.drop_all(connection)
        stale = MetaData()
        stale.reflect(connection, only=lambda name, _meta: name.startswith("crmkit_"))
        stale.drop_all(connection)
    upgrade_database(engine)
    return engine


def sqlite_database(folder: Path) -> Engine:
    """A migrated SQLite file database in ``folder``."""
    engine = create_crmkit_engine(f"sqlite:///{folder / 'crmkit-test.db'}")
    upgrade_database(engine)
    return engine


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@contextmanager
def mongo_server() -> Iterator[str]:
    """The URL of a MongoDB replica set: CRMKIT_TEST_MONGO_URL, or a SecantusDB process."""
    if MONGO_URL:
        yield MONGO_URL
        return
    executable = shutil.which("secantusd-py") or str(Path(sys.executable).parent / "secantusd-py")
    port = _free_port()
    process = subprocess.Popen(
        [
            executable,
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--storage-path",
            ":memory:",
            "--log-level",
            "WARNING",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    url = f"mongodb://127.0.0.1:{port}/?directConnection=true"
    try:
        _wait_for_mongo(url, process)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()


def _wait_for_mongo(url: str, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            err = process.stderr.read().decode() if process.stderr else ""
            raise RuntimeError(f"the SecantusDB test server exited: {err}")
        client: MongoClient[dict[str, Any]] = MongoClient(url, serverSelectionTimeoutMS=500)
        try:
            client.admin.command("ping")
            return
        except Exception:
            time.sleep(0.2)
        finally:
            client.close()
    raise RuntimeError("the SecantusDB test server did not answer within 60 s")
