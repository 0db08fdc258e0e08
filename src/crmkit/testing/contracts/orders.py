"""The order lifecycle contract: every command in one unit of work, every rejection
changing nothing, the outbox and its consumers, numbers and listings, on every backend."""

from __future__ import annotations

from datetime import timedelta

import pytest

from crmkit.adapters.clock import FixedClock
from crmkit.domain import (
    DuplicateRequest,
    NotFound,
    ProductId,
    ValidationError,
)
from crmkit.domain.account_errors import HoldExpired, InsufficientFunds
from crmkit.domain.accounts import Fund, HoldStatus
from crmkit.domain.inventory import InsufficientStock
from crmkit.domain.order_lifecycle import (
    DeliveryExceedsOrdered,
    EmptyOrder,
    OrderTransitionNotAllowed,
    ReservationExpired,
    ReturnExceedsDelivered,
)
from crmkit.domain.outbox import EventName
from crmkit.domain.sales_order import SalesOrderStatus
from crmkit.services import Storage
from crmkit.services.orders import OrderLineInput
from crmkit.testing.contracts.order_rules import D, OrderRulesContract, names, unchanged
from crmkit.testing.order_support import (
    CUSTOMER,
    T0,
    check_world,
    open_world,
)

__all__ = ["D", "OrderServiceContract", "names", "unchanged"]


