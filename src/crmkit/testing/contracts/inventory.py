# mypy: disable-error-code="comparison-overlap"
# (Decimal quantities are compared with int literals on purpose: Decimal(3) == 3.)
"""The inventory contracts (库存): repositories, the service, and a stateful ledger test."""

from __future__ import annotations

import threading
from collections.abc import Callable
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
    InboundOrder,
    InsufficientStock,
    Movement,
    MovementKind,
    NegativeStock,
    OverReturn,
    OverShipment,
    ReservationId,
    ReservationStatus,
    ShortagePolicy,
    StockBucket,
    StockCount,
    StockLevel,
    WarehouseId,
)
from crmkit.services import Storage, UnitOfWork
from crmkit.services.inventory import ReservationRequest
from crmkit.testing.contracts.inventory_batches import InventoryBatchContract
from crmkit.testing.contracts.support import canonical
from crmkit.testing.inventory_support import (
    T0,
    Shop,
    all_movements,
    check_invariants,
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


class InventoryServiceContract:
    """The inventory service keeps its promises on every storage; rejections change nothing."""

    writers: ClassVar[int] = 6

    # ----------------------------------------------------------- receipts

    def test_confirming_an_inbound_order_posts_once(self, storage: Storage) -> None:
        """Confirm posts one receipt per line; the same key replays, another is refused."""
        shop = open_shop(storage)
        order = shop.inventory.create_inbound_order(
            shop.warehouses[0].id,
            [(shop.products[0].id, "2.5"), (shop.products[1].id, 4)],
            note="PO 17",
        )
        confirmed = shop.inventory.confirm_inbound_order(order.id, key="in-1")
        assert shop.inventory.confirm_inbound_order(order.id, key="in-1") == confirmed
        before = shop.snapshot(documents=((InboundOrder, order.id),))
        with pytest.raises(InvalidStateTransition):
            shop.inventory.confirm_inbound_order(order.id, key="in-2")
        with pytest.raises(InvalidStateTransition):
            shop.inventory.cancel_inbound_order(order.id)
        assert shop.snapshot(documents=((InboundOrder, order.id),)) == before
        moves = before.movements
        assert sorted(m.quantity for m in moves) == [Decimal("2.5"), Decimal(4)]
        assert {(m.kind, m.document_id, m.request_key) for m in moves} == {
            (MovementKind.RECEIPT, order.id, "in-1")
        }
        stock = shop.inventory.availability([p.id for p in shop.products])
        assert stock[shop.products[0].id].on_hand == Decimal("2.5")

    def test_a_cancelled_inbound_order_posts_nothing(self, storage: Storage) -> None:
        """Cancelling a draft posts nothing; it cannot be confirmed afterwards."""
        shop = open_shop(storage)
        order = shop.inventory.create_inbound_order(
            shop.warehouses[0].id, [(shop.products[0].id, 3)]
        )
        shop.inventory.cancel_inbound_order(order.id)
        with pytest.raises(InvalidStateTransition):
            shop.inventory.confirm_inbound_order(order.id, key="in")
        assert shop.snapshot().movements == ()

    # ----------------------------------------------------------- allocation

    def test_priority_strategy_splits_across_warehouses(self, storage: Storage) -> None:
        """Priority order first: W1 (priority 1) is drained before W0 (priority 2)."""
        shop = open_shop(storage, warehouses=(2, 1))
        shop.receive(0, 0, 5)
        shop.receive(0, 1, 3)
        result = shop.inventory.reserve("O-1", _line(shop, 0, 6), key="r")
        parts = [(r.warehouse_id, r.quantity) for r in result.reservations]
        assert parts == [(shop.warehouses[1].id, 3), (shop.warehouses[0].id, 3)]
        assert result.backorders == ()

    def test_preferred_only_takes_from_one_warehouse(self, storage: Storage) -> None:
        """PREFERRED_ONLY reserves in the named warehouse only; the rest is backordered."""
        shop = open_shop(storage)
        shop.receive(0, 0, 5)
        shop.receive(0, 1, 5)
        result = shop.inventory.reserve(
            "O-1",
            _line(shop, 0, 7),
            key="r",
            strategy=AllocationStrategy.PREFERRED_ONLY,
            preferred_warehouse=shop.warehouses[1].id,
            policy=ShortagePolicy.PARTIAL,
        )
        assert [(r.warehouse_id, r.quantity) for r in result.reservations] == [
            (shop.warehouses[1].id, 5)
        ]
        assert [(b.line_id, b.quantity) for b in result.backorders] == [("L1", 2)]

    def test_fewest_warehouses_prefers_one_that_covers_all(self, storage: Storage) -> None:
        """FEWEST_WAREHOUSES picks the single warehouse that can cover the line."""
        shop = open_shop(storage, warehouses=(1, 2, 3))
        shop.receive(0, 0, 2)
        shop.receive(0, 1, 3)
        shop.receive(0, 2, 6)
        result = shop.inventory.reserve(
            "O-1", _line(shop, 0, 5), key="r", strategy=AllocationStrategy.FEWEST_WAREHOUSES
        )
        assert [(r.warehouse_id, r.quantity) for r in result.reservations] == [
            (shop.warehouses[2].id, 5)
        ]

    def test_inactive_warehouses_get_no_reservations(self, storage: Storage) -> None:
        """Stock in a deactivated warehouse is not allocated."""
        shop = open_shop(storage)
        shop.receive(0, 0, 5)
        shop.receive(0, 1, 5)
        shop.inventory.update_warehouse(shop.warehouses[0].id, active=False)
        result = shop.inventory.reserve(
            "O-1", _line(shop, 0, 6), key="r", policy=ShortagePolicy.PARTIAL
        )
        assert {r.warehouse_id for r in result.reservations} == {shop.warehouses[1].id}
        assert result.backorders[0].quantity == 1

    def test_all_or_nothing_shortage_reserves_nothing(self, storage: Storage) -> None:
        """A line that cannot be covered raises InsufficientStock; nothing changes."""
        shop = open_shop(storage)
        shop.receive(0, 0, 2)
        shop.receive(1, 0, 9)
        before = shop.snapshot("O-1")
        lines = [
            ReservationRequest("L1", shop.products[1].id, 3),
            ReservationRequest("L2", shop.products[0].id, 3),
        ]
        with pytest.raises(InsufficientStock) as raised:
            shop.inventory.reserve("O-1", lines, key="r")
        assert raised.value.code == "insufficient_stock"
        assert shop.snapshot("O-1") == before

    def test_partial_policy_reports_the_backorder(self, storage: Storage) -> None:
        """PARTIAL reserves what there is and reports the rest per line."""
        shop = open_shop(storage)
        shop.receive(0, 0, "1.5")
        result = shop.inventory.reserve(
            "O-1", _line(shop, 0, 4), key="r", policy=ShortagePolicy.PARTIAL
        )
        assert sum(r.quantity for r in result.reservations) == Decimal("1.5")
        assert [(b.product_id, b.quantity) for b in result.backorders] == [
            (shop.products[0].id, Decimal("2.5"))
        ]
        stock = shop.inventory.availability([shop.products[0].id])[shop.products[0].id]
        assert (stock.reserved, stock.available) == (Decimal("1.5"), 0)

    # ----------------------------------------------------------- release and expiry

    def test_a_reservation_is_released_exactly_once(self, storage: Storage) -> None:
        """Release gives stock back; the same key replays, another key is refused."""
        shop = open_shop(storage)
        shop.receive(0, 0, 5)
        [reservation] = shop.inventory.reserve("O-1", _line(shop, 0, 3), key="r").reservations
        released = shop.inventory.release(reservation.id, key="rel-1")
        assert (released.status, released.released) == (ReservationStatus.RELEASED, 3)
        assert shop.inventory.release(reservation.id, key="rel-1") == released
        before = shop.snapshot("O-1")
        with pytest.raises(InvalidStateTransition):
            shop.inventory.release(reservation.id, key="rel-2")
        assert shop.snapshot("O-1") == before
        stock = shop.inventory.availability([shop.products[0].id])[shop.products[0].id]
        assert (stock.reserved, stock.available) == (0, 5)

    def test_release_order_releases_every_open_line(self, storage: Storage) -> None:
        """release_order frees the order's open reservations and leaves consumed ones."""
        shop = open_shop(storage)
        shop.receive(0, 0, 5)
        shop.receive(1, 0, 5)
        lines = [
            ReservationRequest("L1", shop.products[0].id, 2),
            ReservationRequest("L2", shop.products[1].id, 2),
        ]
        result = shop.inventory.reserve("O-1", lines, key="r")
        shop.inventory.ship("O-1", [(result.reservations[0].id, 2)], key="s")
        released = shop.inventory.release_order("O-1", key="ro")
        assert [r.line_id for r in released] == ["L2"]
        assert shop.inventory.open_reservations("O-1") == ()
        assert shop.inventory.release_order("O-1", key="ro") == released
        assert shop.inventory.release_order("O-1", key="ro-again") == ()

    def test_expired_reservations_are_released(self, storage: Storage) -> None:
        """After the clock passes the expiry, release_expired frees the stock, once."""
        shop = open_shop(storage)
        shop.receive(0, 0, 5)
        shop.inventory.reserve(
            "O-1", _line(shop, 0, 2), key="r1", expires_at=T0 + timedelta(minutes=10)
        )
        shop.inventory.reserve("O-2", _line(shop, 0, 1), key="r2")
        assert shop.inventory.release_expired() == ()
        shop.clock.advance(timedelta(minutes=10))
        [expired] = shop.inventory.release_expired()
        assert (expired.order_id, expired.status) == ("O-1", ReservationStatus.EXPIRED)
        assert shop.inventory.release_expired() == ()
        stock = shop.inventory.availability([shop.products[0].id])[shop.products[0].id]
        assert (stock.reserved, stock.available) == (1, 4)
        before = shop.snapshot("O-1", "O-2")
        late = shop.inventory.release(expired.id, key="late")  # a no-op that says so
        assert late.status is ReservationStatus.EXPIRED
        assert shop.snapshot("O-1", "O-2") == before

    def test_an_expired_reservation_stops_counting_before_any_sweep(self, storage: Storage) -> None:
        """From its expiry it is neither shown as reserved nor blocks a new reservation."""
        shop = open_shop(storage)
        shop.receive(0, 0, 5)
        shop.inventory.reserve(
            "O-1", _line(shop, 0, 4), key="r1", expires_at=T0 + timedelta(minutes=10)
        )
        shop.clock.advance(timedelta(minutes=10))
        stock = shop.inventory.availability([shop.products[0].id])[shop.products[0].id]
        assert (stock.reserved, stock.available) == (0, 5)
        shop.inventory.reserve("O-2", _line(shop, 0, 5), key="r2")
        assert shop.inventory.release_expired() == ()  # the reserve expired it already
        [old] = shop.snapshot("O-1").reservations
        assert old.status is ReservationStatus.EXPIRED

    def test_an_expired_reservation_cannot_ship(self, storage: Storage) -> None:
        """Shipping against a reservation past its expiry is refused; nothing changes."""
        shop = open_shop(storage)
        shop.receive(0, 0, 5)
        [reservation] = shop.inventory.reserve(
            "O-1", _line(shop, 0, 2), key="r", expires_at=T0 + timedelta(minutes=1)
        ).reservations
        shop.clock.advance(timedelta(minutes=2))
        before = shop.snapshot("O-1")
        with pytest.raises(InvalidStateTransition):
            shop.inventory.ship("O-1", [(reservation.id, 1)], key="s")
        assert shop.snapshot("O-1") == before

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

        threads = [threading.Thread(target=buy, args=(n,)) for n in range(self.writers)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)
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


__all__ = ["InventoryRepositoryContract", "InventoryServiceContract"]
