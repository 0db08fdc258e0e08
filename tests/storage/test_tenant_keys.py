"""Ready to distribute by tenant: every key and index of every table and collection starts with it.

Citus distributes a table by a column only if every primary key and unique constraint
includes it; a MongoDB cluster sharded on ``tenant_id`` keeps a unique index unique only
if the index starts with the shard key. Checked on the migrated databases, not only on
the metadata, so a migration that drifts is caught too.
"""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import Engine, inspect

from crmkit.adapters.mongo import MongoStorage
from crmkit.adapters.mongo.indexes import INDEXES
from crmkit.adapters.sql import SqlStorage
from crmkit.adapters.sql.tables import VERSION_TABLE, metadata

TENANT = "tenant_id"


@pytest.fixture(
    params=[
        pytest.param("sqlite", marks=pytest.mark.sqlite),
        pytest.param("postgres", marks=pytest.mark.postgres),
        pytest.param("mariadb", marks=pytest.mark.mariadb),
    ]
)
def sql_engine(request: pytest.FixtureRequest) -> Engine:
    storage: SqlStorage = request.getfixturevalue(f"{request.param}_storage")
    assert isinstance(storage.source, Engine)
    return storage.source


def crmkit_tables(engine: Engine) -> list[str]:
    """crmkit's tables in the database (the application may keep its own beside them)."""
    names = inspect(engine).get_table_names()
    return sorted(n for n in names if n.startswith("crmkit_") and n != VERSION_TABLE)


class TestSqlKeysStartWithTheTenant:
    """Primary keys, unique constraints and indexes of every crmkit table lead with tenant_id."""

    def test_every_crmkit_table_is_migrated(self, sql_engine: Engine) -> None:
        """The check below sees every table of the metadata."""
        expected = sorted(t for t in metadata.tables if t != VERSION_TABLE)
        assert crmkit_tables(sql_engine) == expected

    def test_primary_keys_start_with_the_tenant(self, sql_engine: Engine) -> None:
        """Every primary key's first column is tenant_id."""
        inspector = inspect(sql_engine)
        offending = {
            table: columns
            for table in crmkit_tables(sql_engine)
            if (columns := inspector.get_pk_constraint(table)["constrained_columns"])[0] != TENANT
        }
        assert offending == {}

    def test_unique_keys_and_indexes_start_with_the_tenant(self, sql_engine: Engine) -> None:
        """Every unique constraint and every index (unique or not) starts with tenant_id."""
        inspector = inspect(sql_engine)
        offending: list[tuple[str, Any]] = []
        seen = 0
        for table in crmkit_tables(sql_engine):
            keys: list[dict[str, Any]] = [
                *(dict(u) for u in inspector.get_unique_constraints(table)),
                *(dict(i) for i in inspector.get_indexes(table)),
            ]
            seen += len(keys)
            offending += [(table, k["name"]) for k in keys if k["column_names"][0] != TENANT]
        assert seen >= len(crmkit_tables(sql_engine))  # the inspector did report keys
        assert offending == []


@pytest.mark.mongo
class TestMongoIndexesStartWithTheTenant:
    """Every index of every crmkit collection leads with tenant_id (the shard key)."""

    def test_every_index_starts_with_the_tenant(self, mongo_storage: MongoStorage) -> None:
        """Apart from MongoDB's own _id index, each index's first key is tenant_id."""
        database = mongo_storage.database
        offending: list[tuple[str, str]] = []
        seen = 0
        for collection in sorted(INDEXES):
            for name, index in database[collection].index_information().items():
                seen += name != "_id_"
                if name != "_id_" and index["key"][0][0] != TENANT:
                    offending.append((collection, name))
        assert seen >= len(INDEXES)
        assert offending == []

    def test_every_collection_has_its_declared_indexes(self, mongo_storage: MongoStorage) -> None:
        """The check above sees every declared index of every collection."""
        database = mongo_storage.database
        for collection, indexes in INDEXES.items():
            names = set(database[collection].index_information())
            assert {i.document["name"] for i in indexes} <= names
