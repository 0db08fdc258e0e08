"""What every part of the inventory service shares: its unit of work, clock, retries and
idempotent commands.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import TypeVar

from crmkit.domain import ProductId, TenantId
from crmkit.domain.inventory import InboundOrder, StockCount, StockDocument, WarehouseId
from crmkit.domain.requests import request_key
from crmkit.services.idempotency import run_once
from crmkit.services.inventory_steps import products_exist
from crmkit.services.ports import Clock, UnitOfWork
from crmkit.services.tenant_service import TenantService

T = TypeVar("T")
Draft = TypeVar("Draft", InboundOrder, StockCount)
Document = TypeVar("Document", bound=StockDocument)

INVENTORY_ATTEMPTS = 40
"""Hot products make conflicts likely on optimistic backends: retry more than the default."""
EXPIRY_BATCH = 100


def document_loader(kind: type[Document]) -> Callable[[UnitOfWork, str], Document]:
    """How a keyed command whose result is a stock document of type ``kind`` reads it back."""
    return lambda uow, done: uow.stock_documents.get(kind, done)


class InventoryBase(TenantService):
    """The state and plumbing of :class:`~crmkit.services.inventory.InventoryService`."""

    def __init__(
        self,
        unit_of_work: Callable[[], UnitOfWork],
        clock: Clock,
        *,
        attempts: int = INVENTORY_ATTEMPTS,
    ) -> None:
        super().__init__(unit_of_work, clock)
        self._attempts = attempts

    def _keyed(
        self,
        key: str,
        operation: str,
        payload: dict[str, object],
        work: Callable[[UnitOfWork, datetime], tuple[str, T]],
        load: Callable[[UnitOfWork, str], T],
    ) -> T:

        def done(uow: UnitOfWork) -> tuple[T, str, datetime]:
            now = self._clock.now()
            result, value = work(uow, now)
            return value, result, now

        return run_once(
            self._uow,
            request_key(key),
            operation,
            payload,
            done,
            replayed=load,
            attempts=self._attempts,
        )

    def _document(self, kind: type[Document], document_id: str) -> Document:
        """The stock document of type ``kind`` with this id (NotFound if there is none)."""
        with self._uow() as uow:
            return uow.stock_documents.get(kind, document_id)

    def _add_draft(
        self,
        warehouse_id: WarehouseId,
        product_ids: list[ProductId],
        make: Callable[[TenantId, datetime], Draft],
    ) -> Draft:
        """Store the draft ``make`` builds once the warehouse and the products are found."""

        def add(uow: UnitOfWork) -> Draft:
            uow.warehouses.get(warehouse_id)
            products_exist(uow, product_ids)
            draft = make(uow.tenant_id, self._clock.now())
            uow.stock_documents.add(draft)
            return draft

        return self._committed(add)

    def _cancel_draft(self, kind: type[Draft], document_id: str) -> Draft:
        """Cancel the draft document ``document_id`` of type ``kind`` (nothing is booked)."""

        def cancel(uow: UnitOfWork) -> Draft:
            document = uow.stock_documents.get(kind, document_id)
            return uow.stock_documents.update(document.cancelled(self._clock.now()))

        return self._retried(cancel, self._attempts)
