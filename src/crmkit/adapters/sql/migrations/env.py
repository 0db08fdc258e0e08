"""Alembic environment for crmkit's own tables (run through crmkit.adapters.sql.migrate)."""

from __future__ import annotations

from alembic import context

from crmkit.adapters.sql.tables import VERSION_TABLE, metadata


def run() -> None:
    config = context.config
    if context.is_offline_mode():
        context.configure(
            url=config.get_main_option("sqlalchemy.url"),
            target_metadata=metadata,
            version_table=VERSION_TABLE,
            literal_binds=True,
        )
    else:
        context.configure(
            connection=config.attributes["connection"],
            target_metadata=metadata,
            version_table=VERSION_TABLE,
            compare_type=True,
        )
    with context.begin_transaction():
        context.run_migrations()


run()
