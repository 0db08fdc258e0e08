# mypy: disable-error-code="comparison-overlap"
# (Decimal quantities are compared with int literals on purpose: Decimal(3) == 3.)
"""The inventory repository contract (库存): warehouses, stock levels, movements, documents and
reservations round-trip and conflict on every storage.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import ClassVar

import attrs
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from crmkit.domain import (
    ConcurrencyConflict,
    DuplicateRecord,
    NotFound,
)
from crmkit.domain.inventory import (
    DeliveryNote,
    Movement,
    ReservationStatus,
    StockLevel,
)
from crmkit.services import Storage, UnitOfWork
from crmkit.services.inventory import ReservationRequest
from crmkit.testing.contracts.inventory_batches import InventoryBatchContract
from crmkit.testing.contracts.support import canonical
from crmkit.testing.inventory_support import (
    T0,
    Shop,
    all_movements,
    open_shop,
    quantities,
)


def _line(
    shop: Shop, product: int, quantity: Decimal | int | str, line: str = "L1"
) -> list[ReservationRequest]:
    return [ReservationRequest(line, shop.products[product].id, quantity)]


def _conflicts(uow: UnitOfWork, level: StockLevel) -> None:
    """Saving ``level`` and committing raises ConcurrencyConflict (at either step)."""

    def write() -> None:
        uow.stock_levels.save(level)
        uow.commit()

    with pytest.raises(ConcurrencyConflict):
        write()


class InventoryRepositoryContract(InventoryBatchContract):
    """Every storage keeps warehouses, stock levels, movements and reservations alike
    (batch writes: :class:`InventoryBatchContract`)."""

    max_examples: ClassVar[int] = 20

    def test_warehouse_codes_are_unique_per_tenant(self, storage: Storage) -> None:
        """A second warehouse with a taken code is refused; listing is by priority, code."""
        shop = open_shop(storage, warehouses=(5, 1))
        with pytest.raises(DuplicateRecord) as raised:
            shop.inventory.create_warehouse(code="W0", name="again", priority=0)
        assert raised.value.details["key"] == "code"
        assert [w.code for w in shop.inventory.list_warehouses()] == ["W1", "W0"]
        other = open_shop(storage, warehouses=(1,))
        assert [w.code for w in other.inventory.list_warehouses()] == ["W0"]

    def test_stock_level_writes_are_conditional(self, storage: Storage) -> None:
        """Saving a stale level, or creating one twice, raises ConcurrencyConflict."""
        shop = open_shop(storage)
        pid, wid = shop.products[0].id, shop.warehouses[0].id
        empty = StockLevel.empty(shop.tenant, pid, wid, T0)
        with storage.unit_of_work(shop.tenant) as uow:
            stored = uow.stock_levels.save(attrs.evolve(empty, on_hand=Decimal(3)))
            uow.commit()
        with storage.unit_of_work(shop.tenant) as uow:
            _conflicts(uow, attrs.evolve(empty, on_hand=Decimal(9)))
        with storage.unit_of_work(shop.tenant) as uow:
            uow.stock_levels.save(attrs.evolve(stored, on_hand=Decimal(4)))
            uow.commit()
        with storage.unit_of_work(shop.tenant) as uow:
            _conflicts(uow, attrs.evolve(stored, on_hand=Decimal(5)))
        with storage.unit_of_work(shop.tenant) as uow:
            assert uow.stock_levels.lock([(pid, wid)])[(pid, wid)].on_hand == 4

    def test_records_load_back_equal(self, storage: Storage) -> None:
        """Receipts, reservations and shipments of any quantities load back equal."""

        @settings(
            max_examples=self.max_examples,
            deadline=None,
            suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
        )
        @given(received=quantities(), share=st.integers(1, 4), expires=st.booleans())
        def round_trip(received: Decimal, share: int, expires: bool) -> None:
            shop = open_shop(storage, products=1, warehouses=(1,))
            shop.receive(0, 0, received)
            shop.clock.advance(timedelta(seconds=1))  # the shipment comes later in history
            wanted = (received / share).quantize(Decimal("0.0001"), rounding="ROUND_DOWN")
            expiry = T0 + timedelta(minutes=5) if expires else None
            result = shop.inventory.reserve(
                "O-1", _line(shop, 0, wanted), key="r", expires_at=expiry
            )
            note = shop.inventory.ship("O-1", [(result.reservations[0].id, wanted)], key="s")
            with storage.unit_of_work(shop.tenant) as uow:
                [reservation] = uow.reservations.for_order("O-1", open_only=False)
                assert reservation == attrs.evolve(
                    result.reservations[0],
                    shipped=wanted,
                    status=ReservationStatus.CONSUMED,
                    version=2,
                )
                assert uow.stock_documents.get(DeliveryNote, note.id) == note
                movements = all_movements(uow, shop.products[0].id)
                assert [m.quantity for m in movements] == [received, -wanted]
                for movement in movements:
                    assert uow.movements.get(movement.id) == movement
                    assert canonical(uow.movements.get(movement.id)) == canonical(movement)
                assert canonical(uow.stock_documents.get(DeliveryNote, note.id)) == canonical(note)
                [level] = uow.stock_levels.for_products([shop.products[0].id])
                assert (level.on_hand, level.reserved) == (received - wanted, 0)

        round_trip()

    def test_history_pages_walk_every_movement_once(self, storage: Storage) -> None:
        """Movement history follows (time, id) order over keyset pages."""
        shop = open_shop(storage, products=1, warehouses=(1,))
        for n in range(7):
            shop.clock.advance(timedelta(seconds=n % 3))
            shop.receive(0, 0, n + 1)
        seen: list[Movement] = []
        cursor: str | None = None
        while True:
            page = shop.inventory.movement_history(shop.products[0].id, cursor=cursor, limit=3)
            seen.extend(page.items)
            if page.next_cursor is None:
                break
            cursor = page.next_cursor
        assert sorted(m.quantity for m in seen) == [Decimal(n) for n in range(1, 8)]
        assert seen == sorted(seen, key=lambda m: (m.occurred_at, m.id))
        assert len({m.id for m in seen}) == 7

    def test_a_request_key_posts_a_line_once(self, storage: Storage) -> None:
        """Two movements with the same request key and line are refused."""
        shop = open_shop(storage, products=1, warehouses=(1,))
        shop.inventory.adjust(
            shop.products[0].id, shop.warehouses[0].id, 5, reason="found", key="adj-1"
        )
        [first] = shop.snapshot().movements
        with storage.unit_of_work(shop.tenant) as uow, pytest.raises(DuplicateRecord):
            uow.movements.add(attrs.evolve(first, id="another-id"))
        assert shop.snapshot().movements == (first,)

    def test_another_tenant_sees_no_stock(self, storage: Storage) -> None:
        """Warehouses, levels, reservations and documents stay inside their tenant."""
        shop = open_shop(storage)
        shop.receive(0, 0, 5)
        result = shop.inventory.reserve("O-1", _line(shop, 0, 2), key="r")
        other = open_shop(storage)
        with storage.unit_of_work(other.tenant) as uow:
            assert uow.stock_levels.for_products([p.id for p in shop.products]) == []
            assert uow.reservations.for_order("O-1", open_only=False) == []
            assert uow.reservations.get_many([r.id for r in result.reservations]) == {}
            with pytest.raises(NotFound):
                uow.warehouses.get(shop.warehouses[0].id)
            assert all_movements(uow, shop.products[0].id) == []
