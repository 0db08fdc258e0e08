"""回款 PaymentService: record payments received, allocate them, credit or reverse them."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date, datetime
from decimal import Decimal

import attrs

from crmkit.domain import Money, ValidationError
from crmkit.domain.accounts import EntryKind, Fund, Ledger
from crmkit.domain.currency import minor_unit
from crmkit.domain.ids import new_id, record_id
from crmkit.domain.receivables.errors import AllocationExceedsPayment, PaymentReversed
from crmkit.domain.receivables.payments import (
    PAYMENTS,
    ZERO,
    Payment,
    PaymentStatus,
)
from crmkit.domain.text import clean_text
from crmkit.domain.timestamps import utc_millis
from crmkit.services.account_steps import open_ledger, require_available, save_ledger
from crmkit.services.boundary import checked_calls
from crmkit.services.idempotency import record_loader, run_once
from crmkit.services.ports import UnitOfWork
from crmkit.services.receivables.payment_steps import (
    OrderFigures,
    allocate_to_order,
    customer_funds,
    figures,
    order_of,
    undo_allocation,
)
from crmkit.services.tenant_service import TenantService

Act = Callable[[UnitOfWork, Ledger, Payment], Payment]

MAX_ALLOCATIONS = 100
ATTEMPTS = 30


@checked_calls
class PaymentService(TenantService):
    """Payments received from customers (回款) and their allocation to sales orders.

    Every command is one unit of work that locks the payer's customer account first, is
    idempotent under ``key`` (the same key and content return the payment as it is now)
    and changes nothing when it raises.
    """

    def record_payment(
        self,
        customer_id: str,
        amount: Money,
        *,
        method: str,
        received_on: date,
        reference: str,
        key: str,
    ) -> Payment:
        """Record a payment received from the customer, unallocated.

        Raises:
            NotFound: the customer has no account in the payment's currency.
            ValidationError: the amount is not positive in whole minor units, or the method
                or reference is empty or too long.
            DuplicateRequest: ``key`` was used for another request.
        """
        payload = {
            "c": customer_id,
            "m": _m(amount),
            "method": method,
            "on": received_on.isoformat(),
            "ref": reference,
        }

        def work(uow: UnitOfWork) -> tuple[Payment, str, datetime]:
            account, value = customer_funds(uow, customer_id, amount, "the payment")
            now = utc_millis(self._clock.now())
            payment = Payment(
                id=new_id(),
                tenant_id=uow.tenant_id,
                account_id=account.id,
                customer_id=account.customer_id,
                reference=clean_text(reference, "payment reference", max_length=200),
                amount=value,
                currency=account.currency,
                method=clean_text(method, "payment method", max_length=32),
                received_on=received_on,
                status=PaymentStatus.RECEIVED,
                to_prepayment=ZERO,
                reversal_reason=None,
                created_at=now,
                updated_at=now,
                allocations=(),
            )
            stored = uow.records(PAYMENTS).add(payment)
            return stored, stored.id, now

        return run_once(
            self._uow,
            key,
            "payment.record",
            payload,
            work,
            replayed=record_loader(PAYMENTS),
            attempts=ATTEMPTS,
        )

    def allocate(
        self, payment_id: str, amounts: Mapping[str, Decimal | int | str], *, key: str
    ) -> Payment:
        """Allocate parts of the payment to the payer's orders (order id -> amount).

        Each amount must be positive, in whole minor units of the payment's currency, at
        most the order's open amount (gross - returns - posted from prepayment and rebate -
        received); together at most what is left of the payment. The part covering credit
        the order used repays that credit.

        Raises:
            NotFound: no such payment or order.
            PaymentReversed: the payment was reversed.
            PaymentPayerMismatch: an order belongs to another customer.
            PaymentCurrencyMismatch: an order is in another currency.
            AllocationExceedsOpenAmount: an amount is above the order's open amount.
            AllocationExceedsPayment: the amounts add up to more than is left.
            InvalidStateTransition: an order is a draft or cancelled.
            ValidationError: no amounts, too many, or an amount not positive and rounded.
            DuplicateRequest: ``key`` was used for another request.
        """
        if not amounts or len(amounts) > MAX_ALLOCATIONS:
            raise ValidationError(
                f"allocate takes between 1 and {MAX_ALLOCATIONS} orders with an amount each."
            )
        wanted = {record_id(order, "order id"): Decimal(value) for order, value in amounts.items()}

        def act(uow: UnitOfWork, ledger: Ledger, payment: Payment) -> Payment:
            total = sum(wanted.values(), ZERO)
            for value in wanted.values():
                _rounded(value, payment)
            if total > payment.unallocated:
                raise AllocationExceedsPayment(payment.reference, total, payment.unallocated)
            for order_id in sorted(wanted):
                order = order_of(uow, order_id)
                payment = allocate_to_order(uow, ledger, payment, order, wanted[order_id])
            return payment

        payload = {"p": payment_id, "a": sorted(wanted.items())}
        return self._run(key, "payment.allocate", payload, payment_id, action="allocate", act=act)

    def allocate_to_instalment(
        self,
        payment_id: str,
        order_id: str,
        instalment: int,
        amount: Decimal | int | str,
        *,
        key: str,
    ) -> Payment:
        """Allocate ``amount`` of the payment to one instalment of the order's payment plan.

        Raises:
            ValidationError: the order has no plan or no such instalment, or ``amount`` is
                more than is left on the instalment.
            NotFound, PaymentReversed, PaymentPayerMismatch, PaymentCurrencyMismatch,
                AllocationExceedsOpenAmount, AllocationExceedsPayment, DuplicateRequest: as
                :meth:`allocate`.
        """
        the_order = record_id(order_id, "order id")
        value = Decimal(amount)

        def act(uow: UnitOfWork, ledger: Ledger, payment: Payment) -> Payment:
            _rounded(value, payment)
            if value > payment.unallocated:
                raise AllocationExceedsPayment(payment.reference, value, payment.unallocated)
            order = order_of(uow, the_order)
            return allocate_to_order(uow, ledger, payment, order, value, instalment_no=instalment)

        payload = {"p": payment_id, "o": the_order, "i": instalment, "m": value}
        return self._run(
            key, "payment.allocate_instalment", payload, payment_id, action="allocate", act=act
        )

    def credit_to_prepayment(
        self, payment_id: str, amount: Decimal | int | str, *, key: str
    ) -> Payment:
        """Credit ``amount`` of what is left of the payment to the payer's prepayment fund.

        Raises:
            AllocationExceedsPayment: more than is left of the payment.
            NotFound, PaymentReversed, ValidationError, DuplicateRequest: as :meth:`allocate`.
        """

        def act(uow: UnitOfWork, ledger: Ledger, payment: Payment) -> Payment:
            value = _rounded(Decimal(amount), payment)
            if value > payment.unallocated:
                raise AllocationExceedsPayment(payment.reference, value, payment.unallocated)
            ledger.move(EntryKind.DEPOSIT, Fund.PREPAYMENT, value, ZERO)
            return attrs.evolve(payment, to_prepayment=payment.to_prepayment + value)

        payload = {"p": payment_id, "m": Decimal(amount)}
        return self._run(key, "payment.credit", payload, payment_id, action="credit", act=act)

    def reverse(self, payment_id: str, reason: str, *, key: str) -> Payment:
        """Reverse the payment: its allocations undone, credit repayments and the prepayment
        credit taken back.

        Raises:
            InsufficientFunds: the prepayment credited from it was spent meanwhile.
            ValidationError: the reason is empty or too long, or the credit repaid by it
                was used again meanwhile.
            NotFound, PaymentReversed, DuplicateRequest: as :meth:`allocate`.
        """
        why = clean_text(reason, "reversal reason", max_length=500)

        def act(uow: UnitOfWork, ledger: Ledger, payment: Payment) -> Payment:
            if payment.to_prepayment > 0:
                account = ledger.account
                require_available(
                    account,
                    Fund.PREPAYMENT,
                    payment.to_prepayment,
                    account.fund(Fund.PREPAYMENT).available,
                    f"reversing payment {payment.reference!r}",
                )
                ledger.move(
                    EntryKind.PREPAYMENT_REFUND, Fund.PREPAYMENT, -payment.to_prepayment, ZERO
                )
            undo_allocation(uow, ledger, payment)
            return attrs.evolve(
                payment,
                status=PaymentStatus.REVERSED,
                reversal_reason=why,
                allocations=(),
                to_prepayment=ZERO,
            )

        payload = {"p": payment_id, "r": why}
        return self._run(key, "payment.reverse", payload, payment_id, action="reverse", act=act)

    def get_payment(self, payment_id: str) -> Payment:
        """The payment ``payment_id``.

        Raises:
            NotFound: no such payment.
        """
        return self._record(PAYMENTS, payment_id)

    def order_figures(self, order_id: str) -> OrderFigures:
        """The order's receivable figures: gross, returns, postings, received, open.

        Raises:
            NotFound: no such order.
        """
        with self._uow() as uow:
            return figures(uow, order_of(uow, order_id))

    def _run(
        self,
        key: str,
        operation: str,
        payload: Mapping[str, object],
        payment_id: str,
        *,
        action: str,
        act: Act,
    ) -> Payment:

        def work(uow: UnitOfWork) -> tuple[Payment, str, datetime]:
            known = uow.records(PAYMENTS).get(payment_id)
            now = utc_millis(self._clock.now())
            ledger = open_ledger(uow, known.account_id, key, now)
            payment = uow.records(PAYMENTS).get(payment_id)  # read after the lock
            if payment.status is PaymentStatus.REVERSED:
                raise PaymentReversed(payment.reference, action)
            changed = act(uow, ledger, payment)
            save_ledger(uow, ledger)
            stored = uow.records(PAYMENTS).update(attrs.evolve(changed, updated_at=now))
            return stored, stored.id, now

        return run_once(
            self._uow,
            key,
            operation,
            payload,
            work,
            replayed=record_loader(PAYMENTS),
            attempts=ATTEMPTS,
        )


def _rounded(value: Decimal, payment: Payment) -> Decimal:
    if value <= 0 or value != value.quantize(minor_unit(payment.currency)):
        raise ValidationError(
            f"an amount of payment {payment.reference!r} must be positive and in whole minor "
            f"units of {payment.currency}, got {value}.",
            payment=payment.reference,
        )
    return value


def _m(amount: Money) -> tuple[Decimal, str]:
    if not isinstance(amount, Money):
        raise ValidationError(f"expected Money, got {type(amount).__name__}.")
    return (amount.amount, amount.currency)
