"""The quote service: quotes (报价单) and their conversion to sales orders (销售订单)."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from decimal import Decimal

import attrs

from crmkit.domain import Product, ProductId, ValidationError, to_decimal
from crmkit.domain.outbox import EventName, NumberPatterns, payload
from crmkit.domain.pricing import PricingCustomer, PricingPolicy, Resolution
from crmkit.domain.quote import Quote, QuoteId, QuoteLine
from crmkit.domain.sales_order import SalesOrder, SalesOrderId
from crmkit.services.boundary import checked_calls
from crmkit.services.idempotency import run_once
from crmkit.services.order_steps import PendingEvent, claim_outbox, take_number, write_events
from crmkit.services.ports import Clock, UnitOfWork
from crmkit.services.pricing import price_items, priced_line_fields
from crmkit.services.tenant_service import TenantService

CONVERT = "quote.convert"


@attrs.frozen
class LineInput:
    """A line to add to a quote: a product, a quantity and a line discount in %."""

    product_id: ProductId
    quantity: Decimal | int | str
    discount_percent: Decimal | int | str = 0


@checked_calls
class QuoteService(TenantService):
    """Prices quotes, moves them through their lifecycle and converts them to orders."""

    def __init__(
        self,
        unit_of_work: Callable[[], UnitOfWork],
        clock: Clock,
        policy: PricingPolicy | None = None,
        numbers: NumberPatterns | None = None,
    ) -> None:
        super().__init__(unit_of_work, clock)
        self.policy = policy or PricingPolicy()
        self._numbers = numbers or NumberPatterns()

    def create_quote(
        self,
        customer: PricingCustomer,
        *,
        currency: str,
        valid_until: datetime,
        discount_percent: Decimal | int | str = 0,
    ) -> Quote:
        """Create an empty draft quote priced by the tenant's current policy.

        Raises:
            ValidationError: a field breaks its rule or ``valid_until`` is not in the future.
        """
        with self._uow() as uow:
            quote = Quote.new(
                uow.tenant_id,
                account_id=customer.account_id,
                account_groups=customer.groups,
                currency=currency,
                valid_until=valid_until,
                policy=self.policy,
                discount_percent=discount_percent,
                now=self._clock.now(),
            )
            uow.quotes.add(quote)
            uow.commit()
        return quote

    def add_lines(self, quote_id: QuoteId, lines: Sequence[LineInput]) -> Quote:
        """Price and append lines to a draft quote (bounded repository calls for any count).

        Raises:
            NotFound: no such quote or product.
            QuoteTransitionNotAllowed: the quote is not a draft.
            NoPriceFound: a product has no applicable price; no line is added.
            ValidationError: no lines, or a quantity or discount breaks its rule.
        """
        if not lines:
            raise ValidationError(
                f"no lines were given for quote {quote_id!r}; give at least one line."
            )

        def add(uow: UnitOfWork) -> Quote:
            quote = uow.quotes.get(quote_id)
            quote.with_lines((), self._clock.now())  # refuses early if not a draft
            now = self._clock.now()
            priced = _priced(uow, quote, [(line.product_id, line.quantity) for line in lines], now)
            first = quote.next_line_no
            new_lines = tuple(
                QuoteLine(
                    line_no=first + n,
                    **priced_line_fields(product, amount, resolution, given.discount_percent),
                )
                for n, ((product, amount, resolution), given) in enumerate(
                    zip(priced, lines, strict=True)
                )
            )
            return uow.quotes.update(quote.with_lines(new_lines, now))

        return self._retried(add)

    def add_line(
        self,
        quote_id: QuoteId,
        product_id: ProductId,
        quantity: Decimal | int | str,
        *,
        discount_percent: Decimal | int | str = 0,
    ) -> Quote:
        """Price and append one line; see :meth:`add_lines`.

        Raises:
            NotFound: no such quote or product.
            QuoteTransitionNotAllowed: the quote is not a draft.
            NoPriceFound: the product has no applicable price.
        """
        return self.add_lines(quote_id, [LineInput(product_id, quantity, discount_percent)])

    def remove_line(self, quote_id: QuoteId, line_no: int) -> Quote:
        """Remove a line from a draft quote.

        Raises:
            NotFound: no such quote.
            QuoteTransitionNotAllowed: the quote is not a draft.
            ValidationError: no such line.
        """
        return self._change(quote_id, lambda q, now: q.without_line(line_no, now))

    def set_discounts(
        self,
        quote_id: QuoteId,
        *,
        document: Decimal | int | str | None = None,
        lines: Mapping[int, Decimal | int | str] | None = None,
    ) -> Quote:
        """Set the document discount and/or line discounts (in %) of a draft quote.

        A combined discount above the tenant's threshold marks the quote as needing approval.

        Raises:
            NotFound: no such quote.
            QuoteTransitionNotAllowed: the quote is not a draft.
            ValidationError: a discount outside 0..100 or an unknown line.
        """
        return self._change(
            quote_id, lambda q, now: q.with_discounts(now, document=document, lines=lines)
        )

    def reprice(self, quote_id: QuoteId) -> Quote:
        """Price every line of a draft quote again, as of now.

        Raises:
            NotFound: no such quote.
            QuoteTransitionNotAllowed: the quote is not a draft (prices are frozen once sent).
            NoPriceFound: a line's product has no applicable price any more.
        """

        def reprice(uow: UnitOfWork) -> Quote:
            quote = uow.quotes.get(quote_id)
            quote.repriced({}, self._clock.now())  # refuses early if not a draft
            now = self._clock.now()
            items = [(line.product_id, line.quantity) for line in quote.lines]
            resolutions = {
                line.line_no: resolution
                for line, (_, _, resolution) in zip(
                    quote.lines, _priced(uow, quote, items, now), strict=True
                )
            }
            return uow.quotes.update(quote.repriced(resolutions, now))

        return self._retried(reprice)

    def send(self, quote_id: QuoteId) -> Quote:
        """Send a draft quote.

        Raises:
            NotFound: no such quote.
            QuoteTransitionNotAllowed: it is not a draft.
            QuoteExpired: its validity date has passed.
            ValidationError: it has no lines.
        """
        return self._change(quote_id, lambda q, now: q.send(now))

    def accept(self, quote_id: QuoteId) -> Quote:
        """Record that the customer accepted a sent quote before its validity date.

        Raises:
            NotFound: no such quote.
            QuoteTransitionNotAllowed: it is not sent.
            QuoteExpired: its validity date has passed.
        """
        return self._change(quote_id, lambda q, now: q.accept(now))

    def reject(self, quote_id: QuoteId) -> Quote:
        """Record that the customer rejected a sent quote.

        Raises:
            NotFound: no such quote.
            QuoteTransitionNotAllowed: it is not sent.
        """
        return self._change(quote_id, lambda q, now: q.reject(now))

    def expire(self, quote_id: QuoteId) -> Quote:
        """Mark a sent quote past its validity date as expired.

        Raises:
            NotFound: no such quote.
            QuoteTransitionNotAllowed: it is not sent.
            ValidationError: it is still valid.
        """
        return self._change(quote_id, lambda q, now: q.expire(now))

    def get_quote(self, quote_id: QuoteId) -> Quote:
        """The quote with this id.

        Raises:
            NotFound: no such quote.
        """
        with self._uow() as uow:
            return uow.quotes.get(quote_id)

    def convert_to_order(
        self,
        quote_id: QuoteId,
        *,
        request_key: str,
        quantities: Mapping[int, Decimal | int | str] | None = None,
        expiry_override: str | None = None,
    ) -> SalesOrder:
        """Create a draft sales order from an accepted quote, at the quote's frozen prices.

        ``quantities`` maps quote line numbers to the quantity to convert (default: all that
        remains of every line). The same ``request_key`` with the same content returns the
        order created the first time, never a second one. An accepted quote past its
        validity date converts only with ``expiry_override`` (the reason, kept on the order).

        Raises:
            NotFound: no such quote.
            QuoteTransitionNotAllowed: the quote is not accepted.
            QuoteExpired: the quote has expired and no override was given.
            ConversionExceedsRemaining: a quantity is more than its line has left.
            DuplicateRequest: the key was used for another request.
            ValidationError: an unknown line, a quantity <= 0, nothing left to convert, or
                an override for a quote that has not expired.
        """
        asked = (
            None
            if quantities is None
            else {str(k): to_decimal(v, "quantity to convert") for k, v in quantities.items()}
        )
        content = {"quote": quote_id, "quantities": asked, "override": expiry_override}
        wanted_input = (
            None
            if quantities is None
            else {int(k): to_decimal(v, "quantity to convert") for k, v in quantities.items()}
        )

        def work(uow: UnitOfWork) -> tuple[SalesOrder, str, datetime]:
            now = self._clock.now()
            quote = uow.quotes.get(quote_id)
            wanted = quote.conversion(wanted_input)
            order = SalesOrder.from_quote(
                quote,
                wanted,
                now=now,
                request_key=request_key,
                expiry_override=expiry_override,
            )
            uow.quotes.update(quote.converted(wanted, now))
            order = attrs.evolve(order, number=take_number(uow, self._numbers, "sales_order", now))
            uow.sales_orders.add(order)
            created = payload(
                order_id=order.id,
                number=order.number,
                status=order.status.value,
                quote_id=quote.id,
                total=order.totals().gross,
            )
            write_events(uow, [PendingEvent(EventName.ORDER_CREATED, order.id, created)], now)
            return order, order.id, now

        return run_once(
            self._uow,
            request_key,
            CONVERT,
            content,
            work,
            replayed=lambda uow, done: uow.sales_orders.get(SalesOrderId(done)),
            before=claim_outbox,
        )

    def get_order(self, order_id: SalesOrderId) -> SalesOrder:
        """The sales order with this id.

        Raises:
            NotFound: no such order.
        """
        with self._uow() as uow:
            return uow.sales_orders.get(order_id)

    def orders_for_quote(self, quote_id: QuoteId) -> list[SalesOrder]:
        """The orders converted from a quote, oldest first."""
        with self._uow() as uow:
            return uow.sales_orders.for_quote(quote_id)

    def _change(self, quote_id: QuoteId, change: Callable[[Quote, datetime], Quote]) -> Quote:
        return self._retried(
            lambda uow: uow.quotes.update(change(uow.quotes.get(quote_id), self._clock.now()))
        )


def _priced(
    uow: UnitOfWork,
    quote: Quote,
    items: Sequence[tuple[ProductId, Decimal | int | str]],
    now: datetime,
) -> list[tuple[Product, Decimal, Resolution]]:
    """``items`` (product, quantity) priced for the quote's customer, currency and policy."""
    return price_items(
        uow,
        PricingCustomer(quote.account_id, quote.account_groups),
        items,
        currency=quote.currency,
        at=now,
        policy=quote.policy,
    )
