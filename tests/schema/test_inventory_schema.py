"""The 0004_inventory migration creates exactly the inventory tables of the metadata."""

from __future__ import annotations

from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine, inspect

from crmkit.adapters.sql import SqlStorage
from crmkit.adapters.sql.tables import VERSION_TABLE, metadata
from crmkit.adapters.sql.tables.inventory import (
    reservations,
    stock_documents,
    stock_levels,
    stock_movements,
    warehouses,
)

INVENTORY_TABLES = {
    t.name for t in (warehouses, stock_levels, stock_movements, reservations, stock_documents)
}


def _tables_named(difference: Any) -> set[str]:
    """The table names a difference reported by Alembic mentions."""
    found: set[str] = set()
    items = difference if isinstance(difference, list) else [difference]
    for item in items:
        for part in item if isinstance(item, tuple) else (item,):
            name = getattr(part, "name", None)
            table = getattr(part, "table", None)
            if isinstance(part, str):
                found.add(part)
            if isinstance(name, str):
                found.add(name)
            if table is not None and isinstance(getattr(table, "name", None), str):
                found.add(table.name)
    return found


class TestInventoryMigration:
    """Migrated databases match the SQLAlchemy tables on every SQL backend."""

    @pytest.mark.parametrize(
        "backend",
        [
            pytest.param("sqlite_storage", marks=pytest.mark.sqlite),
            pytest.param("postgres_storage", marks=pytest.mark.postgres),
            pytest.param("mariadb_storage", marks=pytest.mark.mariadb),
        ],
    )
    def test_the_migrated_schema_matches_the_tables(
        self, backend: str, request: pytest.FixtureRequest
    ) -> None:
        """Alembic finds no difference in the inventory tables after upgrading."""
        storage: SqlStorage = request.getfixturevalue(backend)
        assert isinstance(storage.source, Engine)
        with storage.source.connect() as connection:
            context = MigrationContext.configure(
                connection, opts={"compare_type": True, "version_table": VERSION_TABLE}
            )
            differences = compare_metadata(context, metadata)
            existing = set(inspect(connection).get_table_names())
        assert existing >= INVENTORY_TABLES
        assert [d for d in differences if _tables_named(d) & INVENTORY_TABLES] == []
