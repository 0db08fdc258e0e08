"""Ports: what the services need from storage and from the outside world.

Adapters implement these protocols (in-memory, SQL, MongoDB); the contract suite in
:mod:`crmkit.testing` checks that every implementation behaves the same.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime
from types import TracebackType
from typing import Protocol, Self, TypeVar

import attrs

from crmkit.domain import Product, ProductId, TenantId
from crmkit.domain.records import RecordType
from crmkit.domain.requests import ProcessedRequest
from crmkit.services.account_ports import (
    CustomerAccountRepository,
    DeductionPolicyRepository,
    HoldRepository,
    JournalRepository,
    RebateGrantRepository,
)
from crmkit.services.inventory_ports import (
    MovementRepository,
    ReservationRepository,
    StockDocumentRepository,
    StockLevelRepository,
    WarehouseRepository,
)
from crmkit.services.order_ports import (
    DocumentCounterRepository,
    OutboxConsumerRepository,
    OutboxRepository,
)
from crmkit.services.pricing_ports import (
    PriceListRepository,
    QuoteRepository,
    SalesOrderRepository,
)
from crmkit.services.records import RecordRepository
from crmkit.services.store_ports import RecordStore

R = TypeVar("R")


class Clock(Protocol):
    """Where services read the time; nothing else in crmkit reads the system clock."""

    def now(self) -> datetime:
        """The current time as an aware UTC datetime."""
        ...


@attrs.frozen
class ProductFilter:
    """Which products a listing returns; ``None`` means "any"."""

    active: bool | None = None
    category: str | None = None


class ProductRepository(RecordStore[Product, ProductId], Protocol):
    """The products of the unit of work's tenant. Never sees another tenant's records.

    A SKU is unique in the tenant: ``add`` or ``update`` with a taken one raises
    DuplicateRecord.
    """

    def get_by_sku(self, sku: str) -> Product:
        """The product with this SKU (exact, case-sensitive match).

        Raises:
            NotFound: no such product in this tenant.
        """
        ...

    def get_many(self, product_ids: Collection[ProductId]) -> dict[ProductId, Product]:
        """The products with these ids, in one round trip; unknown ids are left out."""
        ...

    def list(
        self, product_filter: ProductFilter, *, after_sku: str | None, limit: int
    ) -> list[Product]:
        """Up to ``limit`` products matching the filter, ordered by SKU, with SKU > ``after_sku``.

        SKUs compare by Unicode code point on every backend (keyset pagination: no OFFSET).
        """
        ...


class ProcessedRequestRepository(Protocol):
    """The idempotency keys the tenant's commands ran under (see services.idempotency)."""

    def get(self, key: str) -> ProcessedRequest | None:
        """The request recorded under ``key``, or ``None``."""
        ...

    def add(self, request: ProcessedRequest) -> None:
        """Record a request.

        Raises:
            DuplicateRecord: the key is recorded already (possibly by a concurrent writer).
        """
        ...


class UnitOfWork(Protocol):
    """One transaction for one tenant.

    Use it as a context manager. Changes are kept only by :meth:`commit`; leaving the block
    without committing, or with an exception, rolls them back. After ``commit`` or
    ``rollback`` the unit of work may go on with a new transaction.
    """

    @property
    def tenant_id(self) -> TenantId:
        """The tenant every repository of this unit of work is confined to."""
        ...

    @property
    def products(self) -> ProductRepository: ...

    @property
    def requests(self) -> ProcessedRequestRepository: ...

    @property
    def warehouses(self) -> WarehouseRepository: ...

    @property
    def stock_levels(self) -> StockLevelRepository: ...

    @property
    def movements(self) -> MovementRepository: ...

    @property
    def reservations(self) -> ReservationRepository: ...

    @property
    def stock_documents(self) -> StockDocumentRepository: ...

    @property
    def price_lists(self) -> PriceListRepository: ...

    @property
    def quotes(self) -> QuoteRepository: ...

    @property
    def sales_orders(self) -> SalesOrderRepository: ...

    @property
    def customer_accounts(self) -> CustomerAccountRepository: ...

    @property
    def rebate_grants(self) -> RebateGrantRepository: ...

    @property
    def holds(self) -> HoldRepository: ...

    @property
    def journal(self) -> JournalRepository: ...

    @property
    def deduction_policies(self) -> DeductionPolicyRepository: ...

    def records(self, record_type: RecordType[R]) -> RecordRepository[R]:
        """The records of a declared record type (see :mod:`crmkit.domain.records`)."""
        ...

    @property
    def counters(self) -> DocumentCounterRepository: ...

    @property
    def outbox(self) -> OutboxRepository: ...

    @property
    def outbox_consumers(self) -> OutboxConsumerRepository: ...

    def __enter__(self) -> Self: ...

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None: ...

    def commit(self) -> None:
        """Make the changes durable and visible to other units of work.

        Raises:
            ConcurrencyConflict: another unit of work changed the same records first.
            DuplicateRecord: another unit of work took a unique key first.
        """
        ...

    def rollback(self) -> None:
        """Discard the changes made since the last commit."""
        ...


class Storage(Protocol):
    """A storage backend: it opens units of work, one tenant each."""

    def unit_of_work(self, tenant_id: TenantId) -> UnitOfWork:
        """A new unit of work bound to ``tenant_id``."""
        ...

    def close(self) -> None:
        """Release what the storage opened itself (pools, clients)."""
        ...
