"""Schema migrations: upgrade a database to the tables this crmkit version uses."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine

from crmkit.adapters.sql.engine import create_crmkit_engine
from crmkit.adapters.sql.errors import translated
from crmkit.adapters.sql.tables import VERSION_TABLE

MIGRATIONS = Path(__file__).parent / "migrations"


def _config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return config


@contextmanager
def _connection(target: str | Engine | Connection) -> Iterator[Connection]:
    if isinstance(target, Connection):
        yield target
        return
    engine = create_crmkit_engine(target) if isinstance(target, str) else target
    try:
        with engine.begin() as connection:
            yield connection
    finally:
        if isinstance(target, str):
            engine.dispose()


def upgrade_database(target: str | Engine | Connection, revision: str = "heads") -> None:
    """Create or upgrade crmkit's tables in the database ``target`` (URL, engine or connection).

    Safe to run on an up-to-date database (it does nothing). crmkit keeps its own revision
    table, ``crmkit_alembic_version``, beside any Alembic history the application has.

    Raises:
        StorageUnavailable: the database cannot be reached.
        StorageError: the database refused a migration step.
    """
    config = _config()
    with translated(), _connection(target) as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, revision)


def schema_heads() -> set[str]:
    """The revisions this version of crmkit expects a database to be at."""
    return set(ScriptDirectory.from_config(_config()).get_heads())


def database_revisions(connection: Connection) -> set[str]:
    """The crmkit revisions the database behind ``connection`` is at (empty if none)."""
    context = MigrationContext.configure(connection, opts={"version_table": VERSION_TABLE})
    return set(context.get_current_heads())
