"""open_crm: one entry point for every storage target."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from pymongo import MongoClient
from sqlalchemy import Engine

from crmkit import ConfigurationError, DuplicateRecord, NotFound, open_crm
from crmkit.adapters.memory import InMemoryStorage
from crmkit.adapters.mongo import MongoStorage
from crmkit.adapters.sql import SqlStorage
from crmkit.domain import new_id
from crmkit.testing import fresh_tenant


class TestUrls:
    """Storage chosen by URL."""

    def test_memory_url(self) -> None:
        """memory:// gives an in-memory storage; each call a new one."""
        with open_crm("memory://") as first, open_crm("memory://") as second:
            assert isinstance(first.storage, InMemoryStorage)
            first.tenant("acme").catalog.create_product(sku="A", name="A", unit="pcs", tax_rate="0")
            with pytest.raises(NotFound):
                second.tenant("acme").catalog.get_product_by_sku("A")

    @pytest.mark.sqlite
    def test_sqlite_url_needs_an_upgrade_or_the_flag(self, tmp_path: Path) -> None:
        """A new SQLite file is refused until upgraded; upgrade_schema=True does it."""
        url = f"sqlite:///{tmp_path / 'crm.db'}"
        with pytest.raises(ConfigurationError):
            open_crm(url)
        with open_crm(url, upgrade_schema=True) as crm:
            crm.tenant("acme").catalog.create_product(sku="A", name="A", unit="pcs", tax_rate="0")
        with open_crm(url) as crm:
            assert crm.tenant("acme").catalog.get_product_by_sku("A").sku == "A"

    def test_unsupported_targets_are_refused(self) -> None:
        """Unknown URL schemes and objects raise ConfigurationError."""
        with pytest.raises(ConfigurationError):
            open_crm("ftp://example.invalid/db")
        with pytest.raises(ConfigurationError):
            open_crm(42)

    @pytest.mark.mongo
    def test_mongodb_url(self, mongo_url: str) -> None:
        """A mongodb:// URL with upgrade_schema creates the collections and works."""
        name = f"crmkit_boot_{new_id()[:8]}"
        url = mongo_url.replace("/?", f"/{name}?")
        with open_crm(url, upgrade_schema=True) as crm:
            assert isinstance(crm.storage, MongoStorage)
            assert crm.storage.database.name == name
            created = crm.tenant("acme").catalog.create_product(
                sku="A", name="A", unit="pcs", tax_rate="0"
            )
            assert crm.tenant("acme").catalog.get_product(created.id) == created
            crm.storage.client.drop_database(name)


class TestObjects:
    """Storage from objects the caller already has."""

    @pytest.mark.parametrize(
        "backend",
        [
            pytest.param("sqlite", marks=pytest.mark.sqlite),
            pytest.param("postgres", marks=pytest.mark.postgres),
            pytest.param("mariadb", marks=pytest.mark.mariadb),
        ],
    )
    def test_a_callers_connection_keeps_crmkit_inside_its_transaction(
        self, backend: str, request: pytest.FixtureRequest
    ) -> None:
        """With a caller's Connection, crmkit's commits stay inside the caller's transaction."""
        storage: SqlStorage = request.getfixturevalue(f"{backend}_storage")
        assert isinstance(storage.source, Engine)
        tenant = fresh_tenant()
        with storage.source.connect() as connection:
            outer = connection.begin()
            crm = open_crm(connection)
            crm.tenant(tenant).catalog.create_product(
                sku="ROLLED-BACK", name="x", unit="pcs", tax_rate="0"
            )
            assert crm.tenant(tenant).catalog.get_product_by_sku("ROLLED-BACK")
            outer.rollback()
            outer = connection.begin()
            crm.tenant(tenant).catalog.create_product(
                sku="KEPT", name="x", unit="pcs", tax_rate="0"
            )
            outer.commit()
        catalog = open_crm(storage.source).tenant(tenant).catalog
        assert [p.sku for p in catalog.list_products().items] == ["KEPT"]

    @pytest.mark.sqlite
    def test_an_engine_is_used_but_not_disposed(self, sqlite_storage: SqlStorage) -> None:
        """crmkit does not dispose an engine it was given."""
        assert isinstance(sqlite_storage.source, Engine)
        crm = open_crm(sqlite_storage.source)
        crm.close()
        with sqlite_storage.source.connect():
            pass

    @pytest.mark.mongo
    def test_a_pymongo_database(self, mongo_url: str) -> None:
        """A pymongo Database is used as it is, its client left open on close."""
        client: MongoClient[dict[str, Any]] = MongoClient(mongo_url, tz_aware=True)
        database = client[f"crmkit_obj_{new_id()[:8]}"]
        try:
            with pytest.raises(ConfigurationError):
                open_crm(database)
            with open_crm(database, upgrade_schema=True) as crm:
                crm.tenant("acme").catalog.create_product(
                    sku="A", name="A", unit="pcs", tax_rate="0"
                )
            assert client[database.name]["crmkit_products"].count_documents({}) == 1
        finally:
            client.drop_database(database.name)
            client.close()


@pytest.mark.mongo
class TestCallersMongoSession:
    """A caller's ClientSession: crmkit works inside the caller's transaction."""

    def test_abort_undoes_and_commit_keeps_crmkit_writes(self, mongo_url: str) -> None:
        """Gone on the caller's abort or a failed command, kept on the caller's commit."""
        client: MongoClient[dict[str, Any]] = MongoClient(mongo_url, tz_aware=True)
        database = client[f"crmkit_sess_{new_id()[:8]}"]
        try:
            open_crm(database, upgrade_schema=True).close()
            with client.start_session() as session:
                session.start_transaction()
                crm = open_crm(database, session=session)
                catalog = crm.tenant("acme").catalog
                catalog.create_product(sku="GONE", name="x", unit="pcs", tax_rate="0")
                assert catalog.get_product_by_sku("GONE").sku == "GONE"  # sees its own write
                session.abort_transaction()
                session.start_transaction()
                catalog.create_product(sku="GONE-TOO", name="x", unit="pcs", tax_rate="0")
                with pytest.raises(DuplicateRecord):  # a failed command aborts the transaction
                    catalog.create_product(sku="GONE-TOO", name="y", unit="pcs", tax_rate="0")
                assert not session.in_transaction
                session.start_transaction()
                catalog.create_product(sku="KEPT", name="x", unit="pcs", tax_rate="0")
                session.commit_transaction()
            outside = open_crm(database).tenant("acme").catalog
            assert [p.sku for p in outside.list_products().items] == ["KEPT"]
        finally:
            client.drop_database(database.name)
            client.close()

    def test_a_session_without_a_transaction_is_refused(self, mongo_url: str) -> None:
        """A session with no transaction begun is refused at open; session= needs pymongo."""
        client: MongoClient[dict[str, Any]] = MongoClient(mongo_url, tz_aware=True)
        database = client[f"crmkit_sess_{new_id()[:8]}"]
        try:
            open_crm(database, upgrade_schema=True).close()
            with client.start_session() as session:
                with pytest.raises(ConfigurationError, match="no transaction begun"):
                    open_crm(database, session=session)
                with pytest.raises(ConfigurationError, match="pymongo"):
                    open_crm("memory://", session=session)
        finally:
            client.drop_database(database.name)
            client.close()
