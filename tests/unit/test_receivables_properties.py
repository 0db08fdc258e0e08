"""Hypothesis properties of the receivables arithmetic: plan splits, instalment payments,
open amounts, and allocation through the payment service (in memory)."""

from __future__ import annotations

import contextlib
import itertools
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from crmkit.adapters.memory import InMemoryStorage
from crmkit.domain import CrmkitError, TenantId, ValidationError
from crmkit.domain.receivables.invoices import tax_breakdown
from crmkit.domain.receivables.payments import open_amount
from crmkit.domain.receivables.plans import (
    Instalment,
    PaymentPlan,
    apply_payment,
    split_percentages,
)
from crmkit.services.receivables.invoices import InvoiceService
from crmkit.testing.contracts.payments import payment_world
from crmkit.testing.record_kits import T0

CENT = Decimal("0.01")
cents = st.integers(1, 10**9).map(lambda n: Decimal(n) * CENT)


@st.composite
def percents(draw: st.DrawFn) -> list[Decimal]:
    """Positive percentages with two decimals summing to exactly 100."""
    cuts = draw(st.lists(st.integers(1, 9999), unique=True, max_size=11).map(sorted))
    bounds = [0, *cuts, 10000]
    return [Decimal(b - a) / 100 for a, b in itertools.pairwise(bounds)]


def plan_of(amounts: list[Decimal]) -> PaymentPlan:
    """A plan with instalments of ``amounts`` due a month apart."""
    return PaymentPlan(
        order_id="o-1", tenant_id=TenantId("t"), order_number="SO-1", account_id="a",
        customer_id="C", currency="CNY", total=sum(amounts, Decimal(0)), created_at=T0,
        offsets=(0,),
        instalments=tuple(
            Instalment(n + 1, date(2026, 1, 1) + timedelta(days=30 * n), a, Decimal(0), None, ())
            for n, a in enumerate(amounts)
        ),
    )  # fmt: skip


class TestPlanArithmetic:
    """Instalments always sum to the total and are paid oldest first."""

    @given(total=cents, parts=percents())
    def test_percent_splits_sum_exactly_with_the_remainder_last(
        self, total: Decimal, parts: list[Decimal]
    ) -> None:
        """Every split sums to the total; only the last takes the rounding remainder."""
        amounts = split_percentages(total, parts, "CNY")
        assert sum(amounts, Decimal(0)) == total
        for amount, percent in zip(amounts[:-1], parts[:-1], strict=True):
            exact = total * percent / 100
            assert Decimal(0) <= exact - amount < CENT
        assert amounts[-1] >= total * parts[-1] / 100

    @given(parts=st.lists(st.decimals(-50, 150, places=2), min_size=1, max_size=5))
    def test_percentages_not_summing_to_100_are_refused(self, parts: list[Decimal]) -> None:
        """Percentages off 100, or not positive, raise ValidationError."""
        if sum(parts, Decimal(0)) == 100 and all(p > 0 for p in parts):
            return
        with pytest.raises(ValidationError):
            split_percentages(Decimal("100.00"), parts, "CNY")

    @given(
        amounts=st.lists(cents, min_size=1, max_size=6),
        payments=st.lists(cents, max_size=8),
    )
    def test_payments_fill_the_oldest_instalments_first(
        self, amounts: list[Decimal], payments: list[Decimal]
    ) -> None:
        """Paid never exceeds an instalment; what was accepted is paid oldest first."""
        plan = plan_of(amounts)
        accepted = Decimal(0)
        for n, payment in enumerate(payments):
            try:
                plan = apply_payment(plan, payment, date(2026, 1, 1) + timedelta(days=n), None)
                accepted += payment
            except ValidationError:
                assert payment > plan.left
        paid = [i.paid for i in plan.instalments]
        assert sum(paid, Decimal(0)) == accepted
        assert all(Decimal(0) <= i.paid <= i.amount for i in plan.instalments)
        for earlier, later in zip(plan.instalments, plan.instalments[1:], strict=False):
            assert later.paid == 0 or earlier.left == 0


