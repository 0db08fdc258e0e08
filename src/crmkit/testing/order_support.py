"""Helpers for the order lifecycle suites: a priced, stocked and funded tenant, and a
snapshot of everything an order command may change (for before/after comparisons)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import attrs

from crmkit.adapters.clock import FixedClock
from crmkit.domain import Money, Product, TenantId, new_id
from crmkit.domain.accounts import Hold, HoldStatus
from crmkit.domain.approval import ApprovalRule
from crmkit.domain.inventory import StockLevel, Warehouse
from crmkit.domain.outbox import OutboxEvent
from crmkit.domain.pricing import PricingCustomer
from crmkit.domain.sales_order import SalesOrder
from crmkit.services import CatalogService, Storage
from crmkit.services.accounts import CustomerAccountService
from crmkit.services.inventory import InventoryService
from crmkit.services.order_reads import OutboxService
from crmkit.services.orders import OrderLineInput, OrderOutcome, OrderService
from crmkit.services.pricing import PricingService
from crmkit.services.pricing_ports import OrderFilter
from crmkit.services.quotes import QuoteService
from crmkit.testing.ledger import AccountState, account_state, check_ledger
from crmkit.testing.tenants import TenantWorld, fresh_tenant, numbered_products, units_of

T0 = datetime(2026, 4, 1, 9, 0, tzinfo=UTC)
CUSTOMER = PricingCustomer("C-ACME")
PRICES = ("10.00", "3.35", "7.99", "12.50", "0.99")


@attrs.frozen
class OrderWorld(TenantWorld):
    """A tenant with products priced in a CNY list, two stocked warehouses and a funded
    customer account, and every service over one storage and a fixed clock."""

    catalog: CatalogService
    pricing: PricingService
    quotes: QuoteService
    inventory: InventoryService
    accounts: CustomerAccountService
    orders: OrderService
    outbox: OutboxService
    products: tuple[Product, ...]
    warehouses: tuple[Warehouse, ...]
    account_id: str

    def order(self, *quantities: str | int, key: str | None = None) -> SalesOrder:
        """A draft order for ``quantities[n]`` of product n (0 or "" leaves it out)."""
        lines = [
            OrderLineInput(p.id, q) for p, q in zip(self.products, quantities, strict=False) if q
        ]
        outcome = self.orders.create_order(
            CUSTOMER, lines, currency="CNY", key=key or f"create-{new_id()}"
        )
        return outcome.order

    def confirmed(self, *quantities: str | int) -> OrderOutcome:
        """A confirmed order for ``quantities``."""
        order = self.order(*quantities)
        return self.orders.confirm(order.id, key=f"confirm-{new_id()}")

    def state(self) -> WorldState:
        """Everything stored about this world (see :class:`WorldState`)."""
        return world_state(self.storage, self.tenant, self.account_id, self.products)


@attrs.frozen
class WorldState:
    """Orders, the account, stock levels, reservations, movements, documents and outbox."""

    orders: tuple[SalesOrder, ...]
    account: AccountState
    levels: tuple[StockLevel, ...]
    reservations: tuple[Any, ...]
    events: tuple[OutboxEvent, ...]


def world_state(
    storage: Storage, tenant: TenantId, account_id: str, products: tuple[Product, ...]
) -> WorldState:
    """The committed state of a world (orders, account, stock, outbox)."""
    with storage.unit_of_work(tenant) as uow:
        orders = uow.sales_orders.page(OrderFilter(), after=None, limit=10_000)
        levels = uow.stock_levels.for_products([p.id for p in products])
        reservations = [
            r for o in orders for r in uow.reservations.for_order(o.id, open_only=False)
        ]
        events = uow.outbox.after(0, 100_000)
    return WorldState(
        tuple(orders),
        account_state(storage, tenant, account_id),
        tuple(sorted(levels, key=lambda x: (x.product_id, x.warehouse_id))),
        tuple(sorted(reservations, key=lambda r: r.id)),
        tuple(events),
    )


def check_world(state: WorldState) -> None:
    """Assert the invariants joining orders, holds, reservations and stock."""
    check_ledger(state.account)
    for level in state.levels:
        assert Decimal(0) <= level.reserved <= level.on_hand, level
    positions = [e.position for e in state.events]
    assert positions == list(range(1, len(positions) + 1)), "outbox positions have gaps"
    holds: dict[str, list[Hold]] = {}
    for hold in state.account.holds:
        holds.setdefault(hold.order_id, []).append(hold)
    for order in state.orders:
        mine = [r for r in state.reservations if r.order_id == order.id]
        status = order.status.value
        if status in {"confirmed", "part_delivered", "delivered", "closed"}:
            assert holds.get(order.id), f"order {order.number} {status} without holds"
            assert mine, f"order {order.number} {status} without reservations"
            total = sum((h.amount for h in holds[order.id]), Decimal(0))
            assert total == order.totals().gross, f"order {order.number} holds {total}"
        if status in {"draft", "pending_approval"}:
            assert not holds.get(order.id), f"{status} order {order.number} holds funds"
            assert not mine, f"{status} order {order.number} reserved stock"
        for line in order.lines:
            assert Decimal(0) <= line.returned <= line.delivered <= line.quantity
            shipped = sum((r.shipped for r in mine if r.line_id == str(line.line_no)), Decimal(0))
            assert shipped == line.delivered, f"order {order.number} line {line.line_no}"
        posted = sum((h.posted for h in holds.get(order.id, [])), Decimal(0))
        if not any(line.delivered for line in order.lines):
            assert posted == 0, f"order {order.number} posted {posted} without a shipment"
        if status in {"cancelled", "closed"}:
            assert all(h.status is HoldStatus.RESOLVED for h in holds.get(order.id, []))
            assert not [r for r in mine if r.is_open], f"{status} order {order.number} reserves"
        if status in {"delivered", "closed"}:
            posted = sum((h.posted for h in holds.get(order.id, [])), Decimal(0))
            if all(line.delivered == line.quantity for line in order.lines):
                assert posted == order.totals().gross, f"order {order.number} posted {posted}"


def open_world(
    storage: Storage,
    *,
    stock: tuple[tuple[str, ...], ...] = (("100", "100", "100"), ("50", "50", "50")),
    prepayment: str = "5000.00",
    credit_limit: str | None = None,
    approval: ApprovalRule | None = None,
    clock: FixedClock | None = None,
    products: int = 3,
) -> OrderWorld:
    """A fresh tenant: ``products`` products priced at :data:`PRICES` (13 % tax),
    warehouses W0, W1, ... stocked with ``stock[w][p]``, an account of :data:`CUSTOMER`
    with ``prepayment``."""
    tenant = fresh_tenant()
    clock = clock or FixedClock(T0)
    unit_of_work = units_of(storage, tenant)
    catalog = CatalogService(unit_of_work, clock)
    pricing = PricingService(unit_of_work, clock)
    inventory = InventoryService(unit_of_work, clock)
    accounts = CustomerAccountService(unit_of_work, clock)
    made = numbered_products(catalog, products, category="tea")
    price_list = pricing.create_price_list(
        name="Standard", currency="CNY", priority=1, valid_from=T0 - timedelta(days=1)
    )
    for product, price in zip(made, PRICES, strict=False):
        pricing.add_entry(price_list.id, product.id, unit_price=price)
    warehouses = tuple(
        inventory.create_warehouse(code=f"W{n}", name=f"Warehouse {n}", priority=n + 1)
        for n in range(len(stock))
    )
    for warehouse, amounts in zip(warehouses, stock, strict=True):
        lines = [(p.id, q) for p, q in zip(made, amounts, strict=False) if Decimal(q) > 0]
        if lines:
            inbound = inventory.create_inbound_order(warehouse.id, lines)
            inventory.confirm_inbound_order(inbound.id, key=f"recv-{new_id()}")
    account = accounts.open_account(CUSTOMER.account_id, "CNY")
    if Decimal(prepayment) > 0:
        accounts.deposit(account.id, Money(Decimal(prepayment), "CNY"), key=f"dep-{new_id()}")
    if credit_limit is not None:
        accounts.set_credit_limit(
            account.id, Money(Decimal(credit_limit), "CNY"), key=f"lim-{new_id()}"
        )
    return OrderWorld(
        storage=storage,
        tenant=tenant,
        clock=clock,
        catalog=catalog,
        pricing=pricing,
        quotes=QuoteService(unit_of_work, clock),
        inventory=inventory,
        accounts=accounts,
        orders=OrderService(unit_of_work, clock, approval=approval),
        outbox=OutboxService(unit_of_work, clock),
        products=made,
        warehouses=warehouses,
        account_id=account.id,
    )
