"""回款计划 Payment plans: instalments with due dates for an order, and their reminders.

**Remainder rule.** Instalments given as percentages of the total are each
``total x percent / 100`` rounded *down* to the currency's minor unit, except the *last*
instalment, which takes the total minus the others: the instalments always sum exactly to
the total, and the rounding remainder (less than one minor unit per instalment) falls on
the last one. Instalments given as amounts must sum exactly to the total.

An instalment's status follows from what was allocated to it and the date asked about:
``paid`` once paid in full, ``overdue`` when not paid in full after its due date,
``partly_paid`` when something was paid, else ``open``.
"""

from __future__ import annotations

import enum
import itertools
from collections.abc import Sequence
from datetime import date, datetime, timedelta
from decimal import Decimal

import attrs

from crmkit.domain.accounts import stored_amount
from crmkit.domain.currency import minor_unit
from crmkit.domain.errors import ValidationError
from crmkit.domain.ids import TenantId
from crmkit.domain.lookup import the_one
from crmkit.domain.records import FieldKind, RecordType, decimal, scalar, text
from crmkit.domain.rounding import Rounding

ZERO = Decimal(0)
HUNDRED = Decimal(100)
MAX_INSTALMENTS = 60
MAX_OFFSETS = 10
MAX_OFFSET_DAYS = 365
REMINDER_EVENT = "payment_plan.reminder"
AGEING_BUCKETS = ("current", "1-30", "31-60", "61-90", "over 90")


class InstalmentStatus(enum.Enum):
    """Where an instalment stands on a given date."""

    OPEN = "open"
    PARTLY_PAID = "partly_paid"
    PAID = "paid"
    OVERDUE = "overdue"


@attrs.frozen
class Instalment:
    """One instalment: ``amount`` due on ``due_on``; ``paid`` of it allocated so far.

    ``paid_on`` is the date of the payment that completed it (``None`` until then);
    ``reminded`` the reminder offsets already raised for it.
    """

    no: int
    due_on: date
    amount: Decimal = attrs.field(converter=stored_amount)
    paid: Decimal = attrs.field(converter=stored_amount)
    paid_on: date | None
    reminded: tuple[int, ...]

    @property
    def left(self) -> Decimal:
        """What is still to pay."""
        return self.amount - self.paid

    def status(self, as_of: date) -> InstalmentStatus:
        """The status on ``as_of`` (due today is not overdue; the day after is)."""
        if self.left <= 0:
            return InstalmentStatus.PAID
        if as_of > self.due_on:
            return InstalmentStatus.OVERDUE
        return InstalmentStatus.PARTLY_PAID if self.paid > 0 else InstalmentStatus.OPEN

    def paid_late(self) -> bool:
        """Whether it was paid in full after its due date."""
        return self.paid_on is not None and self.paid_on > self.due_on

    def days_overdue(self, as_of: date) -> int:
        """Days past due on ``as_of`` (0 if not yet due or paid)."""
        return 0 if self.left <= 0 else max(0, (as_of - self.due_on).days)


@attrs.frozen
class PaymentPlan:
    """回款计划 A payment plan for one sales order (one plan per order, keyed by its id)."""

    order_id: str
    tenant_id: TenantId
    order_number: str
    account_id: str
    customer_id: str
    currency: str
    total: Decimal = attrs.field(converter=stored_amount)
    created_at: datetime
    offsets: tuple[int, ...]
    instalments: tuple[Instalment, ...]
    version: int = 1

    def instalment(self, no: int) -> Instalment:
        """The instalment numbered ``no``.

        Raises:
            ValidationError: the plan has no such instalment.
        """
        return the_one(
            self.instalments,
            lambda instalment: instalment.no == no,
            lambda: ValidationError(
                f"the payment plan of order {self.order_number} has no instalment {no}; "
                f"it has 1 to {len(self.instalments)}.",
            ),
        )

    @property
    def left(self) -> Decimal:
        """What is still to pay over all instalments."""
        return sum((i.left for i in self.instalments), ZERO)


def split_percentages(total: Decimal, percents: Sequence[Decimal], currency: str) -> list[Decimal]:
    """Instalment amounts for ``percents`` of ``total`` by the remainder rule (module doc).

    Raises:
        ValidationError: a percentage is not positive, or they do not sum to 100.
    """
    if any(p <= 0 for p in percents) or sum(percents, ZERO) != HUNDRED:
        raise ValidationError(
            f"instalment percentages must be positive and sum to 100, got "
            f"{', '.join(str(p) for p in percents)}.",
        )
    step = minor_unit(currency)
    amounts = [Rounding.DOWN.apply(total * p / HUNDRED, step) for p in percents[:-1]]
    return [*amounts, total - sum(amounts, ZERO)]


