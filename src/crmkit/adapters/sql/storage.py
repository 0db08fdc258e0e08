"""The SQL unit of work and storage."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, Engine

from crmkit.adapters.record_ports import RecordProductRepository, RecordWarehouseRepository
from crmkit.adapters.session_uow import SessionUnitOfWork
from crmkit.adapters.sql.accounts import (
    SqlCustomerAccountRepository,
    SqlDeductionPolicyRepository,
    SqlHoldRepository,
    SqlJournalRepository,
    SqlRebateGrantRepository,
)
from crmkit.adapters.sql.errors import translated
from crmkit.adapters.sql.guards import check_isolation, require_transaction
from crmkit.adapters.sql.inventory import (
    SqlMovementRepository,
    SqlReservationRepository,
    SqlStockDocumentRepository,
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
from crmkit.adapters.sql.records import SqlRecordStore
from crmkit.adapters.sql.requests import SqlProcessedRequestRepository
from crmkit.adapters.sql.session import SqlSession
from crmkit.adapters.sql.statistics import analyze_tables
from crmkit.adapters.sql.stock_levels import SqlStockLevelRepository
from crmkit.adapters.sql.tables import VERSION_TABLE
from crmkit.adapters.sql.write_behind import DeferredWriteFailed
from crmkit.domain import ConfigurationError, TenantId
from crmkit.domain.inventory.warehouse import WAREHOUSES
from crmkit.domain.product import PRODUCTS
from crmkit.domain.records import RecordType
from crmkit.services.records import RecordStore


class SqlUnitOfWork(SessionUnitOfWork[SqlSession]):
    """One database transaction for one tenant (or a savepoint in the caller's transaction)."""

    def __init__(self, source: Engine | Connection, tenant_id: TenantId) -> None:
        super().__init__(tenant_id)
        self._source = source

    def _open(self) -> SqlSession:
        return SqlSession(self._source, self.tenant_id)

    def _bind(self, session: SqlSession) -> None:
        self.products = RecordProductRepository(self.records(PRODUCTS), self.tenant_id)
        self.requests = SqlProcessedRequestRepository(session)
        self.warehouses = RecordWarehouseRepository(self.records(WAREHOUSES))
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

    def _new_record_store(
        self, session: SqlSession, record_type: RecordType[Any]
    ) -> RecordStore[Any]:
        return SqlRecordStore(session, record_type)

    def __exit__(self, *exc: object) -> None:
        failed = exc[1]
        try:
            if self._session is not None and not isinstance(failed, DeferredWriteFailed):
                self._session.settle()  # a queued write's failure comes before ``failed``
        finally:
            super().__exit__(*exc)
        if isinstance(failed, DeferredWriteFailed):
            # A queued write failed while flushing for a later statement: its own error.
            raise failed.error from failed.error.__cause__


class SqlStorage:
    """Storage in a SQL database reached through a SQLAlchemy engine or connection.

    A caller's :class:`Connection` must have a transaction begun: crmkit works inside it
    (through savepoints) and the caller's commit or rollback decides. Connections in
    AUTOCOMMIT or READ UNCOMMITTED are refused: crmkit's all-or-nothing commands and its
    version checks need real transactions that read only committed rows.
    """

    def __init__(
        self,
        source: Engine | Connection,
        *,
        owns_engine: bool = False,
        check_schema: bool = True,
        version_table: str = VERSION_TABLE,
    ) -> None:
        self.source = source
        self.version_table = version_table
        self._owns_engine = owns_engine
        with translated():
            if isinstance(source, Connection):
                require_transaction(source)
                check_isolation(source)
            else:
                with source.connect() as connection:
                    check_isolation(connection)
            if check_schema:
                self.check_schema()

    def check_schema(self) -> None:
        """Make sure the database carries this crmkit version's tables.

        Raises:
            ConfigurationError: the database needs ``crmkit db upgrade`` first.
            StorageUnavailable: the database cannot be reached.
        """
        with translated():
            if isinstance(self.source, Connection):
                found = database_revisions(self.source, self.version_table)
            else:
                with self.source.connect() as connection:
                    found = database_revisions(connection, self.version_table)
        expected = schema_heads()
        if found != expected:
            raise ConfigurationError(
                f"the database's crmkit schema (version table {self.version_table!r}) is at "
                f"{sorted(found) or 'no revision'}, this "
                f"crmkit needs {sorted(expected)}; run `crmkit db upgrade URL` or "
                f"crmkit.upgrade_database(...) first, or open it with upgrade_schema=True.",
            )

    def unit_of_work(self, tenant_id: TenantId) -> SqlUnitOfWork:
        return SqlUnitOfWork(self.source, tenant_id)

    def refresh_statistics(self) -> None:
        """ANALYZE crmkit's tables (in a caller's Connection: inside its transaction)."""
        if isinstance(self.source, Connection):
            analyze_tables(self.source)
            return
        with self.source.connect() as connection:
            analyze_tables(connection)
            connection.commit()

    def close(self) -> None:
        if self._owns_engine and isinstance(self.source, Engine):
            self.source.dispose()
