"""销售订单 SalesOrder: the sales agreement with the customer.

Here an order is created in draft from an accepted quote (报价单): its lines copy the quote
lines' frozen unit prices and explanations and are never priced again, whatever happens to
the price lists later. Confirming an order (account deductions, stock reservation) belongs
to the order lifecycle and extends this aggregate.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from datetime import datetime
from decimal import Decimal
from typing import NewType

import attrs

from crmkit.domain.currency import check_currency
from crmkit.domain.errors import ValidationError
from crmkit.domain.ids import TenantId, new_id
from crmkit.domain.line_amounts import PricedLine
from crmkit.domain.price_list import quantity
from crmkit.domain.pricing import DocumentTotals, LineAmounts
from crmkit.domain.quote import Quote, QuoteExpired, QuoteId, document_discount
from crmkit.domain.rounding import Rounding
from crmkit.domain.text import clean_optional_text
from crmkit.domain.timestamps import utc_millis

SalesOrderId = NewType("SalesOrderId", str)

OVERRIDE_MAX_LENGTH = 500


def _override(value: object) -> str | None:
    return clean_optional_text(value, "expiry override reason", max_length=OVERRIDE_MAX_LENGTH)


class SalesOrderStatus(enum.Enum):
    """Where an order is in its lifecycle (see :mod:`crmkit.domain.order_lifecycle`)."""

    DRAFT = "draft"
    PENDING_APPROVAL = "pending_approval"
    CONFIRMED = "confirmed"
    PARTIALLY_DELIVERED = "part_delivered"
    DELIVERED = "delivered"
    CLOSED = "closed"
    CANCELLED = "cancelled"


def _count(value: object) -> Decimal:
    return quantity(value, "delivered or returned quantity", positive=False)


@attrs.frozen
class OrderDocument:
    """A delivery note (发货单) or return order (退货单) posted for an order, by number."""

    kind: str
    number: str
    document_id: str


@attrs.frozen
class SalesOrderLine(PricedLine):
    """An order line with the quote line's frozen price and explanation."""

    line_no: int
    quote_line_no: int
    delivered: Decimal = attrs.field(default=Decimal(0), converter=_count)
    returned: Decimal = attrs.field(default=Decimal(0), converter=_count)

    @property
    def to_deliver(self) -> Decimal:
        """What is still to ship."""
        return self.quantity - self.delivered

    @property
    def returnable(self) -> Decimal:
        """What was shipped and not returned yet."""
        return self.delivered - self.returned


@attrs.frozen
class SalesOrder:
    """销售订单 A sales order of one account.

    ``expiry_override`` records why an accepted quote past its validity date was converted
    anyway (``None`` if it was valid). ``request_key`` is the idempotency key it was created
    under.
    """

    id: SalesOrderId
    tenant_id: TenantId
    account_id: str
    currency: str = attrs.field(validator=lambda _i, _a, v: check_currency(v))
    status: SalesOrderStatus
    quote_id: QuoteId | None
    lines: tuple[SalesOrderLine, ...]
    discount_percent: Decimal = attrs.field(converter=document_discount)
    rounding: Rounding
    approval_reasons: tuple[str, ...]
    expiry_override: str | None = attrs.field(converter=_override)
    request_key: str | None
    created_at: datetime = attrs.field(converter=utc_millis)
    updated_at: datetime = attrs.field(converter=utc_millis)
    version: int = 1
    number: str | None = None
    approved: bool = False
    documents: tuple[OrderDocument, ...] = ()

    @classmethod
    def from_quote(
        cls,
        quote: Quote,
        quantities: Mapping[int, Decimal],
        *,
        now: datetime,
        request_key: str | None = None,
        expiry_override: str | None = None,
        order_id: SalesOrderId | None = None,
    ) -> SalesOrder:
        """A draft order for ``quantities`` (from :meth:`Quote.conversion`) of ``quote``.

        Raises:
            QuoteExpired: the quote's validity date has passed and no override was given.
            ValidationError: an override was given for a quote that has not expired.
        """
        override = clean_optional_text(
            expiry_override, "expiry override reason", max_length=OVERRIDE_MAX_LENGTH
        )
        if quote.is_expired_at(now) and override is None:
            raise QuoteExpired(quote.id, quote.valid_until, now, "convert")
        if override is not None and not quote.is_expired_at(now):
            raise ValidationError(
                f"quote {quote.id!r} is valid until {quote.valid_until.isoformat()}; an expiry "
                f"override is only for expired quotes. Leave it out.",
                quote_id=quote.id,
            )
        lines: list[SalesOrderLine] = []
        for source in quote.lines:
            if source.line_no not in quantities:
                continue
            lines.append(
                SalesOrderLine(
                    line_no=len(lines) + 1,
                    quote_line_no=source.line_no,
                    product_id=source.product_id,
                    sku=source.sku,
                    unit=source.unit,
                    quantity=quantities[source.line_no],
                    tax_rate=source.tax_rate,
                    discount_percent=source.discount_percent,
                    resolution=source.resolution,
                )
            )
        return cls(
            id=order_id or SalesOrderId(new_id()),
            tenant_id=quote.tenant_id,
            account_id=quote.account_id,
            currency=quote.currency,
            status=SalesOrderStatus.DRAFT,
            quote_id=quote.id,
            lines=tuple(lines),
            discount_percent=quote.discount_percent,
            rounding=quote.policy.rounding,
            approval_reasons=quote.approval_reasons,
            expiry_override=override,
            request_key=request_key,
            created_at=now,
            updated_at=now,
        )

    @property
    def needs_approval(self) -> bool:
        """Whether a discount passed the tenant's approval threshold."""
        return bool(self.approval_reasons)

    def amounts(self) -> list[LineAmounts]:
        """Each line's amounts, in line order."""
        return [
            line.amounts(self.discount_percent, self.currency, self.rounding) for line in self.lines
        ]

    def totals(self) -> DocumentTotals:
        """The exact sums of the lines."""
        return DocumentTotals.of(self.currency, self.amounts())