class OrderServiceContract(OrderRulesContract):
    """Every storage runs the order lifecycle identically, atomically and idempotently."""

    def test_confirm_holds_funds_and_reserves_stock_in_one_command(self, storage: Storage) -> None:
        """Confirm holds the order's gross, reserves every line and writes its events."""
        world = open_world(storage, stock=(("2", "100", "100"), ("50", "50", "50")))
        outcome = world.confirmed(5, "2.5", 1)
        order = outcome.order
        assert order.status is SalesOrderStatus.CONFIRMED
        assert order.number == "SO-2026-000001"
        assert names(outcome.events) == [
            EventName.FUNDS_HELD,
            EventName.STOCK_RESERVED,
            EventName.CONFIRMED,
        ]
        reserved = outcome.events[1].data()["reservations"]
        assert [(r["line_no"], r["quantity"]) for r in reserved][:2] == [
            (1, "2"),
            (1, "3"),
        ]
        holds = world.accounts.holds_of_order(world.account_id, order.id)
        assert sum((h.amount for h in holds), D(0)) == order.totals().gross
        check_world(world.state())

    def test_claiming_a_series_never_advances_it(self, storage: Storage) -> None:
        """A claim (taken first by every order command) leaves the numbers to ``take``."""
        world = open_world(storage)
        for claims, count, expected in ((2, 1, 1), (1, 2, 3)):
            with storage.unit_of_work(world.tenant) as uow:
                for _ in range(claims):
                    uow.counters.claim("test-series")
                assert uow.counters.take("test-series", count) == expected
                uow.commit()

    def test_a_retried_confirm_returns_the_first_result(self, storage: Storage) -> None:
        """The same key returns the first run's events and changes nothing more."""
        world = open_world(storage)
        order = world.order(1, 1)
        first = world.orders.confirm(order.id, key="confirm-1")
        before = world.state()
        again = world.orders.confirm(order.id, key="confirm-1")
        assert [e.position for e in again.events] == [e.position for e in first.events]
        assert world.state() == before

    def test_a_replay_returns_the_order_as_the_first_run_left_it(self, storage: Storage) -> None:
        """A confirm repeated after a delivery returns the confirmed order, not today's."""
        world = open_world(storage)
        order = world.order(2, 1)
        first = world.orders.confirm(order.id, key="confirm-then")
        world.orders.deliver(order.id, {1: 1}, key="deliver-later")
        again = world.orders.confirm(order.id, key="confirm-then")
        assert again.order == first.order
        assert again.order.status is SalesOrderStatus.CONFIRMED
        assert world.orders.get_order(order.id).status is SalesOrderStatus.PARTIALLY_DELIVERED

    def test_the_same_key_for_another_order_is_refused(self, storage: Storage) -> None:
        """Confirming twice with different content under one key changes nothing."""
        world = open_world(storage)
        first, second = world.order(1), world.order(2)
        world.orders.confirm(first.id, key="confirm-k")
        unchanged(world, DuplicateRequest, lambda: world.orders.confirm(second.id, key="confirm-k"))

    def test_confirming_a_confirmed_order_is_refused(self, storage: Storage) -> None:
        """A second confirm with a new key names the order and changes nothing."""
        world = open_world(storage)
        order = world.confirmed(1).order
        unchanged(
            world,
            OrderTransitionNotAllowed,
            lambda: world.orders.confirm(order.id, key="again"),
        )

    def test_rejections_at_creation_change_nothing(self, storage: Storage) -> None:
        """Unknown product, inactive product and an empty order are refused."""
        world = open_world(storage)
        create = world.orders.create_order
        unchanged(
            world,
            NotFound,
            lambda: create(
                CUSTOMER, [OrderLineInput(ProductId("nope"), 1)], currency="CNY", key="c1"
            ),
        )
        unchanged(world, EmptyOrder, lambda: create(CUSTOMER, [], currency="CNY", key="c2"))
        world.catalog.deactivate_product(world.products[0].id)
        line = OrderLineInput(world.products[0].id, 1)
        unchanged(
            world, ValidationError, lambda: create(CUSTOMER, [line], currency="CNY", key="c3")
        )

    def test_confirm_with_an_inactive_product_is_refused(self, storage: Storage) -> None:
        """A product deactivated after the order was created stops its confirm."""
        world = open_world(storage)
        order = world.order(1, 1)
        world.catalog.deactivate_product(world.products[1].id)
        unchanged(world, ValidationError, lambda: world.orders.confirm(order.id, key="k"))

    def test_shortfall_of_funds_changes_nothing(self, storage: Storage) -> None:
        """An account that cannot pay refuses the confirm with the shortfall."""
        world = open_world(storage, prepayment="20.00")
        order = world.order(5)
        unchanged(world, InsufficientFunds, lambda: world.orders.confirm(order.id, key="k"))

    def test_shortfall_of_stock_changes_nothing(self, storage: Storage) -> None:
        """A line that cannot be reserved in full refuses the confirm; no money is held."""
        world = open_world(storage, stock=(("1", "1", "1"), ("1", "0", "0")))
        order = world.order(3)
        unchanged(world, InsufficientStock, lambda: world.orders.confirm(order.id, key="k"))

    def test_deliveries_post_shares_and_the_last_the_remainders(self, storage: Storage) -> None:
        """Partial deliveries post line shares; the last one leaves the holds fully posted."""
        world = open_world(storage)
        order = world.confirmed(3, "2.5", 1).order
        first = world.orders.deliver(order.id, {1: 1, 2: "1"}, key="d1")
        assert first.order.status is SalesOrderStatus.PARTIALLY_DELIVERED
        amounts = order.amounts()
        expected = (amounts[0].gross / 3 + amounts[1].gross / D("2.5")).quantize(D("0.01"))
        assert D(first.events[1].data()["amount"]) == pytest.approx(expected, abs=D("0.01"))
        world.orders.deliver(order.id, {1: 1}, key="d2")
        last = world.orders.deliver(order.id, {1: 1, 2: "1.5", 3: 1}, key="d3")
        assert last.order.status is SalesOrderStatus.DELIVERED
        holds = world.accounts.holds_of_order(world.account_id, order.id)
        assert all(h.status is HoldStatus.RESOLVED for h in holds)
        assert sum((h.posted for h in holds), D(0)) == order.totals().gross
        assert [d.number for d in last.order.documents] == [
            "DN-2026-000001",
            "DN-2026-000002",
            "DN-2026-000003",
        ]
        check_world(world.state())

    def test_delivering_more_than_ordered_changes_nothing(self, storage: Storage) -> None:
        """A line shipped beyond what is left to deliver is refused."""
        world = open_world(storage)
        order = world.confirmed(2).order
        world.orders.deliver(order.id, {1: 1}, key="d1")
        unchanged(
            world, DeliveryExceedsOrdered, lambda: world.orders.deliver(order.id, {1: 2}, key="d2")
        )
        unchanged(world, ValidationError, lambda: world.orders.deliver(order.id, {7: 1}, key="d3"))
        unchanged(world, ValidationError, lambda: world.orders.deliver(order.id, {}, key="d4"))

    def test_delivering_against_an_expired_reservation_is_refused(self, storage: Storage) -> None:
        """After the reservation's expiry a delivery raises the expiry error."""
        clock = FixedClock(T0)
        world = open_world(storage, clock=clock)
        order = world.order(1)
        world.orders.confirm(order.id, key="c", reserve_until=T0 + timedelta(hours=1))
        clock.advance(timedelta(hours=2))
        unchanged(
            world, ReservationExpired, lambda: world.orders.deliver(order.id, {1: 1}, key="d")
        )

    def test_delivering_after_the_holds_expired_is_refused(self, storage: Storage) -> None:
        """After the holds' expiry a delivery raises the hold expiry error."""
        clock = FixedClock(T0)
        world = open_world(storage, clock=clock)
        order = world.order(1)
        world.orders.confirm(order.id, key="c", hold_until=T0 + timedelta(hours=1))
        clock.advance(timedelta(hours=2))
        unchanged(world, HoldExpired, lambda: world.orders.deliver(order.id, {1: 1}, key="d"))

    def test_return_takes_goods_back_and_credits_the_funds(self, storage: Storage) -> None:
        """A return puts stock back and credits each fund in the proportion it was taken."""
        world = open_world(storage, prepayment="20.00", credit_limit="1000.00")
        order = world.confirmed(4).order  # 45.20: 20.00 prepayment, 25.20 credit
        world.orders.deliver(order.id, {1: 4}, key="d1")
        before = world.accounts.get_account(world.account_id)
        back = world.orders.return_goods(
            order.id, {1: 2}, warehouse_id=world.warehouses[0].id, sellable=True, key="r1"
        )
        assert names(back.events) == [EventName.RETURNED, EventName.CREDITED_BACK]
        assert back.order.lines[0].returned == 2
        assert back.order.documents[-1].number == "RO-2026-000001"
        after = world.accounts.get_account(world.account_id)
        assert after.fund(Fund.PREPAYMENT).balance - before.fund(Fund.PREPAYMENT).balance == D(
            "10.00"
        )
        assert before.credit_used - after.credit_used == D("12.60")
        check_world(world.state())
        unchanged(
            world,
            ReturnExceedsDelivered,
            lambda: world.orders.return_goods(
                order.id, {1: 3}, warehouse_id=world.warehouses[0].id, sellable=False, key="r2"
            ),
        )

    def test_cancel_releases_holds_and_reservations(self, storage: Storage) -> None:
        """Cancel voids every hold and releases every reservation of the order."""
        world = open_world(storage)
        order = world.confirmed(2, 2, 2).order
        cancelled = world.orders.cancel(order.id, key="x1")
        assert cancelled.order.status is SalesOrderStatus.CANCELLED
        assert names(cancelled.events) == [EventName.RELEASED, EventName.CANCELLED]
        account = world.accounts.get_account(world.account_id)
        assert account.fund(Fund.PREPAYMENT).held == 0
        assert all(x.reserved == 0 for x in world.state().levels)
        check_world(world.state())

    def test_cancel_after_a_delivery_is_refused_and_close_ends_it(self, storage: Storage) -> None:
        """A delivered-from order cannot be cancelled; close releases the rest."""
        world = open_world(storage)
        order = world.confirmed(2, 2).order
        world.orders.deliver(order.id, {1: 1}, key="d1")
        unchanged(world, OrderTransitionNotAllowed, lambda: world.orders.cancel(order.id, key="x"))
        closed = world.orders.close(order.id, key="close")
        assert closed.order.status is SalesOrderStatus.CLOSED
        assert world.accounts.get_account(world.account_id).fund(Fund.PREPAYMENT).held == 0
        assert all(x.reserved == 0 for x in world.state().levels)
        check_world(world.state())
