"""开票申请 Invoice requests and credit-note requests (红字发票) for sales orders.

What may be invoiced for an order is its **basis** by the tenant's policy (the delivered
value, or the ordered value) minus the value of goods returned, minus what was already
requested and not rejected (credit notes count back). Goods returned after invoices were
issued leave more requested than the basis allows: a credit-note request for the
difference. Concurrent requests for one order each change the order's
:class:`OrderInvoicing` record (versioned): one of them retries and sees the other.

**Tax breakdown.** An amount is split over the order's tax rates in proportion to the
order's gross per rate (whole minor units, leftover units to the largest remainders, ties
to the lower rate); each part's net is ``gross / (1 + rate)`` rounded half-up, its tax the
rest, so the parts sum exactly to the amount and each part's net + tax to its gross.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from datetime import date, datetime
from decimal import Decimal

import attrs

from crmkit.domain.accounts import stored_amount
from crmkit.domain.currency import minor_unit
from crmkit.domain.ids import TenantId
from crmkit.domain.lifecycle import require_status
from crmkit.domain.records import FieldKind, RecordType, decimal, scalar, text
from crmkit.domain.rounding import Rounding

ZERO = Decimal(0)


class InvoiceBasis(enum.Enum):
    """What may be invoiced for an order, by the tenant's policy."""

    DELIVERED = "delivered"
    ORDERED = "ordered"


class InvoiceKind(enum.Enum):
    """An invoice, or a credit note (红字发票) reversing part of issued invoices."""

    INVOICE = "invoice"
    CREDIT_NOTE = "credit_note"


class InvoiceStatus(enum.Enum):
    """requested -> approved -> issued | rejected (requested or approved)."""

    REQUESTED = "requested"
    APPROVED = "approved"
    ISSUED = "issued"
    REJECTED = "rejected"


NEXT: dict[str, tuple[InvoiceStatus, ...]] = {
    "approve": (InvoiceStatus.REQUESTED,),
    "issue": (InvoiceStatus.APPROVED,),
    "reject": (InvoiceStatus.REQUESTED, InvoiceStatus.APPROVED),
}


@attrs.frozen
class TaxPart:
    """The part of an invoice at one tax rate: net + tax = gross."""

    rate: Decimal
    net: Decimal = attrs.field(converter=stored_amount)
    tax: Decimal = attrs.field(converter=stored_amount)
    gross: Decimal = attrs.field(converter=stored_amount)


@attrs.frozen
class InvoiceRequest:
    """开票申请 An invoice (or credit-note) request for one sales order."""

    id: str
    tenant_id: TenantId
    number: str
    kind: InvoiceKind
    order_id: str
    order_number: str
    customer_id: str
    currency: str
    amount: Decimal = attrs.field(converter=stored_amount)
    status: InvoiceStatus
    invoice_number: str | None
    issued_on: date | None
    rejection_reason: str | None
    created_at: datetime
    updated_at: datetime
    taxes: tuple[TaxPart, ...]
    version: int = 1

    @property
    def signed(self) -> Decimal:
        """The amount, negative for a credit note."""
        return -self.amount if self.kind is InvoiceKind.CREDIT_NOTE else self.amount

    def moved(self, action: str, status: InvoiceStatus, now: datetime) -> InvoiceRequest:
        """The request after ``action``.

        Raises:
            InvalidStateTransition: the status does not allow ``action``.
        """
        require_status("InvoiceRequest", self.number, self.status, NEXT[action], action)
        return attrs.evolve(self, status=status, updated_at=now)


@attrs.frozen
class OrderInvoicing:
    """What was requested for one order, net of credit notes (not rejected)."""

    order_id: str
    tenant_id: TenantId
    requested: Decimal = attrs.field(converter=stored_amount)
    version: int = 1


def tax_breakdown(
    amount: Decimal, gross_by_rate: Mapping[Decimal, Decimal], currency: str
) -> tuple[TaxPart, ...]:
    """``amount`` split over the rates by the order's gross per rate (module doc)."""
    step = minor_unit(currency)
    total = sum(gross_by_rate.values(), ZERO)
    rates = sorted(gross_by_rate)
    if total <= 0:
        return ()
    exact = {r: amount * gross_by_rate[r] / total for r in rates}
    parts = {r: Rounding.DOWN.apply(exact[r], step) for r in rates}
    left = int((amount - sum(parts.values(), ZERO)) / step)
    for rate in sorted(rates, key=lambda r: (-(exact[r] - parts[r]), r))[:left]:
        parts[rate] += step
    result = []
    for rate in rates:
        gross = parts[rate]
        if gross == 0:
            continue
        net = Rounding.HALF_UP.apply(gross / (1 + rate), step)
        result.append(TaxPart(rate, net, gross - net, gross))
    return tuple(result)


INVOICE_REQUESTS: RecordType[InvoiceRequest] = RecordType(
    InvoiceRequest,
    entity="InvoiceRequest",
    name="invoice_request",
    fields=(
        text("id", 32),
        text("number", 64, indexed=True),
        text("kind", 16),
        text("order_id", 32, indexed=True),
        text("order_number", 64),
        text("customer_id", 64, indexed=True),
        text("currency", 3),
        decimal("amount", 18, 4),
        text("status", 16, indexed=True),
        text("invoice_number", 64, nullable=True),
        scalar("issued_on", FieldKind.DATE, nullable=True),
        text("rejection_reason", 500, nullable=True),
        scalar("created_at", FieldKind.DATETIME),
        scalar("updated_at", FieldKind.DATETIME),
    ),
    unique=(("number",),),
    nested=("taxes",),
)

ORDER_INVOICING: RecordType[OrderInvoicing] = RecordType(
    OrderInvoicing,
    entity="OrderInvoicing",
    name="order_invoicing",
    plural="order_invoicing",
    key="order_id",
    fields=(text("order_id", 32), decimal("requested", 18, 4)),
)
