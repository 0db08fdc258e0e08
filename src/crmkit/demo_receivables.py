"""The receivables part of the demo: a credit sale, its payment plan, a payment paid late."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from crmkit import Money, ProductId, TenantServices
from crmkit.orders import OrderLineInput
from crmkit.pricing import PricingCustomer


def receivables_story(shop: TenantServices, product_id: ProductId, today: date, step: int) -> None:
    """A shop buying on credit pays its first instalment late (printed as step ``step``)."""
    print(f"\n{step}. 回款 a credit sale, its payment plan, a payment received late")
    account = shop.accounts.open_account("SHOP-9", "CNY")
    shop.accounts.set_credit_limit(account.id, Money("2000.00", "CNY"), key="shop9-limit")
    order = shop.orders.create_order(
        PricingCustomer("SHOP-9"),
        [OrderLineInput(product_id, 2)],
        currency="CNY",
        key="shop9-order",
    ).order
    shop.orders.confirm(order.id, key="shop9-confirm")
    shop.orders.deliver(order.id, {1: 2}, key="shop9-deliver")
    first_due, second_due = today - timedelta(days=10), today + timedelta(days=20)
    plan = shop.plans.create_plan(
        order.id, [first_due, second_due], percents=[Decimal(40), Decimal(60)], key="shop9-plan"
    )
    amounts = " and ".join(f"{i.amount:.2f}" for i in plan.instalments)
    print(f"  {order.number} on credit: instalments of {amounts} CNY")
    first = plan.instalments[0]
    payment = shop.payments.record_payment(
        "SHOP-9", Money(f"{first.amount:.2f}", "CNY"), method="bank transfer",
        received_on=today, reference="ICBC-2231", key="shop9-pay",
    )  # fmt: skip
    shop.payments.allocate(payment.id, {order.id: first.amount}, key="shop9-alloc")
    paid = shop.plans.get_plan(order.id).instalments[0]
    figures = shop.payments.order_figures(order.id)
    print(
        f"  payment ICBC-2231 of {payment.amount:.2f} CNY allocated to {order.number}: "
        f"instalment 1 {paid.status(today).value}, late: {paid.paid_late()}; "
        f"{figures.open:.2f} CNY still open"
    )
