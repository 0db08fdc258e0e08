"""Shared fixtures: one storage per backend, created once per test session."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, settings
from pymongo import MongoClient

from crmkit.adapters.memory import InMemoryStorage
from crmkit.adapters.mongo import MongoStorage, ensure_indexes
from crmkit.adapters.sql import SqlStorage
from crmkit.domain import new_id
from crmkit.testing.contracts.hostile import HostileInputContract
from tests.backends import (
    MARIADB_URL,
    POSTGRES_URL,
    WORKER,
    ensure_database,
    fresh_sql_database,
    mongo_server,
    sqlite_database,
)

settings.register_profile(
    "fast", max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.register_profile(
    "thorough", max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "fast"))


@pytest.fixture(scope="session", autouse=True)
def worker_databases() -> None:
    """Under pytest-xdist, the SQL databases of this worker (see tests/backends.py)."""
    if WORKER:
        ensure_database(POSTGRES_URL)
        ensure_database(MARIADB_URL)


@pytest.fixture
def memory_storage() -> InMemoryStorage:
    return InMemoryStorage()


@pytest.fixture(scope="session")
def sqlite_storage(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SqlStorage]:
    engine = sqlite_database(Path(tmp_path_factory.mktemp("sqlite")))
    yield SqlStorage(engine, owns_engine=True)
    engine.dispose()


@pytest.fixture(scope="session")
def postgres_storage() -> Iterator[SqlStorage]:
    engine = fresh_sql_database(POSTGRES_URL)
    yield SqlStorage(engine, owns_engine=True)
    engine.dispose()


@pytest.fixture(scope="session")
def mariadb_storage() -> Iterator[SqlStorage]:
    engine = fresh_sql_database(MARIADB_URL)
    yield SqlStorage(engine, owns_engine=True)
    engine.dispose()


@pytest.fixture(scope="session")
def mongo_url() -> Iterator[str]:
    with mongo_server() as url:
        yield url


@pytest.fixture(scope="session")
def mongo_storage(mongo_url: str) -> Iterator[MongoStorage]:
    client: MongoClient[dict[str, Any]] = MongoClient(mongo_url, tz_aware=True)
    name = f"crmkit_test_{new_id()[:8]}"
    ensure_indexes(client[name])
    yield MongoStorage(client, name, owns_client=True)
    client.drop_database(name)
    client.close()


def pytest_sessionfinish(session: pytest.Session) -> None:
    """Under pytest-xdist, a worker hands its hostile case counts to the controller."""
    output = getattr(session.config, "workeroutput", None)
    if output is not None:
        output["hostile_cases"] = dict(HostileInputContract.cases)


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node: Any, error: object) -> None:
    """Add a finished xdist worker's hostile case counts to the controller's."""
    for suite, count in getattr(node, "workeroutput", {}).get("hostile_cases", {}).items():
        HostileInputContract.cases[suite] = HostileInputContract.cases.get(suite, 0) + count


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """One line per backend: the number of hostile calls made."""
    for suite, count in sorted(HostileInputContract.cases.items()):
        terminalreporter.write_line(f"hostile-input cases: {suite}: {count}")
