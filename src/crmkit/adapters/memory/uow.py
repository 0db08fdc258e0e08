"""The in-memory unit of work and storage."""

from __future__ import annotations

from types import TracebackType
from typing import Self

from crmkit.adapters.memory.products import InMemoryProductRepository, product_write_error
from crmkit.adapters.memory.store import MemoryStore
from crmkit.adapters.memory.tables import TableTransaction, WriteRejected
from crmkit.domain import TenantId


class InMemoryUnitOfWork:
    """A transaction over a :class:`MemoryStore`: commit publishes, anything else discards."""

    def __init__(self, store: MemoryStore, tenant_id: TenantId) -> None:
        self.tenant_id = tenant_id
        self._store = store
        self._products_tx = TableTransaction(store.products, store.lock)
        self.products = InMemoryProductRepository(tenant_id, self._products_tx, self.rollback)

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.rollback()

    def commit(self) -> None:
        with self._store.lock:
            try:
                self._products_tx.validate()
            except WriteRejected as rejected:
                product = self._products_tx.staged[rejected.key]  # type: ignore[index]
                self.rollback()
                raise product_write_error(rejected, product) from None
            self._products_tx.apply()

    def rollback(self) -> None:
        self._products_tx.clear()


class InMemoryStorage:
    """Storage in this process's memory: transactional, thread-safe, gone at exit."""

    def __init__(self) -> None:
        self.store = MemoryStore()

    def unit_of_work(self, tenant_id: TenantId) -> InMemoryUnitOfWork:
        return InMemoryUnitOfWork(self.store, tenant_id)

    def close(self) -> None:
        """Nothing to release."""
