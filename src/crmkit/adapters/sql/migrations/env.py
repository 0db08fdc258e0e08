"""Alembic environment for crmkit's own tables (run through crmkit.adapters.sql.migrate)."""

from __future__ import annotations

from alembic import context

from crmkit.adapters.sql.migrate import translated_schema
from crmkit.adapters.sql.tables import VERSION_TABLE, metadata


def run() -> None:
    config = context.config
    version_table = config.attributes.get("version_table", VERSION_TABLE)
    if context.is_offline_mode():
        context.configure(
            url=config.get_main_option("sqlalchemy.url"),
            target_metadata=metadata,
            version_table=version_table,
            literal_binds=True,
        )
    else:
        connection = config.attributes["connection"]
        context.configure(
            connection=connection,
            target_metadata=metadata,
            version_table=version_table,
            version_table_schema=translated_schema(connection),
            compare_type=True,
        )
    with context.begin_transaction():
        context.run_migrations()


run()
