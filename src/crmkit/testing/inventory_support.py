"""Helpers for the inventory contract suites: set up stock, and snapshot everything."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import attrs
from hypothesis import strategies as st

from crmkit.adapters.clock import FixedClock
from crmkit.domain import Product, ProductId, TenantId, new_id
from crmkit.domain.inventory import (
    DOCUMENT_TYPES,
    DeliveryNote,
    Movement,
    Reservation,
    ReservationId,
    StockLevel,
    Warehouse,
    WarehouseId,
)
from crmkit.services import CatalogService, Storage, UnitOfWork
from crmkit.services.inventory import InventoryService
from crmkit.testing.tenants import TenantWorld, fresh_tenant, numbered_products, units_of

T0 = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)


@attrs.frozen
class Shop(TenantWorld):
    """A tenant with products and warehouses, and its services over a storage."""

    inventory: InventoryService
    products: tuple[Product, ...]
    warehouses: tuple[Warehouse, ...]

    def receive(self, product: int, warehouse: int, quantity: Decimal | int | str) -> None:
        """Receive ``quantity`` of product ``product`` into warehouse ``warehouse``."""
        order = self.inventory.create_inbound_order(
            self.warehouses[warehouse].id, [(self.products[product].id, quantity)]
        )
        self.inventory.confirm_inbound_order(order.id, key=f"recv-{new_id()}")

    def snapshot(self, *orders: str, documents: tuple[tuple[type[Any], str], ...] = ()) -> Any:
        """Everything stored about this shop's stock, for before/after comparisons."""
        return snapshot(self.storage, self.tenant, [p.id for p in self.products], orders, documents)


def open_shop(
    storage: Storage,
    *,
    products: int = 2,
    warehouses: tuple[int, ...] = (1, 2),
    clock: FixedClock | None = None,
) -> Shop:
    """A fresh tenant with ``products`` products and warehouses of the given priorities
    (codes W0, W1, ...)."""
    tenant = fresh_tenant()
    clock = clock or FixedClock(T0)
    unit_of_work = units_of(storage, tenant)
    inventory = InventoryService(unit_of_work, clock)
    made = numbered_products(CatalogService(unit_of_work, clock), products)
    stores = tuple(
        inventory.create_warehouse(code=f"W{n}", name=f"Warehouse {n}", priority=priority)
        for n, priority in enumerate(warehouses)
    )
    return Shop(storage, tenant, clock, inventory, made, stores)


@attrs.frozen
class Snapshot:
    """The stored stock state of some products, orders and documents."""

    levels: tuple[StockLevel, ...]
    movements: tuple[Movement, ...]
    reservations: tuple[Reservation, ...]
    documents: tuple[object, ...]


def all_movements(uow: UnitOfWork, product_id: ProductId) -> list[Movement]:
    """Every movement of a product, walking the keyset pages."""
    found: list[Movement] = []
    after: tuple[datetime, str] | None = None
    while True:
        page = uow.movements.history(product_id, after=after, limit=100)
        found.extend(page)
        if len(page) < 100:
            return found
        after = (page[-1].occurred_at, page[-1].id)


def snapshot(
    storage: Storage,
    tenant: TenantId,
    product_ids: list[ProductId],
    orders: tuple[str, ...] = (),
    documents: tuple[tuple[type[Any], str], ...] = (),
) -> Snapshot:
    """Levels and movements of the products, reservations of the orders, the documents."""
    with storage.unit_of_work(tenant) as uow:
        return Snapshot(
            tuple(uow.stock_levels.for_products(product_ids)),
            tuple(m for pid in sorted(product_ids) for m in all_movements(uow, pid)),
            tuple(r for o in orders for r in uow.reservations.for_order(o, open_only=False)),
            tuple(uow.stock_documents.get(kind, did) for kind, did in documents),
        )


def check_invariants(
    uow: UnitOfWork,
    product_ids: list[ProductId],
    reservation_ids: list[ReservationId],
    delivery_note_ids: list[str],
) -> None:
    """Assert the inventory invariants over what ``uow`` sees.

    on hand = sum of sellable movements; quarantine = sum of quarantined movements;
    0 <= reserved <= on hand; reserved = sum of open reservations' remaining quantities;
    shipped + released <= quantity per reservation; returned <= shipped per delivery line.
    """
    levels: dict[tuple[Any, ...], StockLevel] = {
        (x.product_id, x.warehouse_id): x for x in uow.stock_levels.for_products(product_ids)
    }
    sums: dict[tuple[Any, ...], Decimal] = {}
    for pid in product_ids:
        for m in all_movements(uow, pid):
            key = (m.product_id, m.warehouse_id, m.bucket.value)
            sums[key] = sums.get(key, Decimal(0)) + m.quantity
    reservations = uow.reservations.get_many(reservation_ids)
    assert set(reservations) == set(reservation_ids)
    held: dict[tuple[Any, ...], Decimal] = {}
    for r in reservations.values():
        assert Decimal(0) <= r.shipped
        assert Decimal(0) <= r.released
        assert r.shipped + r.released <= r.quantity
        if r.is_open:
            assert r.remaining > 0  # a count may have released part of it
            held[(r.product_id, r.warehouse_id)] = (
                held.get((r.product_id, r.warehouse_id), Decimal(0)) + r.remaining
            )
        else:
            assert r.remaining == 0
    for (pid, wid), level in levels.items():
        assert level.on_hand == sums.get((pid, wid, "sellable"), Decimal(0))
        assert level.quarantine == sums.get((pid, wid, "quarantine"), Decimal(0))
        assert Decimal(0) <= level.reserved <= level.on_hand
        assert level.available >= 0
        assert level.quarantine >= 0
        assert level.reserved == held.get((pid, wid), Decimal(0))
    for stock in sums:
        assert stock[:2] in levels
    for key in held:
        assert key in levels
    for note_id in delivery_note_ids:
        note = uow.stock_documents.get(DeliveryNote, note_id)
        for line in note.lines:
            assert Decimal(0) <= line.returned <= line.quantity
            assert line.quantity <= reservations[line.reservation_id].shipped


def quantities(max_units: int = 12) -> st.SearchStrategy[Decimal]:
    """Positive quantities in quarters of a unit (exact, within the stored scale)."""
    return st.integers(1, max_units * 4).map(lambda n: Decimal(n) / 4)


__all__ = [
    "DOCUMENT_TYPES",
    "T0",
    "Shop",
    "Snapshot",
    "WarehouseId",
    "all_movements",
    "check_invariants",
    "open_shop",
    "quantities",
    "snapshot",
]
