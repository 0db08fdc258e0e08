"""回款 Payments received from a customer and their allocation to sales orders.

A payment is money the customer paid (amount, currency, method, date, reference). It is
allocated to the payer's sales orders, never beyond what is still open on an order nor
beyond what is left of the payment, or credited to the payer's prepayment fund. An
:class:`OrderReceipts` record per order keeps what was received for it, so that every
allocation to the order changes one versioned record: concurrent allocations conflict and
are retried, never both applied on a stale total.
"""

from __future__ import annotations

import enum
from datetime import date, datetime
from decimal import Decimal

import attrs

from crmkit.domain.accounts import stored_amount
from crmkit.domain.ids import TenantId
from crmkit.domain.records import FieldKind, RecordType, decimal, scalar, text

ZERO = Decimal(0)


class PaymentStatus(enum.Enum):
    """A payment is received until it is reversed."""

    RECEIVED = "received"
    REVERSED = "reversed"


@attrs.frozen
class InstalmentShare:
    """What one allocation paid into instalment ``no`` of the order's payment plan."""

    no: int
    amount: Decimal = attrs.field(converter=stored_amount)


@attrs.frozen
class PaymentAllocation:
    """A part of a payment allocated to one order; ``credit_repaid`` of it repaid credit;
    ``instalments`` says which instalments of the order's payment plan it paid."""

    order_id: str
    order_number: str
    amount: Decimal = attrs.field(converter=stored_amount)
    credit_repaid: Decimal = attrs.field(converter=stored_amount)
    instalments: tuple[InstalmentShare, ...] = ()


@attrs.frozen
class Payment:
    """回款 A payment received from the customer of ``account_id``.

    ``to_prepayment`` is what was credited to the prepayment fund; what is neither
    allocated nor credited is :attr:`unallocated`.
    """

    id: str
    tenant_id: TenantId
    account_id: str
    customer_id: str
    reference: str
    amount: Decimal = attrs.field(converter=stored_amount)
    currency: str
    method: str
    received_on: date
    status: PaymentStatus
    to_prepayment: Decimal = attrs.field(converter=stored_amount)
    reversal_reason: str | None
    created_at: datetime
    updated_at: datetime
    allocations: tuple[PaymentAllocation, ...]
    version: int = 1

    @property
    def allocated(self) -> Decimal:
        """What is allocated to orders."""
        return sum((a.amount for a in self.allocations), ZERO)

    @property
    def unallocated(self) -> Decimal:
        """What is neither allocated to orders nor credited to the prepayment fund."""
        return self.amount - self.allocated - self.to_prepayment

    def allocated_to(self, order_id: str) -> Decimal:
        """What of this payment is allocated to the order."""
        return sum((a.amount for a in self.allocations if a.order_id == order_id), ZERO)


@attrs.frozen
class OrderReceipts:
    """What was received for one sales order (key: the order id)."""

    order_id: str
    tenant_id: TenantId
    account_id: str
    currency: str
    received: Decimal = attrs.field(converter=stored_amount)
    credit_repaid: Decimal = attrs.field(converter=stored_amount)
    refunded: Decimal = attrs.field(default=ZERO, converter=stored_amount)
    """Cash paid back to the customer against the order (refunds)."""
    version: int = 1


def open_amount(
    gross: Decimal, returned: Decimal, posted_from_funds: Decimal, received: Decimal
) -> Decimal:
    """An order's open amount: gross - returns - posted from prepayment and rebate - received.

    Never below zero (a return after full payment leaves nothing open, not a debt of ours:
    that is a refund's business).
    """
    return max(ZERO, gross - returned - posted_from_funds - received)


PAYMENTS: RecordType[Payment] = RecordType(
    Payment,
    entity="Payment",
    name="payment",
    fields=(
        text("id", 32),
        text("account_id", 32, indexed=True),
        text("customer_id", 64, indexed=True),
        text("reference", 200, indexed=True),
        decimal("amount", 18, 4),
        text("currency", 3),
        text("method", 32),
        scalar("received_on", FieldKind.DATE, indexed=True),
        text("status", 16, indexed=True),
        decimal("to_prepayment", 18, 4),
        text("reversal_reason", 500, nullable=True),
        scalar("created_at", FieldKind.DATETIME),
        scalar("updated_at", FieldKind.DATETIME),
    ),
    nested=("allocations",),
)

ORDER_RECEIPTS: RecordType[OrderReceipts] = RecordType(
    OrderReceipts,
    entity="OrderReceipts",
    name="order_receipts",
    plural="order_receipts",
    key="order_id",
    fields=(
        text("order_id", 32),
        text("account_id", 32, indexed=True),
        text("currency", 3),
        decimal("received", 18, 4),
        decimal("credit_repaid", 18, 4),
        decimal("refunded", 18, 4),
    ),
)