def check_amounts(total: Decimal, amounts: Sequence[Decimal], currency: str) -> list[Decimal]:
    """``amounts`` if each is positive in whole minor units and they sum to ``total``.

    Raises:
        ValidationError: they do not.
    """
    step = minor_unit(currency)
    if any(a <= 0 or a != a.quantize(step) for a in amounts) or sum(amounts, ZERO) != total:
        raise ValidationError(
            f"instalment amounts must be positive in whole minor units of {currency} and sum "
            f"to the total {total}; got {', '.join(str(a) for a in amounts)}.",
        )
    return list(amounts)


def check_schedule(due_dates: Sequence[date], offsets: Sequence[int]) -> None:
    """Due dates strictly ascending, at most 60; reminder offsets distinct, within a year.

    Raises:
        ValidationError: they are not.
    """
    if not 1 <= len(due_dates) <= MAX_INSTALMENTS or any(
        a >= b for a, b in itertools.pairwise(due_dates)
    ):
        raise ValidationError(
            f"a payment plan has 1 to {MAX_INSTALMENTS} instalments with strictly ascending "
            f"due dates.",
        )
    if len(offsets) > MAX_OFFSETS or len(set(offsets)) != len(offsets):
        raise ValidationError(f"give at most {MAX_OFFSETS} distinct reminder offsets in days.")
    if any(abs(o) > MAX_OFFSET_DAYS for o in offsets):
        raise ValidationError(f"reminder offsets are days within ±{MAX_OFFSET_DAYS}.")


def apply_payment(
    plan: PaymentPlan, amount: Decimal, paid_on: date, instalment_no: int | None
) -> PaymentPlan:
    """The plan with ``amount`` paid into instalment ``instalment_no``, or oldest due first.

    Raises:
        ValidationError: more than is left (on the named instalment, or on the plan).
    """
    left = plan.instalment(instalment_no).left if instalment_no is not None else plan.left
    if amount > left:
        where = f"instalment {instalment_no}" if instalment_no is not None else "the plan"
        raise ValidationError(
            f"{where} of the payment plan of order {plan.order_number} has {left} left to "
            f"pay; {amount} is more.",
        )
    rest = amount
    changed: list[Instalment] = []
    for instalment in plan.instalments:  # ascending due dates
        take = ZERO
        if rest > 0 and instalment_no in (None, instalment.no):
            take = min(rest, instalment.left)
        rest -= take
        paid = instalment.paid + take
        done = paid_on if take > 0 and paid == instalment.amount else instalment.paid_on
        changed.append(attrs.evolve(instalment, paid=paid, paid_on=done))
    return attrs.evolve(plan, instalments=tuple(changed))


def undo_payment(plan: PaymentPlan, shares: Sequence[tuple[int, Decimal]]) -> PaymentPlan:
    """The plan with the instalment shares of a reversed allocation taken back."""
    taken = dict(shares)
    changed = [
        attrs.evolve(i, paid=i.paid - taken[i.no], paid_on=None) if i.no in taken else i
        for i in plan.instalments
    ]
    return attrs.evolve(plan, instalments=tuple(changed))


def shares_of(before: PaymentPlan, after: PaymentPlan) -> tuple[tuple[int, Decimal], ...]:
    """What each instalment received between two states of a plan."""
    return tuple(
        (a.no, a.paid - b.paid)
        for a, b in zip(after.instalments, before.instalments, strict=True)
        if a.paid != b.paid
    )


def reminders_due(plan: PaymentPlan, as_of: date) -> list[tuple[Instalment, int]]:
    """(instalment, offset) pairs not yet raised whose day (due + offset) is ``as_of`` or
    earlier, for instalments not paid in full."""
    return [
        (i, offset)
        for i in plan.instalments
        if i.left > 0
        for offset in plan.offsets
        if offset not in i.reminded and i.due_on + timedelta(days=offset) <= as_of
    ]


def bucket(days_overdue: int) -> str:
    """The ageing bucket of a debt ``days_overdue`` days past due."""
    if days_overdue <= 0:
        return AGEING_BUCKETS[0]
    if days_overdue <= 30:
        return AGEING_BUCKETS[1]
    if days_overdue <= 60:
        return AGEING_BUCKETS[2]
    if days_overdue <= 90:
        return AGEING_BUCKETS[3]
    return AGEING_BUCKETS[4]


PAYMENT_PLANS: RecordType[PaymentPlan] = RecordType(
    PaymentPlan,
    entity="PaymentPlan",
    name="payment_plan",
    key="order_id",
    fields=(
        text("order_id", 32),
        text("order_number", 64),
        text("account_id", 32, indexed=True),
        text("customer_id", 64, indexed=True),
        text("currency", 3),
        decimal("total", 18, 4),
        scalar("created_at", FieldKind.DATETIME),
    ),
    nested=("offsets", "instalments"),
)
