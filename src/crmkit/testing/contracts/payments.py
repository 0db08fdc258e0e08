"""Contract: payments received are allocated within open amounts, atomically, on every backend."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal as D

import attrs
import pytest

from crmkit.domain import CrmkitError, DuplicateRequest, Money, new_id
from crmkit.domain.account_errors import InsufficientFunds
from crmkit.domain.accounts import Fund
from crmkit.domain.receivables.errors import (
    AllocationExceedsOpenAmount,
    AllocationExceedsPayment,
    PaymentCurrencyMismatch,
    PaymentPayerMismatch,
    PaymentReversed,
)
from crmkit.domain.receivables.payments import Payment, PaymentStatus
from crmkit.domain.sales_order import SalesOrder
from crmkit.services import Storage
from crmkit.services.receivables.payments import PaymentService
from crmkit.testing.order_support import CUSTOMER, OrderWorld, open_world
from crmkit.testing.state import tenant_state
from crmkit.testing.tenants import units_of

PAID_ON = date(2026, 4, 2)


@attrs.frozen
class PaymentWorld:
    """An order world on credit (no prepayment) with the payment service over it."""

    world: OrderWorld
    payments: PaymentService

    def delivered(self, quantity: int = 2) -> SalesOrder:
        """A confirmed order of ``quantity`` of product 0, delivered in full."""
        order = self.world.confirmed(quantity).order
        return self.world.orders.deliver(order.id, {1: quantity}, key=new_id()).order

    def pay(self, amount: str, currency: str = "CNY", reference: str = "BANK-1") -> Payment:
        """A payment of ``amount`` from the world's customer."""
        return self.payments.record_payment(
            CUSTOMER.account_id,
            Money(amount, currency),
            method="bank",
            received_on=PAID_ON,
            reference=reference,
            key=new_id(),
        )

    def credit_used(self) -> D:
        """The credit the customer uses now."""
        return self.world.accounts.get_account(self.world.account_id).credit_used

    def unchanged(self, call: Callable[[], object], error: type[CrmkitError]) -> None:
        """``call`` raises ``error`` and the tenant's stored state is the same after."""
        before = tenant_state(self.world.storage, self.world.tenant)
        with pytest.raises(error):
            call()
        assert tenant_state(self.world.storage, self.world.tenant) == before


def payment_world(storage: Storage, *, prepayment: str = "0") -> PaymentWorld:
    """A fresh tenant selling on a credit limit of 10,000 CNY (and ``prepayment``)."""
    world = open_world(storage, prepayment=prepayment, credit_limit="10000.00")
    return PaymentWorld(world, PaymentService(units_of(storage, world.tenant), world.clock))


