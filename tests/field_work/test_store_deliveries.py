"""Deliveries to a store and its returns, read from the stock ledger on every backend."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

from crmkit.services import Storage
from crmkit.services.field_work.store_deliveries import LedgerStoreDeliveries
from crmkit.services.inventory import ReservationRequest
from crmkit.testing.inventory_support import Shop, open_shop

STORES = {"SO-1": "store-1", "SO-1b": "store-1", "SO-2": "store-2"}


def _ship(shop: Shop, order: str, quantity: int) -> Any:
    """Reserve and ship ``quantity`` of product 0 for ``order``."""
    product = shop.products[0].id
    taken = shop.inventory.reserve(
        order, [ReservationRequest("l1", product, quantity)], key=f"r-{order}"
    )
    reservation = taken.reservations[0]
    return shop.inventory.ship(order, [(reservation.id, quantity)], key=f"s-{order}")


class TestLedgerStoreDeliveries:
    """Only the store's deliveries and returns strictly after the start and up to the end."""

    def test_deliveries_and_returns_of_one_store(self, storage: Storage) -> None:
        """At start: 5 (left out); then 24 and 6 to the store, 9 to another, 2 returned."""
        shop = open_shop(storage, products=1, warehouses=(1,))
        shop.receive(0, 0, 100)
        start = shop.clock.now()
        _ship(shop, "SO-1", 5)  # at the start itself: before the period
        shop.clock.advance(timedelta(hours=1))
        note = _ship(shop, "SO-1b", 24)
        _ship(shop, "SO-2", 9)
        shop.clock.advance(timedelta(hours=1))
        shop.inventory.receive_return(
            note.id,
            [(note.lines[0].line_no, 2)],
            warehouse_id=shop.warehouses[0].id,
            sellable=True,
            key="back-1",
        )
        end = shop.clock.now()
        shop.clock.advance(timedelta(hours=1))
        _ship(shop, "SO-3", 7)  # after the end

        def uow() -> Any:
            return storage.unit_of_work(shop.tenant)

        ledger = LedgerStoreDeliveries(uow, lambda _uow, order: STORES.get(order))
        product = shop.products[0].id
        moved = ledger.between("store-1", [product], start, end)
        assert moved.delivered == {product: Decimal(24)}
        assert moved.returned == {product: Decimal(2)}
        other = ledger.between("store-2", [product], start, end)
        assert other.delivered == {product: Decimal(9)}
        assert other.returned == {}
        everything = ledger.between("store-1", [product], start - timedelta(seconds=1), end)
        assert everything.delivered == {product: Decimal(29)}
