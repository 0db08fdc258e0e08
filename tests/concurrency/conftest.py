"""The server backend the process tests share: a migrated database other processes open."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from crmkit import open_storage
from crmkit.services import Storage
from tests.backends import MARIADB_URL, POSTGRES_URL


@pytest.fixture(
    params=[
        pytest.param("postgres", marks=pytest.mark.postgres),
        pytest.param("mariadb", marks=pytest.mark.mariadb),
        pytest.param("mongo", marks=pytest.mark.mongo),
    ]
)
def backend(request: pytest.FixtureRequest) -> Iterator[tuple[str, Storage]]:
    """(URL, storage) of a migrated database that other processes can open; on MongoDB a
    database of the test module's own (``crmkit_<module>``)."""
    name = request.param
    if name == "mongo":
        module = request.module.__name__.rpartition(".")[2].removeprefix("test_")
        url = request.getfixturevalue("mongo_url").replace("/?", f"/crmkit_{module}?")
        storage = open_storage(url, upgrade_schema=True)
    else:
        storage = request.getfixturevalue(f"{name}_storage")
        url = POSTGRES_URL if name == "postgres" else MARIADB_URL
    yield url, storage
    if name == "mongo":
        storage.close()
