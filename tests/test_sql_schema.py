"""The Alembic migrations create exactly the tables of the SQL metadata, on every SQL server."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine

from crmkit.adapters.sql import SqlStorage
from crmkit.adapters.sql.tables import VERSION_TABLE, metadata


def differences(storage: SqlStorage) -> list[object]:
    """What autogenerate would change to make the migrated database match the metadata."""
    assert isinstance(storage.source, Engine)
    with storage.source.connect() as connection:
        context = MigrationContext.configure(
            connection, opts={"compare_type": True, "version_table": VERSION_TABLE}
        )
        return list(compare_metadata(context, metadata))


class TestMigratedSchemaMatchesMetadata:
    """No table, column, type or index differs between migrations and metadata."""

    @pytest.mark.sqlite
    def test_on_sqlite(self, sqlite_storage: SqlStorage) -> None:
        """SQLite: the migrated schema equals the metadata."""
        assert differences(sqlite_storage) == []

    @pytest.mark.postgres
    def test_on_postgres(self, postgres_storage: SqlStorage) -> None:
        """PostgreSQL: the migrated schema equals the metadata."""
        assert differences(postgres_storage) == []

    @pytest.mark.mariadb
    def test_on_mariadb(self, mariadb_storage: SqlStorage) -> None:
        """MariaDB: the migrated schema equals the metadata."""
        assert differences(mariadb_storage) == []
