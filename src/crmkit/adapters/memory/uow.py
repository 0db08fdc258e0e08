"""The in-memory unit of work and storage."""

from __future__ import annotations

from collections.abc import Hashable
from typing import Any, Self, TypeVar

from crmkit.adapters.guard import guard_repositories
from crmkit.adapters.memory.accounts import (
    InMemoryCustomerAccountRepository,
    InMemoryDeductionPolicyRepository,
    InMemoryHoldRepository,
    InMemoryJournalRepository,
    InMemoryRebateGrantRepository,
)
from crmkit.adapters.memory.inventory import (
    InMemoryMovementRepository,
    InMemoryReservationRepository,
    InMemoryStockDocumentRepository,
    InMemoryStockLevelRepository,
)
from crmkit.adapters.memory.orders import (
    InMemoryDocumentCounterRepository,
    InMemoryOutboxConsumerRepository,
    InMemoryOutboxRepository,
)
from crmkit.adapters.memory.pricing import (
    InMemoryPriceListRepository,
    InMemoryQuoteRepository,
    InMemorySalesOrderRepository,
)
from crmkit.adapters.memory.records import InMemoryRecordStore
from crmkit.adapters.memory.requests import InMemoryProcessedRequestRepository
from crmkit.adapters.memory.store import MemoryStore
from crmkit.adapters.memory.tables import MemoryTable, TableTransaction, Versioned
from crmkit.adapters.record_ports import RecordProductRepository, RecordWarehouseRepository
from crmkit.domain import TenantId
from crmkit.domain.inventory.warehouse import WAREHOUSES
from crmkit.domain.product import PRODUCTS
from crmkit.domain.records import RecordType
from crmkit.services.records import RecordRepository, RecordStore

K = TypeVar("K", bound=Hashable)
R = TypeVar("R", bound=Versioned)
R2 = TypeVar("R2")


class InMemoryUnitOfWork:
    """A transaction over a :class:`MemoryStore`: commit publishes, anything else discards.

    Writes are checked when made and again at commit, under the store's lock, so two units
    of work that change the same record cannot both commit.
    """

    def __init__(self, store: MemoryStore, tenant_id: TenantId) -> None:
        self.tenant_id = tenant_id
        self._store = store
        self._transactions: list[TableTransaction[Any, Any]] = []
        self._record_stores: dict[str, RecordStore[Any]] = {}
        self._record_tables: dict[str, TableTransaction[Any, Any]] = {}
        self.products = RecordProductRepository(self.records(PRODUCTS), tenant_id)
        self.requests = InMemoryProcessedRequestRepository(
            tenant_id, self._over(store.requests), self.rollback
        )
        self.warehouses = RecordWarehouseRepository(self.records(WAREHOUSES))
        self.stock_levels = InMemoryStockLevelRepository(
            tenant_id, self._over(store.stock_levels), self.rollback
        )
        self.movements = InMemoryMovementRepository(
            tenant_id, self._over(store.movements), self.rollback
        )
        self.reservations = InMemoryReservationRepository(
            tenant_id, self._over(store.reservations), self.rollback
        )
        self.stock_documents = InMemoryStockDocumentRepository(
            tenant_id, self._over(store.stock_documents), self.rollback
        )
        self.price_lists = InMemoryPriceListRepository(
            tenant_id,
            self._over(store.price_lists),
            self._over(store.price_entries),
            self.rollback,
        )
        self.quotes = InMemoryQuoteRepository(tenant_id, self._over(store.quotes), self.rollback)
        self.sales_orders = InMemorySalesOrderRepository(
            tenant_id, self._over(store.sales_orders), self.rollback
        )
        self.customer_accounts = InMemoryCustomerAccountRepository(
            tenant_id, self._over(store.customer_accounts), self.rollback
        )
        self.rebate_grants = InMemoryRebateGrantRepository(
            tenant_id, self._over(store.rebate_grants), self.rollback
        )
        self.holds = InMemoryHoldRepository(tenant_id, self._over(store.holds), self.rollback)
        self.journal = InMemoryJournalRepository(
            tenant_id, self._over(store.journal), self.rollback
        )
        self.deduction_policies = InMemoryDeductionPolicyRepository(
            tenant_id, self._over(store.deduction_policies), self.rollback
        )
        self.counters = InMemoryDocumentCounterRepository(
            tenant_id, self._over(store.counters), self.rollback
        )
        self.outbox = InMemoryOutboxRepository(tenant_id, self._over(store.outbox), self.rollback)
        self.outbox_consumers = InMemoryOutboxConsumerRepository(
            tenant_id, self._over(store.outbox_consumers), self.rollback
        )

    def records(self, record_type: RecordType[R2]) -> RecordRepository[R2]:
        """The records of a declared type in this unit of work."""
        return RecordRepository(record_type, self._record_store, self.tenant_id)

    def _record_store(self, record_type: RecordType[Any]) -> RecordStore[Any]:
        store = self._record_stores.get(record_type.scope)
        if store is None:
            tx = self._record_tables.get(record_type.name)
            if tx is None:  # types sharing a table share its transaction
                tx = self._over(self._store.record_table(record_type))
                self._record_tables[record_type.name] = tx
            store = InMemoryRecordStore(record_type, self.tenant_id, tx, self.rollback)
            self._record_stores[record_type.scope] = store
        return store

    def _over(self, table: MemoryTable[K, R]) -> TableTransaction[K, R]:
        transaction = TableTransaction(table, self._store.lock)
        self._transactions.append(transaction)
        return transaction

    def __enter__(self) -> Self:
        guard_repositories(self)  # no mapping or bytes reaches a repository, as on the servers
        return self

    def __exit__(self, *exc: object) -> None:
        self.rollback()

    def commit(self) -> None:
        with self._store.lock:
            try:
                for transaction in self._transactions:
                    transaction.validate()
            except Exception:
                self.rollback()
                raise
            for transaction in self._transactions:
                transaction.apply()

    def rollback(self) -> None:
        for transaction in self._transactions:
            transaction.clear()


class InMemoryStorage:
    """Storage in this process's memory: transactional, thread-safe, gone at exit."""

    def __init__(self) -> None:
        self.store = MemoryStore()

    def unit_of_work(self, tenant_id: TenantId) -> InMemoryUnitOfWork:
        return InMemoryUnitOfWork(self.store, tenant_id)

    def refresh_statistics(self) -> None:
        """Nothing to refresh: the in-memory storage has no query planner."""

    def close(self) -> None:
        """Nothing to release."""
