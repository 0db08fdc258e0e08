"""The hostile-input contract's records of the order flow: products, prices, quotes and an
order, stock documents, an account with holds, a payment and a refund."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from crmkit.domain import Money, new_id
from crmkit.domain.deduction import OrderLine
from crmkit.domain.pricing import PricingCustomer
from crmkit.services.inventory import ReservationRequest
from crmkit.tenant_services import TenantServices
from crmkit.testing.contracts.support import T0
from crmkit.testing.hostile_seeds import Seeded

FUTURE = T0 + timedelta(days=30)
PAID_ON = date(2026, 1, 5)


def seed_orders(services: TenantServices) -> Seeded:
    """Products, prices, quotes and an order, stock documents, an account with holds."""
    product = services.catalog.create_product(
        sku="SKU-1", name="Widget", unit="pcs", tax_rate="0.13", category="tools"
    )
    price_list = services.pricing.create_price_list(name="List", currency="EUR", priority=1)
    entry = services.pricing.add_entry(price_list.id, product.id, unit_price="10")
    account = services.accounts.open_account("CUST-1", "EUR")
    services.accounts.deposit(account.id, Money("100", "EUR"), key=new_id())
    services.accounts.grant_rebate(account.id, Money("10", "EUR"), key=new_id())
    grant = services.accounts.rebate_grants(account.id)[0]
    customer = PricingCustomer(account.id, frozenset({"retail"}))
    quote = services.quotes.create_quote(customer, currency="EUR", valid_until=FUTURE)
    services.quotes.add_line(quote.id, product.id, quantity="2")
    sold = services.quotes.create_quote(customer, currency="EUR", valid_until=FUTURE)
    services.quotes.add_line(sold.id, product.id, quantity="1")
    services.quotes.send(sold.id)
    services.quotes.accept(sold.id)
    order = services.quotes.convert_to_order(sold.id, request_key=new_id())
    warehouse = services.inventory.create_warehouse(code="WH-1", name="Main")
    inbound = services.inventory.create_inbound_order(warehouse.id, [(product.id, "10")])
    services.inventory.confirm_inbound_order(inbound.id, key=new_id())
    draft = services.inventory.create_inbound_order(warehouse.id, [(product.id, "1")])
    count = services.inventory.create_count(warehouse.id, [(product.id, "10")])
    reserved = services.inventory.reserve(
        "ORD-1", [ReservationRequest("L1", product.id, "2")], key=new_id()
    )
    reservation = reserved.reservations[0]
    note = services.inventory.ship("ORD-1", [(reservation.id, "1")], key=new_id())
    line = OrderLine(product.id, "tools", Money("5", "EUR"))
    services.accounts.place_holds(account.id, "ORD-1", Money("5", "EUR"), [line], key=new_id())
    hold = services.accounts.holds_of_order(account.id, "ORD-1")[0]
    inbound_order: dict[str, object] = {"order_id": draft.id}
    payment = services.payments.record_payment(
        "CUST-1", Money("50", "EUR"), method="bank", received_on=PAID_ON,
        reference="BANK-1", key=new_id(),
    )  # fmt: skip
    refund = services.refunds.request_refund(
        "CUST-1", Money("5", "EUR"), reason="overpaid", key=new_id()
    )
    return Seeded(
        {
            "product_id": product.id,
            "price_list_id": price_list.id,
            "base_list_id": price_list.id,
            "entry_id": entry.id,
            "quote_id": quote.id,
            "warehouse_id": warehouse.id,
            "preferred_warehouse": warehouse.id,
            "account_id": account.id,
            "customer_id": "CUST-1",
            "customer": customer,
            "grant_id": grant.id,
            "hold_id": hold.id,
            "order": "ORD-1",
            "order_id": "ORD-1",
            "reservation_id": reservation.id,
            "count_id": count.id,
            "delivery_note_id": note.id,
            "currency": "EUR",
            "unit": "pcs",
            "payment_id": payment.id,
            "refund_id": refund.id,
            "received_on": PAID_ON,
        },
        {
            "get_order": {"order_id": order.id},
            "order_figures": {"order_id": order.id},
            "allocate": {"amounts": {order.id: Decimal("1")}},
            "confirm_inbound_order": inbound_order,
            "cancel_inbound_order": inbound_order,
            "get_inbound_order": inbound_order,
            "get_product_by_sku": {"sku": "SKU-1"},
            "resolve_many": {"items": [(product.id, "1")]},
            "price_lines": {"items": [(product.id, "1")]},
            "availability": {"product_ids": [product.id]},
            "create_count": {"lines": [(product.id, "1")]},
            "create_inbound_order": {"lines": [(product.id, "1")]},
            "ship": {"lines": [(reservation.id, "1")]},
            "receive_return": {"lines": [(1, "1")]},
        },
    )
