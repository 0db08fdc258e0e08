"""The generic record contract for every declared record type on all five backends.

The backend fixture (parametrised with markers, in conftest.py) runs it on all five; the
hypothesis budget of each backend is set here, in one place.
"""

from __future__ import annotations

import os
from typing import Any

import pytest
from pymongo import MongoClient
from sqlalchemy import Engine, MetaData

from crmkit.adapters.mongo import MongoStorage
from crmkit.adapters.mongo.records import ensure_record_collection
from crmkit.adapters.sql import SqlStorage
from crmkit.adapters.sql.tables import record_table
from crmkit.adapters.sql.tables.base import NAMING_CONVENTION
from crmkit.services import Storage
from crmkit.testing.contracts.custom_fields import CustomFieldContract, CustomObjectContract
from crmkit.testing.contracts.records import RecordTypeContract
from crmkit.testing.record_kits import KITS, TEST_TYPES, RecordKit

BUDGETS = {"memory": 60, "sqlite": 25, "postgres": 20, "mariadb": 20, "mongo": 12}
"""Hypothesis examples per test and backend (HYPOTHESIS_PROFILE=thorough multiplies them)."""

TEST_TABLES = MetaData(naming_convention=NAMING_CONVENTION)
"""Tables of the record types only the tests use (not part of crmkit's migrations)."""
for test_type in TEST_TYPES:
    record_table(test_type, TEST_TABLES)
_prepared: set[int] = set()


def with_test_types(storage: Storage) -> Storage:
    """``storage`` with the tables or collection of the test-only record types in place."""
    if id(storage) in _prepared:
        return storage
    if isinstance(storage, SqlStorage):
        assert isinstance(storage.source, Engine)
        TEST_TABLES.drop_all(storage.source)
        TEST_TABLES.create_all(storage.source)
    if isinstance(storage, MongoStorage):
        client: MongoClient[dict[str, Any]] = storage.client
        for test_type in TEST_TYPES:
            ensure_record_collection(client[storage.database.name], test_type)
    _prepared.add(id(storage))
    return storage


@pytest.fixture
def storage(backend: str, request: pytest.FixtureRequest) -> Storage:
    found: Storage = request.getfixturevalue(f"{backend}_storage")
    return with_test_types(found)


@pytest.fixture
def examples(backend: str) -> int:
    factor = 5 if os.environ.get("HYPOTHESIS_PROFILE") == "thorough" else 1
    return BUDGETS[backend] * factor


@pytest.fixture(params=sorted(KITS))
def record_kit(request: pytest.FixtureRequest) -> RecordKit[Any]:
    return KITS[request.param]


class TestRecordTypes(RecordTypeContract):
    """The generic record contract, for every kit on every backend."""


class TestCustomFields(CustomFieldContract):
    """The custom field contract on every backend."""


class TestCustomObjects(CustomObjectContract):
    """The custom object contract on every backend."""
