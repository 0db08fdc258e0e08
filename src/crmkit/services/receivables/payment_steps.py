"""Steps shared by the payment commands: an order's figures and one allocation."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import attrs

from crmkit.domain.accounts import CustomerAccount, EntryKind, Fund, Ledger, positive_amount
from crmkit.domain.errors import (
    ConcurrencyConflict,
    DuplicateRecord,
    InvalidStateTransition,
    NotFound,
    ValidationError,
)
from crmkit.domain.money import Money
from crmkit.domain.order_lifecycle import share
from crmkit.domain.receivables.errors import (
    AllocationExceedsOpenAmount,
    PaymentCurrencyMismatch,
    PaymentPayerMismatch,
)
from crmkit.domain.receivables.payments import (
    ORDER_RECEIPTS,
    ZERO,
    InstalmentShare,
    OrderReceipts,
    Payment,
    PaymentAllocation,
    open_amount,
)
from crmkit.domain.receivables.plans import PAYMENT_PLANS, apply_payment, shares_of, undo_payment
from crmkit.domain.sales_order import SalesOrder, SalesOrderId, SalesOrderStatus
from crmkit.services.ports import UnitOfWork


def customer_funds(
    uow: UnitOfWork, customer_id: str, amount: Money, what: str
) -> tuple[CustomerAccount, Decimal]:
    """The customer's account in the currency of ``amount``, and ``amount`` checked as
    ``what`` (positive, in whole minor units) for it.

    Raises:
        NotFound: the customer has no account in that currency.
        ValidationError: the amount is not positive in whole minor units.
    """
    account = uow.customer_accounts.find(customer_id, amount.currency)
    if account is None:
        raise NotFound("CustomerAccount", "customer", customer_id, uow.tenant_id)
    return account, positive_amount(amount, account.currency, account.id, what)


@attrs.frozen
class OrderFigures:
    """An order's receivable figures (in the order's currency)."""

    gross: Decimal
    returned: Decimal
    posted_from_funds: Decimal
    credit_used: Decimal
    received: Decimal
    credit_repaid: Decimal
    refunded: Decimal

    @property
    def open(self) -> Decimal:
        """What the customer still owes on the order (refunds count against received)."""
        kept = self.received - self.refunded
        return open_amount(self.gross, self.returned, self.posted_from_funds, kept)


def label(order: SalesOrder) -> str:
    """The order as users know it: its number (its id while it has none)."""
    return order.number or order.id


def receipts_of(uow: UnitOfWork, order: SalesOrder) -> OrderReceipts | None:
    """The order's receipts record, if anything was ever received for it."""
    return uow.records(ORDER_RECEIPTS).get_many([order.id]).get(order.id)


def figures(uow: UnitOfWork, order: SalesOrder) -> OrderFigures:
    """The order's gross, returns, fund postings, credit used and what was received."""
    return figures_with(uow, order, receipts_of(uow, order))


def figures_with(
    uow: UnitOfWork, order: SalesOrder, receipts: OrderReceipts | None
) -> OrderFigures:
    """The order's figures with ``receipts`` as read in this unit of work."""
    posted = ZERO
    credit = ZERO
    account = uow.customer_accounts.find(order.account_id, order.currency)
    holds = [] if account is None else uow.holds.of_order(account.id, order.id)
    for hold in holds:
        kept = hold.posted - hold.refunded
        if hold.fund is Fund.CREDIT:
            credit += kept
        else:
            posted += kept
    return OrderFigures(
        gross=order.totals().gross,
        returned=share(order, {line.line_no: line.returned for line in order.lines}),
        posted_from_funds=posted,
        credit_used=credit,
        received=ZERO if receipts is None else receipts.received,
        credit_repaid=ZERO if receipts is None else receipts.credit_repaid,
        refunded=ZERO if receipts is None else receipts.refunded,
    )


