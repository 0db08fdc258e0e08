"""The crmkit demo: one tenant's order flow, end to end, on real storage.

Run it with ``crmkit demo`` (a SQLite file by default) or ``crmkit demo --url URL``. A
tea wholesaler sets up its catalog, price lists, warehouses and a dealer's account; the
dealer gets a quote, accepts it, and the quote becomes a sales order whose stock is
reserved and whose payment is held on the dealer's funds; two deliveries ship the goods
and post the money. Along the way the demo shows what crmkit refuses, and that a refused
operation changes nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import timedelta
from decimal import Decimal

from crmkit.bootstrap import Crm, TenantServices, open_crm
from crmkit.domain import CrmkitError, Money, ProductId, Rounding, new_id
from crmkit.domain.accounts import Fund
from crmkit.domain.deduction import DeductionPolicy, OrderLine, TradeMode
from crmkit.domain.price_list import PriceListScope
from crmkit.domain.pricing import Customer
from crmkit.domain.sales_order import SalesOrder
from crmkit.services.inventory import ReservationRequest
from crmkit.services.pricing import EntryInput
from crmkit.services.quotes import LineInput

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


def run(crm: Crm, tenant: str) -> None:  # noqa: PLR0915 - a story told step by step
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
    dealer = Customer("DEALER-17", frozenset({"dealers"}))
    resolution = shop.pricing.resolve(dealer, products["TEA-GRN-250"], 24, currency="CNY")
    print("  why the dealer pays what it pays for 24 tins of green tea:")
    for line in resolution.describe().splitlines():
        print(f"    {line}")

    print("\n3. 仓库 warehouses and 入库单 inbound orders")
    for priority, (code, received) in enumerate(STOCK.items(), start=1):
        warehouse = shop.inventory.create_warehouse(
            code=code, name=f"{code} warehouse", priority=priority
        )
        inbound = shop.inventory.create_inbound_order(
            warehouse.id, [(products[sku], qty) for sku, qty in received.items()]
        )
        shop.inventory.confirm_inbound_order(inbound.id, key=f"inbound-{code}")
        print(
            f"  {code} (priority {priority}) received "
            + ", ".join(f"{qty} {sku}" for sku, qty in received.items())
        )

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
        f"  converted to order {order.id[:8]}; the same request key again returns the same"
        f" order: {again.id == order.id}"
    )
    _print_order(order)

    print("\n6. reserve the stock, hold the payment")
    reservation = shop.inventory.reserve(
        order.id,
        [
            ReservationRequest(str(line.line_no), line.product_id, line.quantity)
            for line in order.lines
        ],
        key=f"reserve-{order.id}",
    )
    for r in reservation.reservations:
        print(f"  reserved {qty(r.quantity)} of line {r.line_id} in warehouse {r.warehouse_id[:8]}")
    gross = yuan(order.totals().gross)
    to_pay = [
        OrderLine(
            line.product_id,
            "tea" if line.sku.startswith("TEA") else "tableware",
            yuan(amount.gross),
        )
        for line, amount in zip(order.lines, order.amounts(), strict=True)
    ]
    held = shop.accounts.place_holds(account.id, order.id, gross, to_pay, key=f"hold-{order.id}")
    for text in held.explanation:
        print(f"  {text}")

    print("\n7. what is refused, and changes nothing")
    green = products["TEA-GRN-250"]
    unchanged(
        "reserving 100 more green tea tins than are available",
        lambda: shop.inventory.availability([green]),
        lambda: shop.inventory.reserve(
            "SO-OTHER", [ReservationRequest("1", green, 100)], key="reserve-too-much"
        ),
    )
    unchanged(
        "holding 20000.00 for another order on the same account",
        lambda: shop.accounts.fund_summaries(account.id),
        lambda: shop.accounts.place_holds(
            account.id,
            "SO-BIG",
            yuan("20000.00"),
            [OrderLine(green, "tea", yuan("20000.00"))],
            key="hold-big",
        ),
    )

    print("\n8. 发货单 deliveries post the money")
    first = reservation.reservations[0]
    half = first.quantity / 2
    shop.inventory.ship(order.id, [(first.id, half)], key="ship-1")
    first_share = _share(order, first.line_id, half)
    shop.accounts.post_delivery(account.id, order.id, first_share, key="post-1")
    print(f"  delivery 1: {qty(half)} of line {first.line_id}, worth {first_share}, posted")
    rest = [(first.id, first.quantity - half)] + [
        (r.id, r.quantity) for r in reservation.reservations[1:]
    ]
    shop.inventory.ship(order.id, rest, key="ship-2")
    shop.accounts.post_delivery(account.id, order.id, None, key="post-2", final=True)
    print("  delivery 2: everything else; the final posting takes the exact remainders")

    print("\n9. where things stand")
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


def _share(order: SalesOrder, line_no: str, quantity: Decimal) -> Money:
    """The gross value of ``quantity`` of order line ``line_no``, rounded half-up."""
    for line, amount in zip(order.lines, order.amounts(), strict=True):
        if str(line.line_no) == line_no:
            return yuan(amount.gross * quantity / line.quantity).rounded()
    raise AssertionError(f"no line {line_no}")


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
        run(crm, f"demo-{new_id()[:8]}")
