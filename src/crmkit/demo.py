"""The crmkit demo: one tenant's order flow, end to end, on real storage.

Run it with ``crmkit demo`` (a SQLite file by default) or ``crmkit demo --url URL``. A
tea wholesaler sets up its catalog, price lists, warehouses and a dealer's account; the
dealer gets a quote, accepts it, and the quote becomes a sales order whose stock is
confirmed in one command (payment held on the dealer's funds, stock reserved); a partial
delivery posts its share, a return credits it back, and the rest is released when the
order is closed. The outbox shows the events, the statement and the stock the end state.
Along the way the demo shows what crmkit refuses, and that a refused operation changes
nothing.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import timedelta
from decimal import Decimal
from functools import partial

from crmkit import Crm, CrmkitError, Money, ProductId, Rounding, TenantServices, open_crm
from crmkit.accounts import DeductionPolicy, Fund, TradeMode
from crmkit.demo_receivables import receivables_story
from crmkit.orders import EventName, OrderLineInput
from crmkit.pricing import EntryInput, LineInput, PriceListScope, PricingCustomer, SalesOrder

DEFAULT_URL = "sqlite:///crmkit-demo.db"
ZERO = Decimal(0)

CATALOG = [
    # sku, name, unit, tax rate, category, list price (net, CNY)
    ("TEA-GRN-250", "Green tea, 250 g tin", "tin", "0.13", "tea", "158.00"),
    ("TEA-OOL-500", "Oolong tea, 500 g box", "box", "0.13", "tea", "289.99"),
    ("CUP-PORC-6", "Porcelain cups, set of 6", "set", "0.13", "tableware", "96.50"),
]
STOCK = {"SH": {"TEA-GRN-250": 40, "TEA-OOL-500": 10}, "BJ": {"TEA-GRN-250": 30, "CUP-PORC-6": 8}}


def yuan(amount: str | Decimal) -> Money:
    """An amount in CNY."""
    return Money(amount, "CNY")


def qty(quantity: Decimal) -> str:
    """A quantity without trailing zeros (stock keeps four decimals)."""
    return f"{quantity.normalize():f}"


def cny(amount: Decimal) -> str:
    """An account amount shown to the fen (accounts keep four decimals)."""
    return str(yuan(amount).rounded().amount)


@contextmanager
def refused(what: str) -> Iterator[None]:
    """Show that ``what`` is refused with a crmkit error."""
    try:
        yield
    except CrmkitError as error:
        print(f"  refused: {what}\n    -> {error.code}: {error.message}")
    else:  # pragma: no cover - the demo shows refusals on purpose
        raise AssertionError(f"{what} was expected to be refused")


def unchanged(label: str, read: Callable[[], object], action: Callable[[], object]) -> None:
    """Run a refused ``action`` and show that what ``read`` returns did not change."""
    before = read()
    with refused(label):
        action()
    assert read() == before
    print("    state before and after is equal")


def run(crm: Crm, tenant: str) -> None:  # noqa: PLR0912, PLR0915 - a story told step by step
    """Walk one tenant through the order flow, printing each step."""
    shop: TenantServices = crm.tenant(tenant)
    now = crm.clock.now()
    print(f"crmkit demo: tenant {tenant!r} on {type(crm.storage).__name__}\n")

    print("1. 产品 catalog")
    products: dict[str, ProductId] = {}
    for sku, name, unit, tax, category, _ in CATALOG:
        product = shop.catalog.create_product(
            sku=sku, name=name, unit=unit, tax_rate=tax, category=category
        )
        products[sku] = product.id
        print(f"  {sku:<12} {name:<26} per {unit:<4} tax {Decimal(tax):.0%}")
    with refused("a second product with SKU TEA-GRN-250"):
        shop.catalog.create_product(sku="TEA-GRN-250", name="Copy", unit="tin", tax_rate="0.13")

    print("\n2. 价目表 price lists")
    general = shop.pricing.create_price_list(
        name="General", currency="CNY", priority=10, valid_from=now - timedelta(days=1)
    )
    shop.pricing.add_entries(
        general.id,
        [EntryInput(products[sku], price) for sku, *_, price in CATALOG]
        + [EntryInput(products["TEA-GRN-250"], "150.00", min_quantity=20)],
    )
    dealers = shop.pricing.derive_price_list(
        general.id,
        name="Dealers",
        percent="-5",
        rounding=Rounding.HALF_UP,
        priority=5,
        scope=PriceListScope.groups("dealers"),
        valid_from=now - timedelta(days=1),
    )
    print(
        f"  General (priority 10, everyone) and {dealers.name} (priority 5, group 'dealers',"
        f" General -5%)"
    )
    dealer = PricingCustomer("DEALER-17", frozenset({"dealers"}))
    resolution = shop.pricing.resolve(dealer, products["TEA-GRN-250"], 24, currency="CNY")
    print("  why the dealer pays what it pays for 24 tins of green tea:")
    for line in resolution.describe().splitlines():
        print(f"    {line}")

    print("\n3. 仓库 warehouses and 入库单 inbound orders")
    warehouses: dict[str, str] = {}
    for priority, (code, received) in enumerate(STOCK.items(), start=1):
        warehouse = shop.inventory.create_warehouse(
            code=code, name=f"{code} warehouse", priority=priority
        )
        warehouses[warehouse.id] = code
        inbound = shop.inventory.create_inbound_order(
            warehouse.id, [(products[sku], qty) for sku, qty in received.items()]
        )
        shop.inventory.confirm_inbound_order(inbound.id, key=f"inbound-{code}")
        print(
            f"  {code} (priority {priority}) received "
            + ", ".join(f"{qty} {sku}" for sku, qty in received.items())
        )

    first_warehouse = next(iter(warehouses))

    print("\n4. 客户账户 the dealer's account: prepayment, rebate, credit")
    account = shop.accounts.open_account("DEALER-17", "CNY")
    shop.accounts.deposit(account.id, yuan("3000.00"), key="bank-0301-17")
    shop.accounts.grant_rebate(
        account.id, yuan("800.00"), key="rebate-q4-17", expires_at=now + timedelta(days=90)
    )
    shop.accounts.set_credit_limit(account.id, yuan("5000.00"), key="limit-17-v1")
    shop.accounts.set_account_policy(
        account.id,
        DeductionPolicy(
            fund_order=(Fund.REBATE, Fund.PREPAYMENT, Fund.CREDIT),
            rebate_max_percent="10",
            trade_mode=TradeMode.CREDIT_SALE,
        ),
    )
    print("  prepayment 3000.00, rebate 800.00 (at most 10% of an order), credit limit 5000.00")

    print("\n5. 报价单 quote -> 销售订单 sales order")
    quote = shop.quotes.create_quote(dealer, currency="CNY", valid_until=now + timedelta(days=14))
    quote = shop.quotes.add_lines(
        quote.id,
        [
            LineInput(products["TEA-GRN-250"], 24),
            LineInput(products["TEA-OOL-500"], 6, discount_percent="5"),
            LineInput(products["CUP-PORC-6"], 4),
        ],
    )
    shop.quotes.send(quote.id)
    shop.quotes.accept(quote.id)
    totals = quote.totals()
    print(f"  quote accepted: net {totals.net} + tax {totals.tax} = {totals.gross} CNY")
    order = shop.quotes.convert_to_order(quote.id, request_key="convert-Q1")
    again = shop.quotes.convert_to_order(quote.id, request_key="convert-Q1")
    print(
        f"  converted to order {order.number}; the same request key again returns the same"
        f" order: {again.id == order.id}"
    )
    _print_order(order)

    print("\n6. confirm: funds held and stock reserved in one unit of work")
    confirmed = shop.orders.confirm(order.id, key=f"confirm-{order.id}")
    for event in confirmed.events:
        data = event.data()
        if event.name == EventName.FUNDS_HELD:
            for hold in data["holds"]:
                print(f"  held {cny(Decimal(hold['amount'])):>8} from {hold['fund']}")
            for text in data["explanation"]:
                print(f"    {text}")
        if event.name == EventName.STOCK_RESERVED:
            for r in data["reservations"]:
                code = warehouses[r["warehouse_id"]]
                print(f"  reserved {qty(Decimal(r['quantity'])):>2} {r['sku']:<12} in {code}")
    print(f"  order {confirmed.order.number} is {confirmed.order.status.value}")

    print("\n7. what is refused, and changes nothing")
    cups, green = products["CUP-PORC-6"], products["TEA-GRN-250"]

    def stock_and_funds(item: ProductId) -> Callable[[], object]:
        return lambda: (
            shop.inventory.availability([item]),
            shop.accounts.fund_summaries(account.id),
        )

    refusals: tuple[tuple[int, ProductId, int, str], ...] = (
        (2, cups, 6, "6 cup sets, only 4 are left unreserved"),
        (3, green, 20, "20 more green tea tins, beyond the dealer's funds"),
    )
    drafts = []
    for n, item, quantity, why in refusals:
        draft = shop.orders.create_order(
            dealer, [OrderLineInput(item, quantity)], currency="CNY", key=f"order-{n}"
        ).order
        confirm = partial(shop.orders.confirm, draft.id, key=f"confirm-{n}")
        unchanged(f"confirming {draft.number}: {why}", stock_and_funds(item), confirm)
        drafts.append(draft)
    big, pricey = drafts
    for draft in drafts:
        shop.orders.cancel(draft.id, key=f"cancel-{draft.id}")
    print(f"  {big.number} and {pricey.number} cancelled")

    print("\n8. 发货单 a partial delivery posts its share of the money")
    delivered = shop.orders.deliver(order.id, {1: 12, 2: 6}, key="deliver-1")
    posted = next(e for e in delivered.events if e.name == EventName.FUNDS_POSTED)
    print(
        f"  {delivered.order.documents[-1].number}: 12 green tea tins and 6 oolong boxes, "
        f"{posted.data()['amount']} CNY posted; the order is {delivered.order.status.value}"
    )

    print("\n9. 退货单 a return: goods back to stock, money back to the funds")
    back = shop.orders.return_goods(
        order.id, {2: 2}, warehouse_id=first_warehouse, sellable=True, key="return-1"
    )
    credit = next(e for e in back.events if e.name == EventName.CREDITED_BACK)
    print(
        f"  {back.order.documents[-1].number}: 2 oolong boxes back to SH, "
        f"{credit.data()['amount']} CNY credited back in the proportion it was taken"
    )

    print("\n10. the rest is released: the order is closed")
    closed = shop.orders.close(order.id, key="close-1")
    released = next(e for e in closed.events if e.name == EventName.RELEASED).data()
    print(
        f"  {closed.order.number} {closed.order.status.value}: "
        f"{cny(Decimal(released['funds_voided']))} CNY of holds voided, "
        + ", ".join(
            f"line {r['line_no']}: {qty(Decimal(r['quantity']))}"
            for r in released["stock_released"]
        )
        + " released"
    )

    print("\n11. the outbox (events for other systems, read by a named consumer)")
    for event in shop.outbox.read("erp-sync", limit=100):
        number = event.data().get("number")
        print(f"  {event.position:>3} {event.name:<32} {number}")
    print(f"  erp-sync acknowledged up to {shop.outbox.acknowledge('erp-sync', 5)}")

    print("\n12. where things stand: the account statement and the stock")
    for entry in shop.accounts.statement(account.id, limit=100).entries:
        print(
            f"  {entry.seq:>3} {entry.kind.value:<18} {entry.fund.value:<10} "
            f"{cny(entry.balance_delta):>9} held {cny(entry.held_delta):>9}"
        )
    for fund, summary in shop.accounts.fund_summaries(account.id).items():
        extra = (
            f", used {cny(summary.used or ZERO)} of {cny(summary.limit)}"
            if summary.limit is not None
            else ""
        )
        print(
            f"  {fund.value:<10} available {cny(summary.available):>8}  held {cny(summary.held):>6}"
            f"  posted {cny(summary.posted):>8}{extra}"
        )
    stock = shop.inventory.availability(list(products.values()))
    for sku, product_id in products.items():
        level = stock[product_id]
        print(
            f"  {sku:<12} on hand {level.on_hand.normalize():>4}  reserved"
            f" {level.reserved.normalize():>3}  available {level.available.normalize():>4}"
        )
    receivables_story(shop, products["TEA-GRN-250"], now.date(), 13)


def _print_order(order: SalesOrder) -> None:
    for line, amount in zip(order.lines, order.amounts(), strict=True):
        print(
            f"  line {line.line_no}: {qty(line.quantity):>2} x {line.sku:<12} at "
            f"{qty(line.resolution.unit_price):>6} -{qty(line.discount_percent)}%"
            f" = net {amount.net}, gross {amount.gross}"
        )


def main(url: str = DEFAULT_URL) -> None:
    """Open ``url`` (creating or upgrading its schema) and run the demo in a new tenant."""
    with open_crm(url, upgrade_schema=True) as crm:
        run(crm, f"demo-{uuid.uuid4().hex[:8]}")
