# mypy: disable-error-code="comparison-overlap"
# (Decimal quantities are compared with int literals on purpose: Decimal(3) == 3.)
"""The second half of the inventory service contract (库存): shipping, returns, counts,
adjustments, rejections, queries and concurrency.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import timedelta
from decimal import Decimal
from typing import ClassVar

import pytest

from crmkit.domain import (
    DuplicateRequest,
    FloatNotAllowed,
    InvalidStateTransition,
    NotFound,
    ProductId,
    ValidationError,
)
from crmkit.domain.inventory import (
    AllocationStrategy,
    BelowReserved,
    DeliveryNote,
    InsufficientStock,
    MovementKind,
    NegativeStock,
    OverReturn,
    OverShipment,
    ReservationId,
    ReservationStatus,
    StockBucket,
    StockCount,
    WarehouseId,
)
from crmkit.services import Storage
from crmkit.services.inventory import ReservationRequest
from crmkit.testing.contracts.inventory_repositories import _line
from crmkit.testing.inventory_support import (
    Shop,
    all_movements,
    check_invariants,
    open_shop,
)
from crmkit.testing.running import run_threads


def _ship_and_release_at_once(shop: Shop, order: str, rid: ReservationId) -> list[str]:
    """Ship all of a reservation in one thread and release it in another, at once;
    return which of the two succeeded, and any error other than the expected refusal."""
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def attempt(name: str, command: Callable[[], object]) -> None:
        barrier.wait(timeout=30)
        try:
            command()
            outcomes.append(name)
        except InvalidStateTransition:
            pass
        except Exception as error:  # any other error is a failure of the test
            outcomes.append(f"{name} failed: {error!r}")

    threads = [
        threading.Thread(
            target=attempt,
            args=("ship", lambda: shop.inventory.ship(order, [(rid, 3)], key=f"s-{order}")),
        ),
        threading.Thread(
            target=attempt,
            args=("release", lambda: shop.inventory.release(rid, key=f"rel-{order}")),
        ),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return outcomes


class InventoryMovementContract:
    """Shipping, returns, counts and adjustments keep their promises (in the service contract)."""

    writers: ClassVar[int] = 6

    # ----------------------------------------------------------- shipping and returns

    def test_shipping_consumes_reservation_and_on_hand(self, storage: Storage) -> None:
        """A partial then a full shipment: the reservation ends consumed, stock goes out."""
        shop = open_shop(storage)
        shop.receive(0, 0, 10)
        [reservation] = shop.inventory.reserve("O-1", _line(shop, 0, 4), key="r").reservations
        first = shop.inventory.ship("O-1", [(reservation.id, "1.5")], key="s1")
        second = shop.inventory.ship("O-1", [(reservation.id, "2.5")], key="s2")
        assert shop.inventory.ship("O-1", [(reservation.id, "1.5")], key="s1") == first
        assert [line.quantity for line in first.lines + second.lines] == [
            Decimal("1.5"),
            Decimal("2.5"),
        ]
        stored = shop.inventory.get_reservation(reservation.id)
        assert (stored.status, stored.shipped) == (ReservationStatus.CONSUMED, 4)
        stock = shop.inventory.availability([shop.products[0].id])[shop.products[0].id]
        assert (stock.on_hand, stock.reserved, stock.available) == (6, 0, 6)

    def test_shipping_more_than_reserved_is_rejected(self, storage: Storage) -> None:
        """Over-shipping raises OverShipment and changes nothing."""
        shop = open_shop(storage)
        shop.receive(0, 0, 10)
        [reservation] = shop.inventory.reserve("O-1", _line(shop, 0, 4), key="r").reservations
        shop.inventory.ship("O-1", [(reservation.id, 3)], key="s1")
        before = shop.snapshot("O-1")
        with pytest.raises(OverShipment) as raised:
            shop.inventory.ship("O-1", [(reservation.id, 2)], key="s2")
        assert raised.value.code == "over_shipment"
        with pytest.raises(ValidationError):
            shop.inventory.ship("O-2", [(reservation.id, 1)], key="s3")
        assert shop.snapshot("O-1") == before

    def test_returns_go_back_sellable_or_into_quarantine(self, storage: Storage) -> None:
        """Returned goods raise on hand or quarantine in the chosen warehouse."""
        shop = open_shop(storage)
        shop.receive(0, 0, 10)
        [reservation] = shop.inventory.reserve("O-1", _line(shop, 0, 4), key="r").reservations
        note = shop.inventory.ship("O-1", [(reservation.id, 4)], key="s")
        shop.inventory.receive_return(
            note.id, [(1, 1)], warehouse_id=shop.warehouses[1].id, sellable=True, key="b1"
        )
        shop.inventory.receive_return(
            note.id, [(1, 2)], warehouse_id=shop.warehouses[0].id, sellable=False, key="b2"
        )
        stock = shop.inventory.availability([shop.products[0].id])[shop.products[0].id]
        assert (stock.on_hand, stock.quarantine) == (7, 2)
        by_warehouse = {w.warehouse_id: w for w in stock.warehouses}
        assert by_warehouse[shop.warehouses[1].id].on_hand == 1
        assert by_warehouse[shop.warehouses[0].id].quarantine == 2
        assert shop.inventory.get_delivery_note(note.id).lines[0].returned == 3

    def test_returning_more_than_delivered_is_rejected(self, storage: Storage) -> None:
        """Over-returning raises OverReturn and changes nothing."""
        shop = open_shop(storage)
        shop.receive(0, 0, 10)
        [reservation] = shop.inventory.reserve("O-1", _line(shop, 0, 4), key="r").reservations
        note = shop.inventory.ship("O-1", [(reservation.id, 4)], key="s")
        wid = shop.warehouses[0].id
        shop.inventory.receive_return(note.id, [(1, 3)], warehouse_id=wid, sellable=True, key="b1")
        before = shop.snapshot("O-1", documents=((DeliveryNote, note.id),))
        with pytest.raises(OverReturn) as raised:
            shop.inventory.receive_return(
                note.id, [(1, 2)], warehouse_id=wid, sellable=True, key="b2"
            )
        assert raised.value.code == "over_return"
        with pytest.raises(ValidationError):
            shop.inventory.receive_return(
                note.id, [(2, 1)], warehouse_id=wid, sellable=True, key="b3"
            )
        assert shop.snapshot("O-1", documents=((DeliveryNote, note.id),)) == before

    # ----------------------------------------------------------- counts and adjustments

    def test_a_count_books_the_difference(self, storage: Storage) -> None:
        """Confirming a count posts counted - on hand as a count movement."""
        shop = open_shop(storage)
        shop.receive(0, 0, 10)
        shop.receive(1, 0, 3)
        count = shop.inventory.create_count(
            shop.warehouses[0].id, [(shop.products[0].id, "8.5"), (shop.products[1].id, 3)]
        )
        done = shop.inventory.confirm_count(count.id, key="c")
        assert [(x.on_hand_before, x.difference) for x in done.lines] == [
            (10, Decimal("-1.5")),
            (3, 0),
        ]
        counted = [m for m in shop.snapshot().movements if m.kind is MovementKind.COUNT]
        assert [(m.quantity, m.document_id) for m in counted] == [(Decimal("-1.5"), count.id)]
        assert shop.inventory.get_count(count.id).status.value == "confirmed"

    def test_a_count_below_reserved_needs_an_explicit_release(self, storage: Storage) -> None:
        """Refused below reserved; with release, exactly what is missing goes, newest first."""
        shop = open_shop(storage)
        shop.receive(0, 0, 10)
        first = shop.inventory.reserve("O-1", _line(shop, 0, 3), key="r1").reservations[0]
        shop.clock.advance(timedelta(seconds=1))
        second = shop.inventory.reserve("O-2", _line(shop, 0, 4), key="r2").reservations[0]
        count = shop.inventory.create_count(shop.warehouses[0].id, [(shop.products[0].id, 5)])
        before = shop.snapshot("O-1", "O-2", documents=((StockCount, count.id),))
        with pytest.raises(BelowReserved) as raised:
            shop.inventory.confirm_count(count.id, key="c1")
        assert raised.value.code == "below_reserved"
        assert shop.snapshot("O-1", "O-2", documents=((StockCount, count.id),)) == before
        done = shop.inventory.confirm_count(count.id, key="c2", release_reservations=True)
        assert done.released_reservations == (second.id,)  # the newest gives way first
        assert done.released_quantities == (Decimal(2),)  # exactly what is missing, not all of it
        assert shop.inventory.get_reservation(first.id).is_open
        assert shop.inventory.get_reservation(second.id).remaining == 2
        stock = shop.inventory.availability([shop.products[0].id])[shop.products[0].id]
        assert (stock.on_hand, stock.reserved) == (5, 5)

    def test_adjustments_need_a_reason_and_respect_reservations(self, storage: Storage) -> None:
        """Adjustments carry their reason; one below reserved or quarantine is refused."""
        shop = open_shop(storage)
        pid, wid = shop.products[0].id, shop.warehouses[0].id
        shop.receive(0, 0, 5)
        shop.inventory.reserve("O-1", _line(shop, 0, 4), key="r")
        moved = shop.inventory.adjust(pid, wid, -1, reason="broken in aisle 3", key="a1")
        assert (moved.reason, moved.kind, moved.quantity) == (
            "broken in aisle 3",
            MovementKind.ADJUSTMENT,
            -1,
        )
        before = shop.snapshot("O-1")
        with pytest.raises(BelowReserved):
            shop.inventory.adjust(pid, wid, -1, reason="lost", key="a2")
        with pytest.raises(NegativeStock):
            shop.inventory.adjust(
                pid, wid, -1, reason="lost", key="a3", bucket=StockBucket.QUARANTINE
            )
        with pytest.raises(ValidationError):
            shop.inventory.adjust(pid, wid, 1, reason=" ", key="a4")
        assert shop.snapshot("O-1") == before

    # ----------------------------------------------------------- rejections

    def test_unknown_products_and_warehouses_are_not_found(self, storage: Storage) -> None:
        """Unknown ids raise NotFound everywhere and change nothing."""
        shop = open_shop(storage)
        shop.receive(0, 0, 5)
        before = shop.snapshot("O-1")
        ghost, nowhere = ProductId("no-such-product"), WarehouseId("no-such-warehouse")
        pid, wid = shop.products[0].id, shop.warehouses[0].id
        calls: list[Callable[[], object]] = [
            lambda: shop.inventory.create_inbound_order(nowhere, [(pid, 1)]),
            lambda: shop.inventory.create_inbound_order(wid, [(ghost, 1)]),
            lambda: shop.inventory.reserve("O-1", [ReservationRequest("L1", ghost, 1)], key="k1"),
            lambda: shop.inventory.reserve(
                "O-1",
                _line(shop, 0, 1),
                key="k2",
                strategy=AllocationStrategy.PREFERRED_ONLY,
                preferred_warehouse=nowhere,
            ),
            lambda: shop.inventory.adjust(ghost, wid, 1, reason="x", key="k3"),
            lambda: shop.inventory.adjust(pid, nowhere, 1, reason="x", key="k4"),
            lambda: shop.inventory.create_count(nowhere, [(pid, 1)]),
            lambda: shop.inventory.availability([ghost]),
            lambda: shop.inventory.ship("O-1", [(ReservationId("no-such"), 1)], key="k5"),
        ]
        for call in calls:
            with pytest.raises(NotFound):
                call()
        assert shop.snapshot("O-1") == before

    def test_zero_negative_and_float_quantities_are_rejected(self, storage: Storage) -> None:
        """Zero, negative, too precise and float quantities are refused; nothing changes."""
        shop = open_shop(storage)
        shop.receive(0, 0, 5)
        before = shop.snapshot("O-1")
        pid, wid = shop.products[0].id, shop.warehouses[0].id
        for bad in (0, -1, "0.00001", "NaN"):
            with pytest.raises(ValidationError):
                shop.inventory.create_inbound_order(wid, [(pid, bad)])
            with pytest.raises(ValidationError):
                shop.inventory.reserve("O-1", _line(shop, 0, bad), key=f"r{bad}")
        with pytest.raises(FloatNotAllowed):
            shop.inventory.reserve("O-1", _line(shop, 0, 1.5), key="rf")  # type: ignore[arg-type]
        with pytest.raises(ValidationError):
            shop.inventory.adjust(pid, wid, 0, reason="nothing", key="a0")
        with pytest.raises(ValidationError):
            shop.inventory.create_count(wid, [(pid, -1)])
        assert shop.snapshot("O-1") == before

    def test_a_repeated_key_with_other_content_is_rejected(self, storage: Storage) -> None:
        """Reusing a key for different content raises DuplicateRequest; nothing changes."""
        shop = open_shop(storage)
        shop.receive(0, 0, 5)
        first = shop.inventory.reserve("O-1", _line(shop, 0, 2), key="k")
        assert shop.inventory.reserve("O-1", _line(shop, 0, "2.000"), key="k") == first
        before = shop.snapshot("O-1", "O-2")
        with pytest.raises(DuplicateRequest) as raised:
            shop.inventory.reserve("O-1", _line(shop, 0, 3), key="k")
        assert raised.value.code == "duplicate_request"
        with pytest.raises(DuplicateRequest):
            shop.inventory.reserve("O-2", _line(shop, 0, 2), key="k")
        with pytest.raises(DuplicateRequest):
            shop.inventory.adjust(
                shop.products[0].id, shop.warehouses[0].id, 1, reason="x", key="k"
            )
        assert shop.snapshot("O-1", "O-2") == before

    # ----------------------------------------------------------- queries and concurrency

    def test_availability_covers_many_products_in_one_call(self, storage: Storage) -> None:
        """Availability sums warehouses per product and lists each warehouse."""
        shop = open_shop(storage, products=3)
        shop.receive(0, 0, 5)
        shop.receive(0, 1, 2)
        shop.receive(1, 1, 1)
        shop.inventory.reserve("O-1", _line(shop, 0, 6), key="r")
        stock = shop.inventory.availability([p.id for p in shop.products])
        first, second, third = (stock[p.id] for p in shop.products)
        assert (first.on_hand, first.reserved, first.available) == (7, 6, 1)
        assert len(first.warehouses) == 2
        assert (second.available, third.available, third.warehouses) == (1, 0, ())

    def test_a_release_racing_a_shipment_gives_stock_back_once(self, storage: Storage) -> None:
        """Shipping and releasing one reservation at once: exactly one of them wins."""
        shop = open_shop(storage, products=1, warehouses=(1,))
        shop.receive(0, 0, 12)
        ids = []
        for n in range(4):
            [reservation] = shop.inventory.reserve(
                f"O-{n}", _line(shop, 0, 3), key=f"r-{n}"
            ).reservations
            ids.append(reservation.id)
            wins = _ship_and_release_at_once(shop, f"O-{n}", reservation.id)
            assert wins in (["ship"], ["release"]), wins
        with storage.unit_of_work(shop.tenant) as uow:
            notes = [
                m.document_id
                for m in all_movements(uow, shop.products[0].id)
                if m.kind is MovementKind.DELIVERY
            ]
            check_invariants(uow, [shop.products[0].id], ids, notes)
        stock = shop.inventory.availability([shop.products[0].id])[shop.products[0].id]
        assert stock.reserved == 0
        assert stock.on_hand == 12 - 3 * len(notes)

    def test_parallel_reservations_never_oversell(self, storage: Storage) -> None:
        """Threads reserving one hot product: reserved never exceeds what was received."""
        shop = open_shop(storage, products=1)
        shop.receive(0, 0, 5)
        shop.receive(0, 1, 4)
        barrier = threading.Barrier(self.writers)
        outcomes: list[str] = []

        def buy(n: int) -> None:
            barrier.wait(timeout=30)
            try:
                shop.inventory.reserve(f"O-{n}", _line(shop, 0, 2), key=f"buy-{n}")
                outcomes.append("reserved")
            except InsufficientStock:
                outcomes.append("short")

        run_threads(buy, self.writers, timeout=120)
        assert len(outcomes) == self.writers
        assert outcomes.count("reserved") == min(self.writers, 4)
        stock = shop.inventory.availability([shop.products[0].id])[shop.products[0].id]
        assert stock.reserved == 2 * outcomes.count("reserved")
        with storage.unit_of_work(shop.tenant) as uow:
            ids = [
                r.id
                for n in range(self.writers)
                for r in uow.reservations.for_order(f"O-{n}", open_only=False)
            ]
            check_invariants(uow, [shop.products[0].id], ids, [])