class PaymentServiceContract:
    """Every storage allocates, credits and reverses payments identically and atomically."""

    def test_an_allocation_settles_the_order_and_repays_its_credit(self, storage: Storage) -> None:
        """Allocating the open amount leaves nothing open and repays the credit used."""
        pw = payment_world(storage)
        order = pw.delivered()
        gross = order.totals().gross
        assert pw.payments.order_figures(order.id).open == gross
        used = pw.credit_used()
        payment = pw.pay("100.00")
        allocated = pw.payments.allocate(payment.id, {order.id: gross}, key="alloc-1")
        assert allocated.unallocated == D("100.00") - gross
        assert [a.order_number for a in allocated.allocations] == [order.number]
        assert pw.payments.order_figures(order.id).open == 0
        assert pw.credit_used() == used - gross

    def test_allocating_in_two_parts_and_a_retry(self, storage: Storage) -> None:
        """Two partial allocations add up; a retried key changes nothing more."""
        pw = payment_world(storage)
        order = pw.delivered()
        payment = pw.pay("5.00")
        pw.payments.allocate(payment.id, {order.id: D("2.00")}, key="a-1")
        again = pw.payments.allocate(payment.id, {order.id: D("2.00")}, key="a-1")
        assert again.allocated == D("2.00")
        pw.payments.allocate(payment.id, {order.id: D("3.00")}, key="a-2")
        figures = pw.payments.order_figures(order.id)
        assert figures.received == D("5.00")
        assert figures.open == order.totals().gross - D("5.00")
        pw.unchanged(
            lambda: pw.payments.allocate(payment.id, {order.id: D("1.00")}, key="a-1"),
            DuplicateRequest,
        )

    def test_more_than_the_open_amount_is_refused(self, storage: Storage) -> None:
        """An allocation above the order's open amount changes nothing."""
        pw = payment_world(storage)
        order = pw.delivered()
        payment = pw.pay("1000.00")
        over = order.totals().gross + D("0.01")
        pw.unchanged(
            lambda: pw.payments.allocate(payment.id, {order.id: over}, key="x"),
            AllocationExceedsOpenAmount,
        )

    def test_more_than_the_payment_is_refused(self, storage: Storage) -> None:
        """Allocations adding up to more than the payment change nothing."""
        pw = payment_world(storage)
        first, second = pw.delivered(), pw.delivered()
        payment = pw.pay("10.00")
        pw.unchanged(
            lambda: pw.payments.allocate(
                payment.id, {first.id: D("6.00"), second.id: D("4.01")}, key="x"
            ),
            AllocationExceedsPayment,
        )

    def test_a_prepaid_order_has_nothing_open(self, storage: Storage) -> None:
        """An order posted from the prepayment fund is paid: no allocation fits."""
        pw = payment_world(storage, prepayment="5000.00")
        order = pw.delivered()
        assert pw.payments.order_figures(order.id).open == 0
        payment = pw.pay("1.00")
        pw.unchanged(
            lambda: pw.payments.allocate(payment.id, {order.id: D("1.00")}, key="x"),
            AllocationExceedsOpenAmount,
        )

    def test_returns_lower_the_open_amount(self, storage: Storage) -> None:
        """Goods returned are no longer owed."""
        pw = payment_world(storage)
        order = pw.delivered(2)
        world = pw.world
        world.orders.return_goods(
            order.id, {1: 1}, warehouse_id=world.warehouses[0].id, sellable=True, key=new_id()
        )
        figures = pw.payments.order_figures(order.id)
        assert figures.returned > 0
        assert figures.open == order.totals().gross - figures.returned

    def test_another_currency_or_customer_is_refused(self, storage: Storage) -> None:
        """A payment in another currency, or from another customer, changes nothing."""
        pw = payment_world(storage)
        order = pw.delivered()
        pw.world.accounts.open_account(CUSTOMER.account_id, "EUR")
        euros = pw.pay("10.00", "EUR")
        pw.unchanged(
            lambda: pw.payments.allocate(euros.id, {order.id: D("1.00")}, key="x"),
            PaymentCurrencyMismatch,
        )
        pw.world.accounts.open_account("OTHER", "CNY")
        other = pw.payments.record_payment(
            "OTHER", Money("10.00", "CNY"), method="cash", received_on=PAID_ON,
            reference="CASH-1", key="other",
        )  # fmt: skip
        pw.unchanged(
            lambda: pw.payments.allocate(other.id, {order.id: D("1.00")}, key="y"),
            PaymentPayerMismatch,
        )

    def test_credit_to_prepayment_and_reverse(self, storage: Storage) -> None:
        """A reversal undoes the allocations, the credit repayment and the prepayment."""
        pw = payment_world(storage)
        order = pw.delivered()
        used = pw.credit_used()
        payment = pw.pay("20.00")
        pw.payments.allocate(payment.id, {order.id: D("5.00")}, key="a")
        credited = pw.payments.credit_to_prepayment(payment.id, D("15.00"), key="c")
        assert credited.unallocated == 0
        summary = pw.world.accounts.fund_summaries(pw.world.account_id)[Fund.PREPAYMENT]
        assert summary.available == D("15.00")
        pw.unchanged(
            lambda: pw.payments.credit_to_prepayment(payment.id, D("0.01"), key="c2"),
            AllocationExceedsPayment,
        )
        reversed_ = pw.payments.reverse(payment.id, "bounced", key="r")
        assert reversed_.status is PaymentStatus.REVERSED
        assert reversed_.reversal_reason == "bounced"
        assert pw.credit_used() == used
        assert pw.payments.order_figures(order.id).received == 0
        summary = pw.world.accounts.fund_summaries(pw.world.account_id)[Fund.PREPAYMENT]
        assert summary.available == 0
        pw.unchanged(
            lambda: pw.payments.allocate(payment.id, {order.id: D("1.00")}, key="z"),
            PaymentReversed,
        )

    def test_a_reversal_is_refused_when_the_prepayment_was_spent(self, storage: Storage) -> None:
        """Prepayment credited from a payment and refunded since cannot be taken back."""
        pw = payment_world(storage)
        payment = pw.pay("20.00")
        pw.payments.credit_to_prepayment(payment.id, D("20.00"), key="c")
        pw.world.accounts.refund_prepayment(
            pw.world.account_id, Money("10.00", "CNY"), key="refund"
        )
        pw.unchanged(lambda: pw.payments.reverse(payment.id, "bounced", key="r"), InsufficientFunds)
