"""Creating draft sales orders, priced now through the price lists."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal

from crmkit.domain import ValidationError
from crmkit.domain.currency import check_currency
from crmkit.domain.ids import ProductId, new_id, record_id
from crmkit.domain.order_lifecycle import EmptyOrder
from crmkit.domain.outbox import EventName
from crmkit.domain.pricing import PricingCustomer
from crmkit.domain.sales_order import SalesOrder, SalesOrderId, SalesOrderLine
from crmkit.domain.sales_order import SalesOrderStatus as Status
from crmkit.services.boundary import checked_calls
from crmkit.services.order_base import OrderBase, OrderLineInput, OrderOutcome
from crmkit.services.order_steps import PendingEvent, order_event, take_number
from crmkit.services.ports import UnitOfWork
from crmkit.services.pricing import price_items, priced_line_fields


@checked_calls
class OrderCreation(OrderBase):
    """Create draft orders."""

    def create_order(
        self,
        customer: PricingCustomer,
        lines: Sequence[OrderLineInput],
        *,
        currency: str,
        key: str,
        discount_percent: Decimal | int | str = 0,
    ) -> OrderOutcome:
        """Create a draft order priced now through the price lists (explanations kept).

        Raises:
            EmptyOrder: no lines.
            NotFound: a product does not exist.
            ValidationError: a product is inactive, or a field breaks its rule.
            NoPriceFound: a product has no applicable price.
            DuplicateRequest: ``key`` was used for another request.
        """
        if not isinstance(customer, PricingCustomer):
            raise ValidationError(f"expected a PricingCustomer, got {type(customer).__name__}.")
        if not isinstance(customer.account_id, str) or not all(
            isinstance(g, str) for g in customer.groups
        ):
            raise ValidationError(
                "the customer's account id and groups must be text; build the PricingCustomer "
                "from the account's id and group codes.",
                what="customer",
            )
        if not isinstance(lines, Sequence) or isinstance(lines, str) or not lines:
            raise EmptyOrder("an order needs at least one line; give OrderLineInput lines.")
        for line in lines:
            if not isinstance(line, OrderLineInput):
                raise ValidationError(f"expected OrderLineInput, got {type(line).__name__}.")
        items = [(ProductId(record_id(x.product_id, "product id")), x.quantity) for x in lines]
        currency = check_currency(currency)
        content: dict[str, object] = {
            "c": customer.account_id,
            "g": sorted(customer.groups),
            "cur": currency,
            "d": str(discount_percent),
            "l": [
                (p, str(x.quantity), str(x.discount_percent))
                for (p, _), x in zip(items, lines, strict=True)
            ],
        }

        def work(uow: UnitOfWork, now: datetime, events: list[PendingEvent]) -> SalesOrder:
            priced = price_items(
                uow, customer, items, currency=currency, at=now, policy=self._pricing
            )
            order = SalesOrder(
                id=SalesOrderId(new_id()),
                tenant_id=uow.tenant_id,
                account_id=customer.account_id,
                currency=currency,
                status=Status.DRAFT,
                quote_id=None,
                lines=tuple(
                    SalesOrderLine(
                        line_no=n,
                        quote_line_no=0,
                        **priced_line_fields(product, amount, resolution, given.discount_percent),
                    )
                    for n, ((product, amount, resolution), given) in enumerate(
                        zip(priced, lines, strict=True), 1
                    )
                ),
                discount_percent=discount_percent,
                rounding=self._pricing.rounding,
                approval_reasons=(),
                expiry_override=None,
                request_key=key,
                created_at=now,
                updated_at=now,
                number=take_number(uow, self._numbers, "sales_order", now),
            )
            uow.sales_orders.add(order)
            events.append(order_event(EventName.ORDER_CREATED, order, total=order.totals().gross))
            return order

        return self._command(key, "order.create", content, work)