def allocate_to_order(
    uow: UnitOfWork,
    ledger: Ledger,
    payment: Payment,
    order: SalesOrder,
    amount: Decimal,
    *,
    instalment_no: int | None = None,
) -> Payment:
    """Allocate ``amount`` of ``payment`` to ``order``; credit used by the order is repaid;
    if the order has a payment plan, the amount pays its instalments (``instalment_no``,
    or oldest due first).

    Raises:
        PaymentPayerMismatch, PaymentCurrencyMismatch, AllocationExceedsOpenAmount,
        InvalidStateTransition: see :meth:`PaymentService.allocate`.
    """
    if order.currency != payment.currency:
        raise PaymentCurrencyMismatch(
            payment.reference, payment.currency, label(order), order.currency
        )
    if order.account_id != payment.customer_id:
        raise PaymentPayerMismatch(payment.reference, payment.customer_id, label(order))
    if order.status in (SalesOrderStatus.DRAFT, SalesOrderStatus.CANCELLED):
        raise InvalidStateTransition(
            "Order", label(order), order.status.value, "allocate a payment to"
        )
    receipts = receipts_of(uow, order)  # read once: the check and the update share it
    figure = figures_with(uow, order, receipts)
    if amount > figure.open:
        raise AllocationExceedsOpenAmount(label(order), amount, figure.open)
    repay = min(amount, max(ZERO, figure.credit_used - figure.credit_repaid))
    repay = min(repay, ledger.account.credit_used)
    if repay > 0:
        ledger.move(EntryKind.CREDIT_REPAYMENT, Fund.CREDIT, repay, ZERO, order=order.id)
    save_receipts(uow, payment, order.id, amount, repay, receipts)
    shares = pay_plan(uow, order, amount, payment.received_on, instalment_no)
    allocation = PaymentAllocation(order.id, label(order), amount, repay, shares)
    return attrs.evolve(payment, allocations=(*payment.allocations, allocation))


def save_receipts(  # noqa: PLR0917 - the record as read belongs with the change
    uow: UnitOfWork,
    payment: Payment,
    order_id: str,
    amount: Decimal,
    repaid: Decimal,
    current: OrderReceipts | None,
) -> None:
    """Add ``amount`` (and ``repaid``) to the order's receipts ``current`` as read in this
    unit of work (negative to undo); its version guards the change."""
    table = uow.records(ORDER_RECEIPTS)
    if current is None:
        add_first(
            uow,
            OrderReceipts(
                order_id=order_id,
                tenant_id=uow.tenant_id,
                account_id=payment.account_id,
                currency=payment.currency,
                received=amount,
                credit_repaid=repaid,
            ),
        )
        return
    if current.received + amount < current.refunded:
        raise ValidationError(
            f"{current.refunded} was refunded against order {order_label(uow, order_id)}; "
            f"a reversal may not take back more than was kept. Reverse the refund first.",
        )
    table.update(
        attrs.evolve(
            current,
            received=current.received + amount,
            credit_repaid=current.credit_repaid + repaid,
        )
    )


def add_first(uow: UnitOfWork, receipts: OrderReceipts) -> None:
    """Add an order's first receipts; a concurrent first allocation makes this one retry."""
    try:
        uow.records(ORDER_RECEIPTS).add(receipts)
    except DuplicateRecord:
        raise ConcurrencyConflict(
            "OrderReceipts", receipts.order_id, uow.tenant_id, "added concurrently"
        ) from None


def order_label(uow: UnitOfWork, order_id: str) -> str:
    """The number of order ``order_id`` (its id while it has none)."""
    return label(order_of(uow, order_id))


def undo_allocation(uow: UnitOfWork, ledger: Ledger, payment: Payment) -> None:
    """Undo every allocation of ``payment``: receipts lowered, credit repayments reversed."""
    for allocation in sorted(payment.allocations, key=lambda a: a.order_id):
        if allocation.credit_repaid > 0:
            ledger.move(
                EntryKind.CREDIT_REPAYMENT,
                Fund.CREDIT,
                -allocation.credit_repaid,
                ZERO,
                order=allocation.order_id,
            )
        current = uow.records(ORDER_RECEIPTS).get(allocation.order_id)
        save_receipts(
            uow,
            payment,
            allocation.order_id,
            -allocation.amount,
            -allocation.credit_repaid,
            current,
        )
        if allocation.instalments:
            plans = uow.records(PAYMENT_PLANS)
            plan = plans.get(allocation.order_id)
            taken = [(s.no, s.amount) for s in allocation.instalments]
            plans.update(undo_payment(plan, taken))


def pay_plan(
    uow: UnitOfWork, order: SalesOrder, amount: Decimal, paid_on: date, no: int | None
) -> tuple[InstalmentShare, ...]:
    """Pay ``amount`` into the order's plan (if it has one); what each instalment got.

    Raises:
        ValidationError: an instalment was named but the order has no plan, or the amount
            is more than is left on the plan or the named instalment.
    """
    plans = uow.records(PAYMENT_PLANS)
    plan = plans.get_many([order.id]).get(order.id)
    if plan is None:
        if no is not None:
            raise ValidationError(
                f"order {label(order)} has no payment plan; allocate without an instalment."
            )
        return ()
    changed = apply_payment(plan, amount, paid_on, no)
    plans.update(changed)
    return tuple(InstalmentShare(n, a) for n, a in shares_of(plan, changed))


def order_of(uow: UnitOfWork, order_id: str) -> SalesOrder:
    """The sales order ``order_id``."""
    return uow.sales_orders.get(SalesOrderId(order_id))
