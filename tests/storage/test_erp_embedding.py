"""crmkit inside an ERP's database, as an ERP team embeds it.

crmkit's migrations run from the ERP's own Alembic environment (two bases, one version
table), its autogenerate leaves crmkit's tables alone, crmkit's tables live in a named
schema (PostgreSQL) or database (MariaDB), and crmkit's writes ride the ERP's transaction.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine

import crmkit.sql
from crmkit import ConfigurationError, open_crm
from crmkit.adapters.sql.migrate import schema_heads
from crmkit.sql import create_crmkit_engine
from crmkit.testing import fresh_tenant
from tests.backends import MARIADB_URL, POSTGRES_URL
from tests.docs.test_examples import alembic_env_block

ERP_SCHEMA = "crmkit_erp_test"

# The env.py an ERP team writes, exactly as the how-to page shows it.
ERP_ENV = alembic_env_block(Path(__file__).resolve().parents[2] / "docs" / "how-to" / "erp.md")

ERP_REVISION = '''"""The ERP's own first table."""
import sqlalchemy as sa
from alembic import op

revision = "erp_0001"
down_revision = None
branch_labels = ("erp",)
depends_on = None


def upgrade() -> None:
    op.create_table("erp_invoice", sa.Column("id", sa.Integer, primary_key=True),
                    sa.Column("number", sa.String(20), nullable=False))