class TestOpenAmount:
    """The open amount never goes below zero and falls by what is allocated."""

    @given(gross=cents, returned=cents, posted=cents, received=cents)
    def test_open_amount_is_the_rest_or_nothing(
        self, gross: Decimal, returned: Decimal, posted: Decimal, received: Decimal
    ) -> None:
        """gross - returns - posted - received, floored at zero."""
        result = open_amount(gross, returned, posted, received)
        assert result == max(Decimal(0), gross - returned - posted - received)


class TestAllocationThroughTheService:
    """Random allocations of two payments over two orders never over-allocate (memory)."""

    @settings(max_examples=15)
    @given(
        steps=st.lists(
            st.tuples(st.integers(0, 1), st.integers(0, 1), st.integers(1, 3000)), max_size=10
        )
    )
    def test_allocations_stay_within_payments_and_open_amounts(
        self, steps: list[tuple[int, int, int]]
    ) -> None:
        """Accepted or refused, the totals hold after every step."""
        pw = payment_world(InMemoryStorage())
        orders = [pw.delivered(), pw.delivered(1)]
        payments = [pw.pay("15.00"), pw.pay("20.00", reference="BANK-2")]
        for n, (p, o, amount) in enumerate(steps):
            with contextlib.suppress(CrmkitError):
                pw.payments.allocate(
                    payments[p].id, {orders[o].id: Decimal(amount) * CENT}, key=f"k{n}"
                )
            for payment in payments:
                stored = pw.payments.get_payment(payment.id)
                assert Decimal(0) <= stored.allocated <= stored.amount
            for order in orders:
                figures = pw.payments.order_figures(order.id)
                assert figures.received <= order.totals().gross
                assert figures.open == order.totals().gross - figures.received


class TestInvoiceArithmetic:
    """Tax breakdowns are exact; invoiceable amounts follow the basis and requests."""

    @given(
        amount=cents,
        grosses=st.dictionaries(
            st.sampled_from([Decimal(0), Decimal("0.06"), Decimal("0.09"), Decimal("0.13")]),
            cents,
            min_size=1,
        ),
    )
    def test_tax_parts_sum_to_the_amount(
        self, amount: Decimal, grosses: dict[Decimal, Decimal]
    ) -> None:
        """The parts' gross sum to the amount; each part's net + tax is its gross."""
        parts = tax_breakdown(amount, grosses, "CNY")
        assert sum((p.gross for p in parts), Decimal(0)) == amount
        for part in parts:
            assert part.net + part.tax == part.gross
            assert part.net == (part.gross / (1 + part.rate)).quantize(CENT, ROUND_HALF_UP)
        assert len({p.rate for p in parts}) == len(parts)

    @settings(max_examples=10)
    @given(requests=st.lists(st.integers(1, 3000), max_size=6), delivered=st.integers(0, 3))
    def test_requests_never_exceed_the_delivered_value(
        self, requests: list[int], delivered: int
    ) -> None:
        """Accepted requests sum to at most the delivered value; invoiceable is the rest."""
        pw = payment_world(InMemoryStorage())
        order = pw.world.confirmed(3).order
        if delivered:
            pw.world.orders.deliver(order.id, {1: delivered}, key="d")
        service = InvoiceService(
            lambda: pw.world.storage.unit_of_work(pw.world.tenant), pw.world.clock
        )
        accepted = Decimal(0)
        for n, cents_asked in enumerate(requests):
            try:
                service.request_invoice(order.id, Decimal(cents_asked) * CENT, key=f"r{n}")
                accepted += Decimal(cents_asked) * CENT
            except CrmkitError:
                pass
        value = Decimal("11.30") * delivered
        assert accepted <= value
        assert service.invoiceable(order.id) == value - accepted
