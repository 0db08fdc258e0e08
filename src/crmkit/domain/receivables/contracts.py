"""合同 Contracts: a customer's agreement with an amount and a validity; orders linked to it.

A contract is ``draft`` until activated, ``terminated`` with a reason, and otherwise
``active`` until its last valid day has passed, then ``expired`` (by the clock, with no
sweep). Orders linked to a contract may not exceed its amount in sum (their gross): every
link changes the contract's versioned record, so concurrent links cannot both take the
same room.
"""

from __future__ import annotations

import enum
from datetime import date, datetime
from decimal import Decimal

import attrs

from crmkit.domain.accounts import stored_amount
from crmkit.domain.ids import TenantId
from crmkit.domain.records import FieldKind, RecordType, decimal, scalar, text


class ContractStatus(enum.Enum):
    """Where a contract stands (``expired`` is derived from the clock)."""

    DRAFT = "draft"
    ACTIVE = "active"
    EXPIRED = "expired"
    TERMINATED = "terminated"


@attrs.frozen
class Contract:
    """合同 A contract of one customer; ``orders`` are the linked orders' ids."""

    id: str
    tenant_id: TenantId
    number: str
    customer_id: str
    currency: str
    amount: Decimal = attrs.field(converter=stored_amount)
    committed: Decimal = attrs.field(converter=stored_amount)
    valid_from: date
    valid_until: date
    stored_status: ContractStatus
    termination_reason: str | None
    created_at: datetime
    updated_at: datetime
    orders: tuple[str, ...]
    version: int = 1

    def status(self, today: date) -> ContractStatus:
        """The status on ``today``: an active contract past its last valid day is expired."""
        if self.stored_status is ContractStatus.ACTIVE and today > self.valid_until:
            return ContractStatus.EXPIRED
        return self.stored_status

    @property
    def room(self) -> Decimal:
        """What linked orders may still add up to."""
        return self.amount - self.committed


@attrs.frozen
class ContractProgress:
    """How far a contract has been fulfilled (sums over its linked orders)."""

    ordered: Decimal
    delivered: Decimal
    invoiced: Decimal
    received: Decimal
    outstanding: Decimal


CONTRACTS: RecordType[Contract] = RecordType(
    Contract,
    entity="Contract",
    name="contract",
    fields=(
        text("id", 32),
        text("number", 64, indexed=True),
        text("customer_id", 64, indexed=True),
        text("currency", 3),
        decimal("amount", 18, 4),
        decimal("committed", 18, 4),
        scalar("valid_from", FieldKind.DATE),
        scalar("valid_until", FieldKind.DATE, indexed=True),
        text("stored_status", 16, indexed=True),
        text("termination_reason", 500, nullable=True),
        scalar("created_at", FieldKind.DATETIME),
        scalar("updated_at", FieldKind.DATETIME),
    ),
    unique=(("number",),),
    nested=("orders",),
)
