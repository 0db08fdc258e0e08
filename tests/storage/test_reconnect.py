"""A pooled connection the server dropped: the next unit of work reconnects by itself.

crmkit's engines have no pool pre-ping (a round trip per unit of work); the first statement
of a unit of work that finds its connection dead runs again on a fresh one instead.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from sqlalchemy import Connection

from crmkit import open_storage
from crmkit.adapters.sql import SqlStorage, create_crmkit_engine
from crmkit.domain import Product
from crmkit.testing import fresh_tenant
from crmkit.testing.contracts.support import T0
from tests.backends import MARIADB_URL, POSTGRES_URL


def _server_id(storage: SqlStorage, query: str) -> int:
    """The server's id of the storage's only pooled connection."""
    with storage.source.connect() as connection:  # type: ignore[union-attr]
        found: int = connection.exec_driver_sql(query).scalar_one()
    return found


def _drop_and_use(url: str, whoami: str, kill: Callable[[Connection, int], None]) -> None:
    storage = open_storage(url)
    assert isinstance(storage, SqlStorage)
    try:
        tenant = fresh_tenant()
        victim = _server_id(storage, whoami)
        killer = create_crmkit_engine(url)
        try:
            with killer.connect() as other:
                kill(other, victim)
        finally:
            killer.dispose()
        product = Product.new(
            tenant, sku="R-1", name="After a drop", unit="pcs", tax_rate="0.13", now=T0
        )
        with storage.unit_of_work(tenant) as uow:
            uow.products.add(product)
            uow.commit()
        with storage.unit_of_work(tenant) as uow:
            assert uow.products.get(product.id) == product
        assert _server_id(storage, whoami) != victim
    finally:
        storage.close()


class TestDroppedConnection:
    """The server closes the pooled connection between two units of work."""

    @pytest.mark.postgres
    def test_postgres_reconnects_at_the_first_statement(
        self,
        postgres_storage: SqlStorage,  # migrates the database
    ) -> None:
        """pg_terminate_backend on the pooled connection: the next command still succeeds."""

        def kill(connection: Connection, pid: int) -> None:
            connection.exec_driver_sql(f"SELECT pg_terminate_backend({int(pid)})")

        _drop_and_use(POSTGRES_URL, "SELECT pg_backend_pid()", kill)

    @pytest.mark.mariadb
    def test_mariadb_reconnects_at_the_first_statement(
        self,
        mariadb_storage: SqlStorage,  # migrates the database
    ) -> None:
        """KILL on the pooled connection: the next command still succeeds."""

        def kill(connection: Connection, thread: int) -> None:
            connection.exec_driver_sql(f"KILL {int(thread)}")

        _drop_and_use(MARIADB_URL, "SELECT CONNECTION_ID()", kill)
