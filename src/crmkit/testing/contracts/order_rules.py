"""The second half of the order lifecycle contract: approval, tenancy, hostile arguments,
the outbox and its consumers, numbers and listings, conversion and expiring holds.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from decimal import Decimal

import pytest

from crmkit.adapters.clock import FixedClock
from crmkit.domain import (
    CrmkitError,
    InvalidStateTransition,
    Money,
    NotFound,
    ValidationError,
    new_id,
)
from crmkit.domain.account_errors import HoldExpired, InsufficientFunds
from crmkit.domain.accounts import Fund
from crmkit.domain.approval import ApprovalRule
from crmkit.domain.deduction import OrderLine
from crmkit.domain.outbox import EventName, NumberPatterns
from crmkit.domain.sales_order import SalesOrderStatus
from crmkit.services import Storage, account_steps
from crmkit.services.accounts import EXPIRED_HOLD
from crmkit.services.orders import OrderLineInput, OrderService
from crmkit.services.quotes import LineInput
from crmkit.testing.order_support import (
    CUSTOMER,
    T0,
    OrderWorld,
    check_world,
    open_world,
)

D = Decimal


def unchanged(world: OrderWorld, error: type[CrmkitError], action: Callable[[], object]) -> None:
    """``action`` raises ``error`` and the stored state is the same before and after."""
    before = world.state()
    with pytest.raises(error):
        action()
    assert world.state() == before
    check_world(before)


def names(outcome_events: object) -> list[str]:
    return [e.name for e in outcome_events]  # type: ignore[attr-defined]


class OrderRulesContract:
    """Approval, numbering, listing, the outbox and expiring holds (in the order contract)."""

    def test_approval_rule_stops_at_pending_until_approved(self, storage: Storage) -> None:
        """Credit beyond the declared share waits for approval; reject and approve work."""
        rule = ApprovalRule(credit_share_percent=50)
        world = open_world(storage, prepayment="0", credit_limit="100.00", approval=rule)
        order = world.order(5)  # 56.50 of credit > 50 % of 100
        pending = world.orders.confirm(order.id, key="c1")
        assert pending.order.status is SalesOrderStatus.PENDING_APPROVAL
        assert pending.order.approval_reasons
        assert not world.accounts.holds_of_order(world.account_id, order.id)
        world.orders.reject(order.id, "too much credit", key="rej")
        world.orders.confirm(order.id, key="c2")
        approved = world.orders.approve(order.id, key="ok")
        assert approved.order.status is SalesOrderStatus.CONFIRMED
        assert approved.order.approved
        check_world(world.state())

    def test_another_tenants_order_is_not_found(self, storage: Storage) -> None:
        """Commands on another tenant's order raise NotFound and change nothing."""
        world, other = open_world(storage), open_world(storage)
        order = world.confirmed(1).order
        unchanged(world, NotFound, lambda: other.orders.deliver(order.id, {1: 1}, key="d"))
        unchanged(world, NotFound, lambda: other.orders.cancel(order.id, key="x"))

    def test_hostile_arguments_are_refused(self, storage: Storage) -> None:
        """Bad types and forms raise ValidationError and change nothing."""
        world = open_world(storage)
        order = world.confirmed(1).order
        bad: list[Callable[[], object]] = [
            lambda: world.orders.confirm(123, key="k"),  # type: ignore[arg-type]
            lambda: world.orders.confirm({"$gt": ""}, key="k"),  # type: ignore[arg-type]
            lambda: world.orders.deliver(order.id, [1], key="k"),  # type: ignore[arg-type]
            lambda: world.orders.deliver(order.id, {"1": 1}, key="k"),  # type: ignore[dict-item]
            lambda: world.orders.deliver(order.id, {1: 1.5}, key="k"),
            lambda: world.orders.deliver(order.id, {1: -1}, key="k"),
            lambda: world.orders.cancel(order.id, key=""),
            lambda: world.orders.list_orders(limit=0),
            lambda: world.outbox.acknowledge("erp", -1),
            lambda: world.outbox.read("", limit=10),
        ]
        for action in bad:
            unchanged(world, ValidationError, action)

    def test_outbox_consumers_keep_their_own_positions(self, storage: Storage) -> None:
        """Each consumer acknowledges alone, resumes after its position, sees all events."""
        world = open_world(storage)
        order = world.confirmed(1).order
        world.orders.deliver(order.id, {1: 1}, key="d1")
        erp = world.outbox.read("erp", limit=100)
        assert [e.position for e in erp] == list(range(1, len(erp) + 1))
        mine = [e.name for e in erp if e.aggregate_id == order.id]
        assert mine == [
            EventName.ORDER_CREATED,
            EventName.FUNDS_HELD,
            EventName.STOCK_RESERVED,
            EventName.CONFIRMED,
            EventName.DELIVERED,
            EventName.FUNDS_POSTED,
            EventName.DELIVERED,
        ]
        assert world.outbox.acknowledge("erp", 3) == 3
        assert world.outbox.acknowledge("erp", 2) == 3  # never backwards
        assert world.outbox.read("erp")[0].position == 4
        assert len(world.outbox.read("bi")) == len(erp)
        assert erp[0].data()["schema_version"] == 1

    def test_numbers_follow_the_tenant_pattern_and_find_the_order(self, storage: Storage) -> None:
        """A tenant's pattern shapes its numbers; an order is found by its number."""
        world = open_world(storage)
        custom = OrderService(
            lambda: storage.unit_of_work(world.tenant),
            world.clock,
            numbers=NumberPatterns({"sales_order": "A{n:04d}"}),
        )
        line = OrderLineInput(world.products[0].id, 1)
        made = custom.create_order(CUSTOMER, [line], currency="CNY", key="n1").order
        assert made.number == "A0001"
        assert world.orders.get_order_by_number("A0001") == made
        with pytest.raises(NotFound):
            world.orders.get_order_by_number("A0002")

    def test_orders_are_listed_and_paged(self, storage: Storage) -> None:
        """Orders page by creation time and filter by customer, status and date."""
        world = open_world(storage)
        made = []
        for n in range(5):
            world.clock.advance(timedelta(minutes=1))
            made.append(world.order(n + 1))
        world.orders.confirm(made[1].id, key="c")
        first = world.orders.list_orders(limit=2)
        assert [o.id for o in first.items] == [made[0].id, made[1].id]
        assert first.next_cursor is not None
        rest = world.orders.list_orders(limit=10, cursor=first.next_cursor)
        assert [o.id for o in rest.items] == [o.id for o in made[2:]]
        confirmed = world.orders.list_orders(status=SalesOrderStatus.CONFIRMED)
        assert [o.id for o in confirmed.items] == [made[1].id]
        since = world.orders.list_orders(since=made[3].created_at, customer=CUSTOMER.account_id)
        assert [o.id for o in since.items] == [made[3].id, made[4].id]
        assert not world.orders.list_orders(customer="someone-else").items

    def test_a_converted_quote_becomes_a_numbered_order(self, storage: Storage) -> None:
        """Converting an accepted quote gives the order a number and an event."""
        world = open_world(storage)
        quote = world.quotes.create_quote(
            CUSTOMER, currency="CNY", valid_until=T0 + timedelta(days=10)
        )
        world.quotes.add_lines(quote.id, [LineInput(world.products[0].id, 2)])
        world.quotes.send(quote.id)
        world.quotes.accept(quote.id)
        order = world.quotes.convert_to_order(quote.id, request_key=f"conv-{new_id()}")
        assert order.number == "SO-2026-000001"
        confirmed = world.orders.confirm(order.id, key="c")
        assert confirmed.order.lines[0].unit_price == D("10.00")
        events = world.outbox.read("erp")
        assert events[0].name == EventName.ORDER_CREATED
        assert events[0].data()["quote_id"] == quote.id

    def test_a_count_below_reserved_backorders_part_of_an_order(self, storage: Storage) -> None:
        """A count takes back exactly what is missing; the order stays confirmed, backordered."""
        world = open_world(storage, stock=(("5", "9", "9"),))
        order = world.confirmed(4).order
        product, warehouse = world.products[0].id, world.warehouses[0].id
        count = world.inventory.create_count(warehouse, [(product, 2)])
        done = world.inventory.confirm_count(count.id, key="count", release_reservations=True)
        assert done.released_quantities == (D(2),)
        assert world.orders.get_order(order.id).status is SalesOrderStatus.CONFIRMED
        assert world.orders.backorders(order.id) == {1: 2}
        told = [e for e in world.outbox.read("erp") if e.name == EventName.RESERVATION_RELEASED]
        assert [(e.aggregate_id, e.data()["quantity"]) for e in told] == [(order.id, "2")]
        unchanged(
            world,
            InvalidStateTransition,
            lambda: world.orders.deliver(order.id, {1: 3}, key="d1"),
        )
        world.orders.deliver(order.id, {1: 2}, key="d2")
        check_world(world.state())

    def test_expired_holds_stop_counting_before_any_sweep(self, storage: Storage) -> None:
        """Funds held by an expired hold pay the next confirm without a sweep having run."""
        clock = FixedClock(T0)
        world = open_world(storage, prepayment="40.00", clock=clock)
        first, second = world.order(3), world.order(3)  # 33.90 each
        world.orders.confirm(first.id, key="c1", hold_until=T0 + timedelta(hours=1))
        unchanged(world, InsufficientFunds, lambda: world.orders.confirm(second.id, key="c2"))
        clock.advance(timedelta(hours=2))
        funds = world.accounts.fund_summaries(world.account_id)[Fund.PREPAYMENT]
        assert (funds.held, funds.available) == (D(0), D("40.00"))  # before any sweep
        world.orders.confirm(second.id, key="c3")
        holds = world.accounts.holds_of_order(world.account_id, first.id)
        assert [h.voided for h in holds] == [D("33.90")]
        assert world.accounts.expire_holds() == []  # nothing left for the sweep
        unchanged(world, HoldExpired, lambda: world.orders.deliver(first.id, {1: 1}, key="d"))

    def test_every_expired_hold_of_the_account_is_voided_past_one_batch(
        self, storage: Storage, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """A command voids all of its account's expired holds, batch after batch."""
        monkeypatch.setattr(account_steps, "EXPIRED_HOLD_SCAN", 2)
        clock = FixedClock(T0)
        world = open_world(storage, prepayment="50.00", clock=clock)
        expiring = [world.order(1) for _ in range(3)]  # 11.30 each
        for n, order in enumerate(expiring):
            world.orders.confirm(order.id, key=f"c{n}", hold_until=T0 + timedelta(hours=1))
        clock.advance(timedelta(hours=2))
        world.orders.confirm(world.order(1).id, key="c-last")
        for order in expiring:
            holds = world.accounts.holds_of_order(world.account_id, order.id)
            assert [h.voided for h in holds] == [D("11.30")]
        assert world.accounts.expire_holds() == []

    def test_expired_holds_stop_counting_in_every_read(self, storage: Storage) -> None:
        """Balances, statements, grants and deduction previews leave expired holds out."""
        clock = FixedClock(T0)
        world = open_world(storage, prepayment="40.00", clock=clock)
        order = world.order(3)  # 33.90
        world.orders.confirm(order.id, key="c1", hold_until=T0 + timedelta(hours=1))
        assert world.accounts.get_account(world.account_id).prepayment_held == D("33.90")
        clock.advance(timedelta(hours=2))  # no sweep runs
        account = world.accounts.get_account(world.account_id)
        assert (account.prepayment_balance, account.prepayment_held) == (D("40.00"), D(0))
        found = world.accounts.find_account(CUSTOMER.account_id, "CNY")
        assert found == account
        closing = world.accounts.statement(world.account_id).closing[Fund.PREPAYMENT]
        assert (closing.balance, closing.held) == (D("40.00"), D(0))
        assert all(g.held == 0 for g in world.accounts.rebate_grants(world.account_id))
        line = OrderLine(world.products[0].id, "tea", Money(D("40.00"), "CNY"))
        plan = world.accounts.preview_deduction(world.account_id, Money(D("40.00"), "CNY"), [line])
        assert plan.cash_due == 0

    def test_voiding_an_expired_hold_says_so_and_releases_once(self, storage: Storage) -> None:
        """Before and after the sweep, a void of an expired hold is a no-op that says so."""
        clock = FixedClock(T0)
        world = open_world(storage, prepayment="40.00", clock=clock)
        first, second = world.order(1), world.order(1)
        for n, order in enumerate((first, second)):
            world.orders.confirm(order.id, key=f"c{n}", hold_until=T0 + timedelta(hours=1))
        one, two = (
            world.accounts.holds_of_order(world.account_id, o.id)[0] for o in (first, second)
        )
        clock.advance(timedelta(hours=2))
        voided = world.accounts.void_hold(one.id, key="v1")  # no sweep ran yet
        assert voided.explanation[0].startswith(EXPIRED_HOLD)
        assert [e.held_delta for e in voided.entries] == [-one.amount]
        swept = world.accounts.expire_holds()
        assert [m.hold_ids for m in swept] == [(two.id,)]
        for n, hold in enumerate((one, two)):  # both released by their expiry already
            before = world.state()
            again = world.accounts.void_hold(hold.id, key=f"again-{n}")
            assert again.explanation[0].startswith(EXPIRED_HOLD)
            assert again.entries == ()
            assert world.state() == before
        account = world.accounts.get_account(world.account_id)
        assert (account.prepayment_balance, account.prepayment_held) == (D("40.00"), D(0))
