"""What reached a store and came back, read from the inventory's stock ledger.

Delivery movements (发货单) and return movements (退货单) of each product are read in time
order through the existing ports (``uow.movements``, ``uow.stock_documents``); each is
attributed to a store through the order its delivery note shipped, by ``store_of_order``
(an application maps its orders to customers; crmkit's inventory knows only order ids).
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from datetime import datetime
from decimal import Decimal

from crmkit.domain.inventory.documents import DeliveryNote, ReturnOrder
from crmkit.domain.inventory.stock import MovementKind
from crmkit.domain.timestamps import utc_millis
from crmkit.services.field_work.shelf import StoreMovements
from crmkit.services.ports import UnitOfWork

PAGE = 200
AFTER_EVERY_ID = "~"
"""Sorts after every movement id (ids are lowercase hex), so a cursor at ``start`` skips it."""

StoreOfOrder = Callable[[UnitOfWork, str], str | None]
"""The customer id of the store an order was for (``None``: not a store's order)."""


class LedgerStoreDeliveries:
    """:class:`~crmkit.services.field_work.shelf.StoreDeliveries` over the stock ledger."""

    def __init__(
        self, unit_of_work: Callable[[], UnitOfWork], store_of_order: StoreOfOrder
    ) -> None:
        self._uow = unit_of_work
        self._store_of_order = store_of_order

    def between(
        self, customer_id: str, product_ids: Collection[str], start: datetime, end: datetime
    ) -> StoreMovements:
        """Quantities delivered to and returned by the store with start < time <= end."""
        low, high = utc_millis(start), utc_millis(end)
        delivered: dict[str, Decimal] = {}
        returned: dict[str, Decimal] = {}
        with self._uow() as uow:
            notes: dict[str, DeliveryNote] = {}
            stores: dict[str, str | None] = {}

            def store_of_note(note_id: str) -> str | None:
                if note_id not in notes:
                    notes[note_id] = uow.stock_documents.get(DeliveryNote, note_id)
                order = notes[note_id].order_id
                if order not in stores:
                    stores[order] = self._store_of_order(uow, order)
                return stores[order]

            for product in sorted(set(product_ids)):
                after: tuple[datetime, str] | None = (low, AFTER_EVERY_ID)
                while after is not None:
                    page = uow.movements.history(product, after=after, limit=PAGE)  # type: ignore[arg-type]
                    after = (page[-1].occurred_at, page[-1].id) if len(page) == PAGE else None
                    for movement in page:
                        if movement.occurred_at > high:
                            after = None
                            break
                        if movement.kind is MovementKind.DELIVERY:
                            if store_of_note(movement.document_id) == customer_id:
                                delivered[product] = delivered.get(product, Decimal(0)) - (
                                    movement.quantity
                                )
                        elif movement.kind is MovementKind.RETURN:
                            back = uow.stock_documents.get(ReturnOrder, movement.document_id)
                            if store_of_note(back.delivery_note_id) == customer_id:
                                returned[product] = (
                                    returned.get(product, Decimal(0)) + movement.quantity
                                )
        return StoreMovements(delivered, returned)
