"""The in-memory unit of work and storage."""

from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import Any, Generic, Self, TypeVar, overload

from crmkit.adapters.guard import guard_repositories, scalar_arguments
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


class _Repository(Generic[T]):
    """A repository of a unit of work, made on first use: a unit of work uses a few of its
    eighteen repositories, and makes each at most once. One made inside the ``with`` block
    is guarded at once, as :func:`guard_repositories` guards those made before it."""

    def __init__(self, make: Callable[[InMemoryUnitOfWork], T]) -> None:
        self._make = make
        self._name = ""

    def __set_name__(self, owner: type, name: str) -> None:
        self._name = name

    @overload
    def __get__(self, uow: None, owner: type) -> Self: ...
    @overload
    def __get__(self, uow: InMemoryUnitOfWork, owner: type) -> T: ...
    def __get__(self, uow: InMemoryUnitOfWork | None, owner: type) -> Self | T:
        if uow is None:
            return self
        repository = self._make(uow)
        if uow._entered:
            repository = scalar_arguments(repository)
        vars(uow)[self._name] = repository  # read from the instance from now on
        return repository


def _table(
    kind: Callable[[TenantId, TableTransaction[Any, Any], Callable[[], None]], T],
    table: Callable[[MemoryStore], MemoryTable[Any, Any]],
) -> _Repository[T]:
    """A repository of ``kind`` over one table of the store."""
    return _Repository(lambda uow: kind(uow.tenant_id, uow._over(table(uow._store)), uow.rollback))


class InMemoryUnitOfWork:
    """A transaction over a :class:`MemoryStore`: commit publishes, anything else discards.

    Writes are checked when made and again at commit, under the store's lock, so two units
    of work that change the same record cannot both commit.
    """

    tenant_id: TenantId
    _store: MemoryStore

    products = _Repository(
        lambda uow: RecordProductRepository(uow.records(PRODUCTS), uow.tenant_id)
    )
    requests = _table(InMemoryProcessedRequestRepository, lambda store: store.requests)
    warehouses = _Repository(lambda uow: RecordWarehouseRepository(uow.records(WAREHOUSES)))
    stock_levels = _table(InMemoryStockLevelRepository, lambda store: store.stock_levels)
    movements = _table(InMemoryMovementRepository, lambda store: store.movements)
    reservations = _table(InMemoryReservationRepository, lambda store: store.reservations)
    stock_documents = _table(InMemoryStockDocumentRepository, lambda store: store.stock_documents)
    price_lists = _Repository(
        lambda uow: InMemoryPriceListRepository(
            uow.tenant_id,
            uow._over(uow._store.price_lists),
            uow._over(uow._store.price_entries),
            uow.rollback,
        )
    )
    quotes = _table(InMemoryQuoteRepository, lambda store: store.quotes)
    sales_orders = _table(InMemorySalesOrderRepository, lambda store: store.sales_orders)
    customer_accounts = _table(
        InMemoryCustomerAccountRepository, lambda store: store.customer_accounts
    )
    rebate_grants = _table(InMemoryRebateGrantRepository, lambda store: store.rebate_grants)
    holds = _table(InMemoryHoldRepository, lambda store: store.holds)
    journal = _table(InMemoryJournalRepository, lambda store: store.journal)
    deduction_policies = _table(
        InMemoryDeductionPolicyRepository, lambda store: store.deduction_policies
    )
    counters = _table(InMemoryDocumentCounterRepository, lambda store: store.counters)
    outbox = _table(InMemoryOutboxRepository, lambda store: store.outbox)
    outbox_consumers = _table(
        InMemoryOutboxConsumerRepository, lambda store: store.outbox_consumers
    )

    def __init__(self, store: MemoryStore, tenant_id: TenantId) -> None:
        self.tenant_id = tenant_id
        self._store = store
        self._entered = False
        self._transactions: list[TableTransaction[Any, Any]] = []
        self._record_stores: dict[str, RecordStore[Any]] = {}
        self._record_tables: dict[str, TableTransaction[Any, Any]] = {}

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
        self._entered = True
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
