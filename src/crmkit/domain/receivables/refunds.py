"""退款 Refunds: cash paid back to the customer, from the prepayment fund or against an order.

requested -> approved -> paid | rejected (requested or approved may be rejected). The
approval step is where approval flows plug in; the money moves only when it is paid.
"""

from __future__ import annotations

import enum
from datetime import datetime
from decimal import Decimal

import attrs

from crmkit.domain.accounts import stored_amount
from crmkit.domain.ids import TenantId
from crmkit.domain.lifecycle import require_status
from crmkit.domain.records import FieldKind, RecordType, decimal, scalar, text


class RefundStatus(enum.Enum):
    """Where a refund stands."""

    REQUESTED = "requested"
    APPROVED = "approved"
    PAID = "paid"
    REJECTED = "rejected"


NEXT: dict[str, tuple[RefundStatus, ...]] = {
    "approve": (RefundStatus.REQUESTED,),
    "pay": (RefundStatus.APPROVED,),
    "reject": (RefundStatus.REQUESTED, RefundStatus.APPROVED),
}
"""The statuses each step starts from."""


@attrs.frozen
class Refund:
    """退款 A refund to the customer of ``account_id``; ``order_id`` is ``None`` for a
    refund of prepayment."""

    id: str
    tenant_id: TenantId
    number: str
    account_id: str
    customer_id: str
    order_id: str | None
    order_number: str | None
    amount: Decimal = attrs.field(converter=stored_amount)
    currency: str
    reason: str
    status: RefundStatus
    rejection_reason: str | None
    created_at: datetime
    updated_at: datetime
    version: int = 1

    def moved(self, action: str, status: RefundStatus, now: datetime) -> Refund:
        """The refund after ``action``.

        Raises:
            InvalidStateTransition: the refund's status does not allow ``action``.
        """
        require_status("Refund", self.number, self.status, NEXT[action], action)
        return attrs.evolve(self, status=status, updated_at=now)


REFUNDS: RecordType[Refund] = RecordType(
    Refund,
    entity="Refund",
    name="refund",
    fields=(
        text("id", 32),
        text("number", 64, indexed=True),
        text("account_id", 32, indexed=True),
        text("customer_id", 64, indexed=True),
        text("order_id", 32, nullable=True, indexed=True),
        text("order_number", 64, nullable=True),
        decimal("amount", 18, 4),
        text("currency", 3),
        text("reason", 500),
        text("status", 16, indexed=True),
        text("rejection_reason", 500, nullable=True),
        scalar("created_at", FieldKind.DATETIME),
        scalar("updated_at", FieldKind.DATETIME),
    ),
    unique=(("number",),),
)
