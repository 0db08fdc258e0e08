"""Contract: refunds move money only when paid, never beyond what is there, on every backend."""

from __future__ import annotations

from decimal import Decimal as D

from crmkit.domain import DuplicateRequest, InvalidStateTransition, Money
from crmkit.domain.account_errors import InsufficientFunds
from crmkit.domain.accounts import EntryKind, Fund
from crmkit.domain.receivables.errors import RefundExceedsReceived
from crmkit.domain.receivables.refunds import RefundStatus
from crmkit.services import Storage
from crmkit.services.receivables.refunds import RefundService
from crmkit.testing.contracts.payments import PaymentWorld, payment_world
from crmkit.testing.order_support import CUSTOMER


def refunds_of(pw: PaymentWorld) -> RefundService:
    """The refund service over the payment world's tenant."""
    storage, tenant = pw.world.storage, pw.world.tenant
    return RefundService(lambda: storage.unit_of_work(tenant), pw.world.clock)


def cny(amount: str) -> Money:
    """``amount`` yuan."""
    return Money(amount, "CNY")


class RefundContract:
    """Every storage runs refunds identically and atomically."""

    def test_a_prepayment_refund_is_paid_after_approval(self, storage: Storage) -> None:
        """requested -> approved -> paid: the prepayment is debited once, in the journal."""
        pw = payment_world(storage, prepayment="100.00")
        service = refunds_of(pw)
        refund = service.request_refund(
            CUSTOMER.account_id, cny("30.00"), reason="overpaid", key="r"
        )
        assert (refund.number, refund.status) == ("RF-2026-000001", RefundStatus.REQUESTED)
        pw.unchanged(lambda: service.pay(refund.id, key="p0"), InvalidStateTransition)
        service.approve(refund.id, key="a")
        paid = service.pay(refund.id, key="p")
        assert paid.status is RefundStatus.PAID
        assert service.pay(refund.id, key="p") == paid
        summary = pw.world.accounts.fund_summaries(pw.world.account_id)[Fund.PREPAYMENT]
        assert summary.available == D("70.00")
        statement = pw.world.accounts.statement(pw.world.account_id)
        kinds = [e.kind for e in statement.entries]
        assert kinds.count(EntryKind.PREPAYMENT_REFUND) == 1
        pw.unchanged(lambda: service.approve(refund.id, key="a2"), InvalidStateTransition)

    def test_more_than_there_is_refused_at_request_and_at_pay(self, storage: Storage) -> None:
        """Above the available prepayment: refused when asked, and when paid later."""
        pw = payment_world(storage, prepayment="50.00")
        service = refunds_of(pw)
        pw.unchanged(
            lambda: service.request_refund(CUSTOMER.account_id, cny("50.01"), reason="x", key="r0"),
            InsufficientFunds,
        )
        refund = service.request_refund(CUSTOMER.account_id, cny("40.00"), reason="x", key="r")
        service.approve(refund.id, key="a")
        pw.world.accounts.refund_prepayment(pw.world.account_id, cny("20.00"), key="other")
        pw.unchanged(lambda: service.pay(refund.id, key="p"), InsufficientFunds)
        rejected = service.reject(refund.id, "funds spent", key="no")
        assert (rejected.status, rejected.rejection_reason) == (
            RefundStatus.REJECTED,
            "funds spent",
        )
        pw.unchanged(lambda: service.reject(refund.id, "other", key="no"), DuplicateRequest)

    def test_a_refund_against_an_order_uses_its_received_payments(self, storage: Storage) -> None:
        """An order refund lowers what it kept and uses the credit it repaid again."""
        pw = payment_world(storage)
        order = pw.delivered()
        payment = pw.pay("10.00")
        pw.payments.allocate(payment.id, {order.id: D("10.00")}, key="alloc")
        used = pw.credit_used()
        service = refunds_of(pw)
        pw.unchanged(
            lambda: service.request_refund(
                CUSTOMER.account_id, cny("10.01"), reason="x", order_id=order.id, key="r0"
            ),
            RefundExceedsReceived,
        )
        refund = service.request_refund(
            CUSTOMER.account_id, cny("4.00"), reason="double paid", order_id=order.id, key="r"
        )
        assert refund.order_number == order.number
        service.approve(refund.id, key="a")
        service.pay(refund.id, key="p")
        figures = pw.payments.order_figures(order.id)
        assert (figures.received, figures.refunded) == (D("10.00"), D("4.00"))
        assert figures.open == order.totals().gross - D("6.00")
        assert pw.credit_used() == used + D("4.00")
