"""Every row a tenant has in crmkit's tables (for tests comparing state, and for export)."""

from __future__ import annotations

from sqlalchemy import Connection, Engine, select

from crmkit.adapters.sql.errors import translated
from crmkit.adapters.sql.tables import metadata


def tenant_rows(source: Engine | Connection, tenant_id: str) -> dict[str, list[tuple[object, ...]]]:
    """Each crmkit table's rows of ``tenant_id`` (all rows of tables without a tenant).

    Raises:
        StorageUnavailable: the database cannot be reached.
        StorageError: the database refused a query.
    """

    def read(connection: Connection) -> dict[str, list[tuple[object, ...]]]:
        rows: dict[str, list[tuple[object, ...]]] = {}
        for table in metadata.sorted_tables:
            query = select(table)
            if "tenant_id" in table.c:
                query = query.where(table.c.tenant_id == tenant_id)
            rows[table.name] = [tuple(row) for row in connection.execute(query)]
        return rows

    with translated():
        if isinstance(source, Connection):
            return read(source)
        with source.connect() as connection:
            return read(connection)
