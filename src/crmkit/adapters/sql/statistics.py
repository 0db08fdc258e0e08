"""Planner statistics: ANALYZE crmkit's tables after a bulk load."""

from __future__ import annotations

from sqlalchemy import Connection

from crmkit.adapters.sql.errors import translated
from crmkit.adapters.sql.migrate import translated_schema
from crmkit.adapters.sql.tables import metadata


def analyze_tables(connection: Connection) -> None:
    """ANALYZE every crmkit table on ``connection`` (in its schema, if translated).

    A freshly loaded PostgreSQL database has no statistics until autovacuum runs, and the
    planner then reads every entry of a price list for a multi-product lookup; SQLite never
    gathers them by itself.
    """
    dialect = connection.dialect
    quote = dialect.identifier_preparer.quote
    schema = translated_schema(connection)
    names = [
        quote(table.name) if schema is None else f"{quote(schema)}.{quote(table.name)}"
        for table in metadata.sorted_tables
    ]
    with translated():
        if dialect.name == "sqlite":
            connection.exec_driver_sql("ANALYZE")
        elif dialect.name == "postgresql":
            connection.exec_driver_sql(f"ANALYZE {', '.join(names)}")
        else:
            connection.exec_driver_sql(f"ANALYZE TABLE {', '.join(names)}").fetchall()
