"""The in-memory unit of work and storage."""

from __future__ import annotations

import functools
from collections.abc import Callable, Hashable
from typing import Any, Generic, Self, TypeVar

from crmkit.adapters.guard import scalar_arguments
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
T = TypeVar("T")


class _Made(Generic[T]):
    """A repository of the unit of work, made on first use (a command touches only some of
    them) and guarded there by :func:`~crmkit.adapters.guard.scalar_arguments`, so no
    mapping or bytes reaches a repository, as on the servers."""

    def __init__(self, make: Callable[[InMemoryUnitOfWork], T]) -> None:
        self._make = make
        self._name = ""

    def __set_name__(self, owner: type, name: str) -> None:
        self._name = name

    def __get__(self, uow: InMemoryUnitOfWork, owner: type | None = None) -> T:
        made = scalar_arguments(self._make(uow))
        uow.__dict__[self._name] = made  # the instance's attribute answers from now on
        return made


class _Over(_Made[T]):
    """The repository ``kind`` over the store's table ``table``, made on first use: its
    table transaction, the repository and its guard in one step (every confirm makes a
    dozen of them)."""

    def __init__(
        self,
        kind: Callable[[TenantId, TableTransaction[Any, Any], Callable[[], None]], T],
        table: str,
    ) -> None:
        super().__init__(lambda uow: kind(uow.tenant_id, uow.over(table), uow._rollback))
        self._kind = kind
        self._table = table

    def __get__(self, uow: InMemoryUnitOfWork, owner: type | None = None) -> T:
        store = uow._store
        transaction = TableTransaction(getattr(store, self._table), store.lock)
        uow._transactions.append(transaction)
        made = scalar_arguments(self._kind(uow.tenant_id, transaction, uow._rollback))
        uow.__dict__[self._name] = made
        return made


def _over(
    kind: Callable[[TenantId, TableTransaction[Any, Any], Callable[[], None]], T], table: str
) -> _Made[T]:
    """The repository ``kind`` over the store's table ``table``."""
    return _Over(kind, table)


class InMemoryUnitOfWork:
    """A transaction over a :class:`MemoryStore`: commit publishes, anything else discards.

    Writes are checked when made and again at commit, under the store's lock, so two units
    of work that change the same record cannot both commit.
    """

    tenant_id: TenantId
    _rollback: Callable[[], None]
    products = _Made(lambda uow: RecordProductRepository(uow.records(PRODUCTS), uow.tenant_id))
    requests = _over(InMemoryProcessedRequestRepository, "requests")
    warehouses = _Made(lambda uow: RecordWarehouseRepository(uow.records(WAREHOUSES)))
    stock_levels = _over(InMemoryStockLevelRepository, "stock_levels")
    movements = _over(InMemoryMovementRepository, "movements")
    reservations = _over(InMemoryReservationRepository, "reservations")
    stock_documents = _over(InMemoryStockDocumentRepository, "stock_documents")
    price_lists = _Made(
        lambda uow: InMemoryPriceListRepository(
            uow.tenant_id, uow.over("price_lists"), uow.over("price_entries"), uow._rollback
        )
    )
    quotes = _over(InMemoryQuoteRepository, "quotes")
    sales_orders = _over(InMemorySalesOrderRepository, "sales_orders")
    customer_accounts = _over(InMemoryCustomerAccountRepository, "customer_accounts")
    rebate_grants = _over(InMemoryRebateGrantRepository, "rebate_grants")
    holds = _over(InMemoryHoldRepository, "holds")
    journal = _over(InMemoryJournalRepository, "journal")
    deduction_policies = _over(InMemoryDeductionPolicyRepository, "deduction_policies")
    counters = _over(InMemoryDocumentCounterRepository, "counters")
    outbox = _over(InMemoryOutboxRepository, "outbox")
    outbox_consumers = _over(InMemoryOutboxConsumerRepository, "outbox_consumers")

    def __init__(self, store: MemoryStore, tenant_id: TenantId) -> None:
        self.tenant_id = tenant_id
        self._store = store
        self._transactions: list[TableTransaction[Any, Any]] = []
        # What the repositories call back holds the transactions, not the unit of work: a
        # finished unit of work is then freed at once, not left to the garbage collector.
        self._rollback = functools.partial(_rolled_back, self._transactions)
        self._record_stores = _RecordStores(store, tenant_id, self._transactions, self._rollback)

    def over(self, table: str) -> TableTransaction[Any, Any]:
        """A transaction of this unit of work over the store's table ``table``."""
        found: MemoryTable[Any, Any] = getattr(self._store, table)
        return self._over(found)

    def records(self, record_type: RecordType[R2]) -> RecordRepository[R2]:
        """The records of a declared type in this unit of work."""
        return RecordRepository(record_type, self._record_stores, self.tenant_id)

    def _over(self, table: MemoryTable[K, R]) -> TableTransaction[K, R]:
        transaction = TableTransaction(table, self._store.lock)
        self._transactions.append(transaction)
        return transaction

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.rollback()

    def commit(self) -> None:
        written = [t for t in self._transactions if t.expected]  # the tables written to
        with self._store.lock:
            try:
                for transaction in written:
                    transaction.validate()
            except Exception:
                self.rollback()
                raise
            for transaction in written:
                transaction.apply()

    def rollback(self) -> None:
        _rolled_back(self._transactions)


def _rolled_back(transactions: list[TableTransaction[Any, Any]]) -> None:
    """Discard what ``transactions`` staged (a unit of work's rollback)."""
    for transaction in transactions:
        if transaction.staged or transaction.expected:
            transaction.clear()


class _RecordStores:
    """A unit of work's stores of declared record types, made on first use (types sharing
    a table share its transaction)."""

    def __init__(
        self,
        store: MemoryStore,
        tenant_id: TenantId,
        transactions: list[TableTransaction[Any, Any]],
        rollback: Callable[[], None],
    ) -> None:
        self._store = store
        self._tenant = tenant_id
        self._transactions = transactions
        self._rollback = rollback
        self._stores: dict[str, RecordStore[Any]] = {}
        self._tables: dict[str, TableTransaction[Any, Any]] = {}

    def __call__(self, record_type: RecordType[Any]) -> RecordStore[Any]:
        store = self._stores.get(record_type.scope)
        if store is None:
            tx = self._tables.get(record_type.name)
            if tx is None:
                tx = TableTransaction(self._store.record_table(record_type), self._store.lock)
                self._transactions.append(tx)
                self._tables[record_type.name] = tx
            store = InMemoryRecordStore(record_type, self._tenant, tx, self._rollback)
            self._stores[record_type.scope] = store
        return store


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