'''


def erp_metadata(schema: str | None = None) -> sa.MetaData:
    """The ERP's own tables, as its env.py declares them (in ``schema``)."""
    metadata = sa.MetaData(schema=schema)
    sa.Table(
        "erp_invoice",
        metadata,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("number", sa.String(20), nullable=False),
    )
    return metadata


def erp_alembic(folder: Path) -> Config:
    """An ERP's Alembic environment whose version_locations include crmkit's revisions."""
    (folder / "versions").mkdir(parents=True)
    (folder / "env.py").write_text(ERP_ENV, encoding="utf-8")
    (folder / "versions" / "erp_0001.py").write_text(ERP_REVISION, encoding="utf-8")
    config = Config()
    config.set_main_option("script_location", str(folder))
    config.set_main_option("path_separator", "os")
    config.set_main_option(
        "version_locations",
        os.pathsep.join([str(folder / "versions"), crmkit.sql.VERSION_LOCATION]),
    )
    return config


def erp_engine(backend: str, folder: Path) -> Iterator[Engine]:
    """An engine whose default schema (PostgreSQL) or database (MariaDB) is fresh and empty."""
    if backend == "sqlite":
        folder.mkdir(parents=True)
        engine = create_crmkit_engine(f"sqlite:///{folder / 'erp.db'}")
        yield engine
        engine.dispose()
        return
    url = POSTGRES_URL if backend == "postgres" else MARIADB_URL
    schema = ERP_SCHEMA if backend == "postgres" else f"{sa.make_url(url).database}_erp"
    admin = create_crmkit_engine(url)
    drop = (
        "DROP SCHEMA IF EXISTS {} CASCADE"
        if backend == "postgres"
        else "DROP DATABASE IF EXISTS {}"
    )
    create = "CREATE SCHEMA {}" if backend == "postgres" else "CREATE DATABASE {}"
    with admin.begin() as connection:
        connection.execute(sa.text(drop.format(schema)))
        connection.execute(sa.text(create.format(schema)))
    engine = admin.execution_options(schema_translate_map={None: schema})
    try:
        yield engine
    finally:
        with admin.begin() as connection:
            connection.execute(sa.text(drop.format(schema)))
        admin.dispose()


BACKENDS = [
    pytest.param("sqlite", marks=pytest.mark.sqlite),
    pytest.param("postgres", marks=pytest.mark.postgres),
    pytest.param("mariadb", marks=pytest.mark.mariadb),
]


@pytest.fixture(params=BACKENDS)
def erp(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[Engine, Config]]:
    """An empty ERP database (own schema on the servers) and the ERP's Alembic config."""
    for engine in erp_engine(request.param, tmp_path / "db"):
        yield engine, erp_alembic(tmp_path / "alembic")


def upgrade(engine: Engine, config: Config, revision: str = "heads") -> None:
    """`alembic upgrade` in the ERP's environment, on ``engine``."""
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, revision)


class TestCrmkitMigrationsInTheErpsAlembic:
    """The ERP's Alembic runs crmkit's revisions beside its own."""

    def test_upgrade_heads_runs_both_bases_and_open_crm_accepts_it(
        self, erp: tuple[Engine, Config]
    ) -> None:
        """Both branches reach their heads in one version table, and crmkit works on it."""
        engine, config = erp
        upgrade(engine, config)
        with engine.connect() as connection:
            schema = crmkit.sql.translated_schema(connection)
            opts = {"version_table_schema": schema}
            heads = set(MigrationContext.configure(connection, opts=opts).get_current_heads())
            tables = set(sa.inspect(connection).get_table_names(schema=schema))
        assert heads == {"erp_0001", *schema_heads()}
        assert tables >= crmkit.sql.TABLE_NAMES
        assert crmkit.sql.VERSION_TABLE not in tables
        with pytest.raises(ConfigurationError, match="crmkit_alembic_version"):
            open_crm(engine)
        with open_crm(engine, version_table="alembic_version") as crm:
            catalog = crm.tenant(fresh_tenant()).catalog
            catalog.create_product(sku="ERP-1", name="x", unit="pcs", tax_rate="0")
            assert catalog.get_product_by_sku("ERP-1").sku == "ERP-1"

    def test_the_crmkit_branch_label_upgrades_crmkit_alone(
        self, erp: tuple[Engine, Config]
    ) -> None:
        """`alembic upgrade crmkit@head` creates crmkit's tables and not the ERP's."""
        engine, config = erp
        upgrade(engine, config, f"{crmkit.sql.BRANCH_LABEL}@head")
        with engine.connect() as connection:
            schema = crmkit.sql.translated_schema(connection)
            tables = set(sa.inspect(connection).get_table_names(schema=schema))
        assert tables >= crmkit.sql.TABLE_NAMES
        assert "erp_invoice" not in tables

    def test_autogenerate_never_proposes_to_drop_crmkit_tables(
        self, erp: tuple[Engine, Config]
    ) -> None:
        """With include_object nothing is proposed; without it, dropping crmkit's tables is."""
        engine, config = erp
        upgrade(engine, config)
        with engine.connect() as connection:
            schema = crmkit.sql.translated_schema(connection)
            # The ERP compares its own schema only (the default one on SQLite).
            scope = {
                "include_schemas": schema is not None,
                "include_name": lambda name, kind, _parent: kind != "schema" or name == schema,
                "version_table_schema": schema,
            }
            guarded = MigrationContext.configure(
                connection, opts={**scope, "include_object": crmkit.sql.include_object}
            )
            assert compare_metadata(guarded, erp_metadata(schema)) == []
            unguarded = MigrationContext.configure(connection, opts=scope)
            dropped = {
                diff[1].name
                for diff in compare_metadata(unguarded, erp_metadata(schema))
                if isinstance(diff, tuple) and diff[0] == "remove_table"
            }
        assert dropped >= crmkit.sql.TABLE_NAMES


class TestCrmkitInTheErpsTransaction:
    """crmkit's writes belong to the ERP's transaction; unsafe connections are refused."""

    def test_the_callers_rollback_undoes_crmkit_and_erp_writes(
        self, erp: tuple[Engine, Config]
    ) -> None:
        """ERP row and crmkit product, in one transaction, both vanish on the ERP's rollback."""
        engine, config = erp
        upgrade(engine, config)
        tenant = fresh_tenant()
        invoices = erp_metadata().tables["erp_invoice"]
        with engine.connect() as connection:
            transaction = connection.begin()
            connection.execute(invoices.insert().values(id=1, number="INV-1"))
            crm = open_crm(connection, version_table="alembic_version")
            crm.tenant(tenant).catalog.create_product(
                sku="GONE", name="x", unit="pcs", tax_rate="0"
            )
            transaction.rollback()
        with engine.connect() as connection:
            assert connection.execute(sa.select(invoices)).all() == []
        with open_crm(engine, version_table="alembic_version") as crm:
            assert crm.tenant(tenant).catalog.list_products().items == ()

    def test_a_connection_without_a_transaction_is_refused(
        self, erp: tuple[Engine, Config]
    ) -> None:
        """A Connection with no transaction begun is refused, not silently lost."""
        engine, config = erp
        upgrade(engine, config)
        with engine.connect() as connection, pytest.raises(ConfigurationError, match="begin"):
            open_crm(connection, version_table="alembic_version")

    def test_a_transaction_ended_under_crmkit_is_refused(self, erp: tuple[Engine, Config]) -> None:
        """After the caller commits, crmkit's next write is refused until a new transaction."""
        engine, config = erp
        upgrade(engine, config)
        tenant = fresh_tenant()
        with engine.connect() as connection:
            transaction = connection.begin()
            crm = open_crm(connection, version_table="alembic_version")
            transaction.commit()
            with pytest.raises(ConfigurationError, match="no transaction begun"):
                crm.tenant(tenant).catalog.create_product(
                    sku="LOST", name="x", unit="pcs", tax_rate="0"
                )

    @pytest.mark.parametrize("level", ["AUTOCOMMIT", "READ UNCOMMITTED"])
    def test_unsafe_isolation_levels_are_refused(
        self, erp: tuple[Engine, Config], level: str
    ) -> None:
        """AUTOCOMMIT and READ UNCOMMITTED engines are refused with the level named."""
        engine, config = erp
        upgrade(engine, config)
        with pytest.raises(ConfigurationError, match=level):
            open_crm(
                engine.execution_options(isolation_level=level), version_table="alembic_version"
            )


class TestCrmkitsOwnMigrationsInASchema:
    """crmkit's own upgrade follows the engine's schema_translate_map."""

    def test_upgrade_database_twice_then_open(self, erp: tuple[Engine, Config]) -> None:
        """upgrade_database puts tables and version table in the mapped schema, idempotently."""
        engine, _config = erp
        crmkit.sql.upgrade_database(engine)
        crmkit.sql.upgrade_database(engine)
        with engine.connect() as connection:
            schema = crmkit.sql.translated_schema(connection)
            tables = set(sa.inspect(connection).get_table_names(schema=schema))
        assert crmkit.sql.TABLE_NAMES | {crmkit.sql.VERSION_TABLE} <= tables
        with open_crm(engine) as crm:
            crm.tenant(fresh_tenant()).catalog.create_product(
                sku="IN-SCHEMA", name="x", unit="pcs", tax_rate="0"
            )
