# mypy: disable-error-code="comparison-overlap"
# (Decimal quantities are compared with int literals on purpose: Decimal(3) == 3.)
"""The inventory service contract (库存): receiving, reserving, shipping, returns and counts keep
their promises; rejections change nothing.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest

from crmkit.domain import (
    InvalidStateTransition,
)
from crmkit.domain.inventory import (
    AllocationStrategy,
    InboundOrder,
    InsufficientStock,
    MovementKind,
    ReservationStatus,
    ShortagePolicy,
)
from crmkit.services import Storage
from crmkit.services.inventory import ReservationRequest
from crmkit.testing.contracts.inventory_movements import InventoryMovementContract
from crmkit.testing.contracts.inventory_repositories import _line
from crmkit.testing.inventory_support import (
    T0,
    open_shop,
)


class InventoryServiceContract(InventoryMovementContract):
    """The inventory service keeps its promises on every storage; rejections change nothing."""

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
