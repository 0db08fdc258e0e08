"""The migrated SQL schema equals the tables crmkit's adapters use (customer accounts included)."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Engine, inspect

from crmkit.adapters.sql import SqlStorage
from crmkit.adapters.sql.tables import VERSION_TABLE, metadata

ACCOUNT_TABLES = {
    "crmkit_customer_account",
    "crmkit_rebate_grant",
    "crmkit_account_hold",
    "crmkit_journal_entry",
    "crmkit_deduction_policy",
}


@pytest.fixture(
    params=[
        pytest.param("sqlite", marks=pytest.mark.sqlite),
        pytest.param("postgres", marks=pytest.mark.postgres),
        pytest.param("mariadb", marks=pytest.mark.mariadb),
    ]
)
def engine(request: pytest.FixtureRequest) -> Engine:
    """The engine of a session storage migrated by Alembic."""
    storage: SqlStorage = request.getfixturevalue(f"{request.param}_storage")
    assert isinstance(storage.source, Engine)
    return storage.source


class TestMigratedSchema:
    """Alembic's revisions create exactly the tables, columns, types and indexes declared."""

    def test_migrations_match_the_table_definitions(self, engine: Engine) -> None:
        """Autogenerate finds no difference between the migrated database and the metadata."""
        with engine.connect() as connection:
            context = MigrationContext.configure(
                connection, opts={"compare_type": True, "version_table": VERSION_TABLE}
            )
            assert compare_metadata(context, metadata) == []

    def test_the_account_tables_exist(self, engine: Engine) -> None:
        """Revision 0003_accounts created the five customer account tables."""
        assert set(inspect(engine).get_table_names()) >= ACCOUNT_TABLES
