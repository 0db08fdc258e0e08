"""The shipped Alembic migrations create exactly the tables the SQL adapter uses."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine, inspect

from crmkit.adapters.sql import SqlStorage, create_crmkit_engine, upgrade_database
from crmkit.adapters.sql.migrate import database_revisions, schema_heads
from crmkit.adapters.sql.tables import VERSION_TABLE, metadata
from crmkit.domain import ConfigurationError


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


class TestMigrations:
    """Migrations against each SQL server."""

    def test_migrated_schema_matches_the_tables(self, sql_engine: Engine) -> None:
        """Autogenerate finds no difference between the migrated database and the metadata."""
        with sql_engine.connect() as connection:
            context = MigrationContext.configure(
                connection,
                opts={
                    "compare_type": True,
                    "version_table": VERSION_TABLE,
                    # Look only at crmkit's tables; the database may hold the application's.
                    "include_name": lambda name, kind, _parent: (
                        kind != "table" or (name or "").startswith("crmkit_")
                    ),
                },
            )
            differences = compare_metadata(context, metadata)
        assert differences == []

    def test_database_is_at_the_head_revision(self, sql_engine: Engine) -> None:
        """After upgrading, the database's crmkit revision is the scripts' head."""
        with sql_engine.connect() as connection:
            assert database_revisions(connection) == schema_heads()

    def test_upgrading_again_changes_nothing(self, sql_engine: Engine) -> None:
        """A second upgrade is a no-op and keeps every table."""
        before = set(inspect(sql_engine).get_table_names())
        upgrade_database(sql_engine)
        assert set(inspect(sql_engine).get_table_names()) == before


class TestSchemaCheck:
    """Opening a database that was never migrated is refused with advice."""

    def test_an_unmigrated_database_is_refused(self, tmp_path: Path) -> None:
        """SqlStorage on an empty database raises ConfigurationError naming the upgrade."""
        engine = create_crmkit_engine(f"sqlite:///{tmp_path / 'empty.db'}")
        try:
            with pytest.raises(ConfigurationError) as raised:
                SqlStorage(engine)
            assert "crmkit db upgrade" in raised.value.message
        finally:
            engine.dispose()

    def test_in_memory_sqlite_is_refused(self) -> None:
        """sqlite:// (in memory) cannot isolate units of work and is refused."""
        with pytest.raises(ConfigurationError):
            create_crmkit_engine("sqlite://")

    def test_unknown_dialects_are_refused(self) -> None:
        """A database crmkit does not support is a ConfigurationError."""
        with pytest.raises(ConfigurationError):
            create_crmkit_engine("oracle://scott:tiger@localhost/db")
