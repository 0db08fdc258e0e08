"""The SQL unit of work and storage."""

from __future__ import annotations

from types import TracebackType
from typing import Self

from sqlalchemy import Connection, Engine

from crmkit.adapters.sql.accounts import (
    SqlCustomerAccountRepository,
    SqlDeductionPolicyRepository,
    SqlHoldRepository,
    SqlJournalRepository,
    SqlRebateGrantRepository,
)
from crmkit.adapters.sql.inventory import (
    SqlMovementRepository,
    SqlReservationRepository,
    SqlStockDocumentRepository,
    SqlStockLevelRepository,
    SqlWarehouseRepository,
)
from crmkit.adapters.sql.migrate import database_revisions, schema_heads
from crmkit.adapters.sql.pricing import (
    SqlPriceListRepository,
    SqlQuoteRepository,
    SqlSalesOrderRepository,
)
from crmkit.adapters.sql.products import SqlProductRepository
from crmkit.adapters.sql.requests import SqlProcessedRequestRepository
from crmkit.adapters.sql.session import SqlSession
from crmkit.domain import ConfigurationError, TenantId


class SqlUnitOfWork:
    """One database transaction for one tenant (or a savepoint in the caller's transaction)."""

    def __init__(self, source: Engine | Connection, tenant_id: TenantId) -> None:
        self.tenant_id = tenant_id
        self._source = source
        self._session: SqlSession | None = None

    def __enter__(self) -> Self:
        self._session = SqlSession(self._source, self.tenant_id)
        self.products = SqlProductRepository(self._session)
        self.requests = SqlProcessedRequestRepository(self._session)
        self.warehouses = SqlWarehouseRepository(self._session)
        self.stock_levels = SqlStockLevelRepository(self._session)
        self.movements = SqlMovementRepository(self._session)
        self.reservations = SqlReservationRepository(self._session)
        self.stock_documents = SqlStockDocumentRepository(self._session)
        self.price_lists = SqlPriceListRepository(self._session)
        self.quotes = SqlQuoteRepository(self._session)
        self.sales_orders = SqlSalesOrderRepository(self._session)
        self.customer_accounts = SqlCustomerAccountRepository(self._session)
        self.rebate_grants = SqlRebateGrantRepository(self._session)
        self.holds = SqlHoldRepository(self._session)
        self.journal = SqlJournalRepository(self._session)
        self.deduction_policies = SqlDeductionPolicyRepository(self._session)
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._session is not None:
            self._session.close()
            self._session = None

    def commit(self) -> None:
        self._active().commit()

    def rollback(self) -> None:
        self._active().rollback()

    def _active(self) -> SqlSession:
        if self._session is None:
            raise RuntimeError("use the unit of work inside a 'with' block")
        return self._session


class SqlStorage:
    """Storage in a SQL database reached through a SQLAlchemy engine or connection."""

    def __init__(
        self, source: Engine | Connection, *, owns_engine: bool = False, check_schema: bool = True
    ) -> None:
        self.source = source
        self._owns_engine = owns_engine
        if check_schema:
            self.check_schema()

    def check_schema(self) -> None:
        """Make sure the database carries this crmkit version's tables.

        Raises:
            ConfigurationError: the database needs ``crmkit db upgrade`` first.
        """
        if isinstance(self.source, Connection):
            found = database_revisions(self.source)
        else:
            with self.source.connect() as connection:
                found = database_revisions(connection)
        expected = schema_heads()
        if found != expected:
            raise ConfigurationError(
                f"the database's crmkit schema is at {sorted(found) or 'no revision'}, this "
                f"crmkit needs {sorted(expected)}; run `crmkit db upgrade URL` or "
                f"crmkit.upgrade_database(...) first, or open it with upgrade_schema=True.",
            )

    def unit_of_work(self, tenant_id: TenantId) -> SqlUnitOfWork:
        return SqlUnitOfWork(self.source, tenant_id)

    def close(self) -> None:
        if self._owns_engine and isinstance(self.source, Engine):
            self.source.dispose()
