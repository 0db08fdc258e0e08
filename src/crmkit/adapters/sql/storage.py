"""The SQL unit of work and storage."""

from __future__ import annotations

from sqlalchemy import Connection, Engine

from crmkit.adapters.session_uow import SessionUnitOfWork
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
from crmkit.adapters.sql.orders import (
    SqlDocumentCounterRepository,
    SqlOutboxConsumerRepository,
    SqlOutboxRepository,
)
from crmkit.adapters.sql.pricing import (
    SqlPriceListRepository,
    SqlQuoteRepository,
    SqlSalesOrderRepository,
)
from crmkit.adapters.sql.products import SqlProductRepository
from crmkit.adapters.sql.requests import SqlProcessedRequestRepository
from crmkit.adapters.sql.session import SqlSession
from crmkit.domain import ConfigurationError, TenantId


class SqlUnitOfWork(SessionUnitOfWork[SqlSession]):
    """One database transaction for one tenant (or a savepoint in the caller's transaction)."""

    def __init__(self, source: Engine | Connection, tenant_id: TenantId) -> None:
        super().__init__(tenant_id)
        self._source = source

    def _open(self) -> SqlSession:
        return SqlSession(self._source, self.tenant_id)

    def _bind(self, session: SqlSession) -> None:
        self.products = SqlProductRepository(session)
        self.requests = SqlProcessedRequestRepository(session)
        self.warehouses = SqlWarehouseRepository(session)
        self.stock_levels = SqlStockLevelRepository(session)
        self.movements = SqlMovementRepository(session)
        self.reservations = SqlReservationRepository(session)
        self.stock_documents = SqlStockDocumentRepository(session)
        self.price_lists = SqlPriceListRepository(session)
        self.quotes = SqlQuoteRepository(session)
        self.sales_orders = SqlSalesOrderRepository(session)
        self.customer_accounts = SqlCustomerAccountRepository(session)
        self.rebate_grants = SqlRebateGrantRepository(session)
        self.holds = SqlHoldRepository(session)
        self.journal = SqlJournalRepository(session)
        self.deduction_policies = SqlDeductionPolicyRepository(session)
        self.counters = SqlDocumentCounterRepository(session)
        self.outbox = SqlOutboxRepository(session)
        self.outbox_consumers = SqlOutboxConsumerRepository(session)


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
