"""退款 RefundService: refunds requested, approved, paid or rejected."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime

import attrs

from crmkit.domain import Money, ValidationError
from crmkit.domain.accounts import EntryKind, Fund, Ledger
from crmkit.domain.approval_triggers import REFUND_REQUEST
from crmkit.domain.ids import new_id, record_id
from crmkit.domain.receivables.errors import RefundExceedsReceived
from crmkit.domain.receivables.payments import ORDER_RECEIPTS, ZERO
from crmkit.domain.receivables.refunds import REFUNDS, Refund, RefundStatus
from crmkit.domain.text import clean_text
from crmkit.domain.timestamps import utc_millis
from crmkit.services.account_steps import open_ledger, require_available, save_ledger
from crmkit.services.approval_steps import add_held_request, refuse_if_held
from crmkit.services.boundary import checked_calls
from crmkit.services.idempotency import record_loader, run_once
from crmkit.services.ports import UnitOfWork
from crmkit.services.receivables.payment_steps import customer_funds, figures, label, order_of
from crmkit.services.tenant_service import TenantService

REFUND_SERIES = "refund"
Step = Callable[[UnitOfWork, Ledger, Refund], Refund]


@checked_calls
class RefundService(TenantService):
    """Refunds (退款) of prepayment or of payments received for an order.

    Each command is one unit of work, idempotent under ``key``; the money moves at
    :meth:`pay`, under the customer account's lock, never beyond what is there.
    """

    def request_refund(
        self,
        customer_id: str,
        amount: Money,
        *,
        reason: str,
        order_id: str | None = None,
        key: str,
        requested_by: str | None = None,
    ) -> Refund:
        """Request a refund of the customer's prepayment, or against ``order_id``'s
        received payments, numbered ``RF-<year>-<n>``. If an active approval flow of the
        tenant matches it, the refund waits for the flow's approvers (``requested_by``, a
        user id, is the submitter: the flow may route to their managers, never to them).

        Raises:
            NotFound: no such account (customer, currency) or order.
            InsufficientFunds: the prepayment available is smaller.
            RefundExceedsReceived: more than the order received and kept.
            ValidationError: the amount or reason breaks its rule, or the order is not the
                customer's in that currency.
            NotFound: the submitting user does not exist.
            NoApprover: a matching flow's first step has no approver but the submitter.
            DuplicateRequest: ``key`` was used for another request.
        """
        why = clean_text(reason, "refund reason", max_length=500)
        the_order = None if order_id is None else record_id(order_id, "order id")
        submitter = None if requested_by is None else record_id(requested_by, "requested by")
        content: dict[str, object] = {"c": customer_id, "m": (amount.amount, amount.currency),
                                      "r": why, "o": the_order}  # fmt: skip
        if submitter is not None:
            content["s"] = submitter

        def work(uow: UnitOfWork) -> tuple[Refund, str, datetime]:
            account, value = customer_funds(uow, customer_id, amount, "the refund")
            now = utc_millis(self._clock.now())
            number = f"RF-{now.year}-{uow.counters.take(REFUND_SERIES):06d}"
            refund = Refund(
                id=new_id(), tenant_id=uow.tenant_id, number=number,
                account_id=account.id, customer_id=account.customer_id,
                order_id=the_order, order_number=None, amount=value,
                currency=account.currency, reason=why, status=RefundStatus.REQUESTED,
                rejection_reason=None, created_at=now, updated_at=now,
            )  # fmt: skip
            refund = attrs.evolve(refund, order_number=self._check_source(uow, refund))
            stored = add_held_request(
                uow, now, REFUNDS, REFUND_REQUEST, refund, submitted_by=submitter
            )
            return stored, stored.id, now

        return run_once(
            self._uow, key, "refund.request", content, work, replayed=record_loader(REFUNDS)
        )

    def approve(self, refund_id: str, *, key: str) -> Refund:
        """Approve a requested refund that no approval flow holds.

        Raises:
            NotFound: no such refund.
            InvalidStateTransition: the refund is not requested.
            ApprovalPending: an approval flow holds the refund (its approvers decide).
            DuplicateRequest: ``key`` was used for another request.
        """

        def step(uow: UnitOfWork, ledger: Ledger, refund: Refund) -> Refund:
            refuse_if_held(uow, REFUND_REQUEST[0], refund.id, "refund", refund.number)
            return refund.moved("approve", RefundStatus.APPROVED, ledger.now)

        return self._run(key, "refund.approve", {"r": refund_id}, refund_id, step)

    def reject(self, refund_id: str, reason: str, *, key: str) -> Refund:
        """Reject a requested or approved refund with a reason.

        Raises:
            NotFound, InvalidStateTransition, ApprovalPending, DuplicateRequest: as
                :meth:`approve`.
            ValidationError: the reason is empty or too long.
        """
        why = clean_text(reason, "rejection reason", max_length=500)

        def step(uow: UnitOfWork, ledger: Ledger, refund: Refund) -> Refund:
            refuse_if_held(uow, REFUND_REQUEST[0], refund.id, "refund", refund.number)
            moved = refund.moved("reject", RefundStatus.REJECTED, ledger.now)
            return attrs.evolve(moved, rejection_reason=why)

        return self._run(key, "refund.reject", {"r": refund_id, "w": why}, refund_id, step)

    def pay(self, refund_id: str, *, key: str) -> Refund:
        """Pay an approved refund: the prepayment fund is debited, or the order's received
        amount lowered (the part that repaid credit uses the credit again).

        Raises:
            InsufficientFunds: the prepayment available is smaller now.
            RefundExceedsReceived: the order kept less now.
            NotFound, InvalidStateTransition, DuplicateRequest: as :meth:`approve`.
        """

        def step(uow: UnitOfWork, ledger: Ledger, refund: Refund) -> Refund:
            paid = refund.moved("pay", RefundStatus.PAID, ledger.now)
            if refund.order_id is None:
                account = ledger.account
                require_available(
                    account, Fund.PREPAYMENT, refund.amount,
                    account.fund(Fund.PREPAYMENT).available, f"refund {refund.number}",
                )  # fmt: skip
                ledger.move(EntryKind.PREPAYMENT_REFUND, Fund.PREPAYMENT, -refund.amount, ZERO)
                return paid
            receipts = uow.records(ORDER_RECEIPTS).get_many([refund.order_id]).get(refund.order_id)
            kept = ZERO if receipts is None else receipts.received - receipts.refunded
            if receipts is None or refund.amount > kept:  # checked on the record updated below
                raise RefundExceedsReceived(
                    refund.order_number or refund.order_id, refund.amount, kept
                )
            cash = receipts.received - receipts.refunded - receipts.credit_repaid
            credit = max(ZERO, refund.amount - cash)
            if credit > 0:
                ledger.move(
                    EntryKind.CREDIT_REPAYMENT, Fund.CREDIT, -credit, ZERO, order=refund.order_id
                )
            uow.records(ORDER_RECEIPTS).update(
                attrs.evolve(
                    receipts,
                    refunded=receipts.refunded + refund.amount,
                    credit_repaid=receipts.credit_repaid - credit,
                )
            )
            return paid

        return self._run(key, "refund.pay", {"r": refund_id}, refund_id, step)

    def get_refund(self, refund_id: str) -> Refund:
        """The refund ``refund_id``.

        Raises:
            NotFound: no such refund.
        """
        return self._record(REFUNDS, refund_id)

    def _check_source(self, uow: UnitOfWork, refund: Refund) -> str | None:
        """The order's number if the source holds the refund's amount now.

        Raises:
            InsufficientFunds, RefundExceedsReceived, ValidationError, NotFound.
        """
        if refund.order_id is None:
            account = uow.customer_accounts.get(refund.account_id)
            require_available(
                account, Fund.PREPAYMENT, refund.amount,
                account.fund(Fund.PREPAYMENT).available, f"refund {refund.number}",
            )  # fmt: skip
            return None
        order = order_of(uow, refund.order_id)
        if order.account_id != refund.customer_id or order.currency != refund.currency:
            raise ValidationError(
                f"order {label(order)} is not an order of customer {refund.customer_id!r} "
                f"in {refund.currency}; refund against the customer's own orders.",
            )
        figure = figures(uow, order)
        kept = figure.received - figure.refunded
        if refund.amount > kept:
            raise RefundExceedsReceived(label(order), refund.amount, kept)
        return label(order)

    def _run(
        self, key: str, operation: str, payload: Mapping[str, object], refund_id: str, step: Step
    ) -> Refund:

        def work(uow: UnitOfWork) -> tuple[Refund, str, datetime]:
            known = uow.records(REFUNDS).get(refund_id)
            now = utc_millis(self._clock.now())
            ledger = open_ledger(uow, known.account_id, key, now)
            refund = uow.records(REFUNDS).get(refund_id)
            changed = step(uow, ledger, refund)
            save_ledger(uow, ledger)
            stored = uow.records(REFUNDS).update(changed)
            return stored, stored.id, now

        return run_once(self._uow, key, operation, payload, work, replayed=record_loader(REFUNDS))
