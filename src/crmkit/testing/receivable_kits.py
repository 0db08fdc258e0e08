"""Strategies and plain examples of the receivables record types (payments, receipts,
payment plans, refunds, invoice requests, order invoicing, contracts); their kits are in
:data:`crmkit.testing.record_kits.KITS`.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from hypothesis import strategies as st

from crmkit.domain import TenantId, new_id
from crmkit.domain.receivables.contracts import Contract, ContractStatus
from crmkit.domain.receivables.invoices import (
    InvoiceKind,
    InvoiceRequest,
    InvoiceStatus,
    OrderInvoicing,
    TaxPart,
)
from crmkit.domain.receivables.payments import (
    OrderReceipts,
    Payment,
    PaymentAllocation,
    PaymentStatus,
)
from crmkit.domain.receivables.plans import Instalment, PaymentPlan
from crmkit.domain.receivables.refunds import Refund, RefundStatus
from crmkit.testing.record_kit import T0, small_texts, timestamps


def _amounts() -> st.SearchStrategy[Decimal]:
    return st.integers(0, 10**14 - 1).map(lambda n: Decimal(n).scaleb(-4))


@st.composite
def payments(draw: st.DrawFn, tenant_id: TenantId) -> Payment:
    """Any valid payment record of ``tenant_id`` (allocations included)."""
    created = draw(timestamps())
    allocation = st.builds(
        PaymentAllocation, st.just(new_id()), small_texts(40), _amounts(), _amounts()
    )
    return Payment(
        id=new_id(),
        tenant_id=tenant_id,
        account_id=new_id(),
        customer_id=draw(small_texts(64)),
        reference=draw(small_texts(200)),
        amount=draw(_amounts()),
        currency=draw(st.sampled_from(["CNY", "EUR", "JPY"])),
        method=draw(small_texts(32)),
        received_on=draw(st.dates(date(1900, 1, 1), date(2199, 12, 31))),
        status=draw(st.sampled_from(PaymentStatus)),
        to_prepayment=draw(_amounts()),
        reversal_reason=draw(st.none() | small_texts(500)),
        created_at=created,
        updated_at=draw(timestamps().filter(lambda d: d >= created)),
        allocations=tuple(draw(st.lists(allocation, max_size=3))),
        version=draw(st.integers(1, 2**31 - 1)),
    )


def payment(tenant_id: TenantId, n: int) -> Payment:
    """A plain payment; ``n`` sets its reference and amount."""
    return Payment(
        id=new_id(),
        tenant_id=tenant_id,
        account_id=f"acc-{n}",
        customer_id="CUST-1",
        reference=f"BANK-{n}",
        amount=Decimal(n + 1),
        currency="CNY",
        method="bank",
        received_on=date(2026, 1, 1 + n % 28),
        status=PaymentStatus.RECEIVED,
        to_prepayment=Decimal(0),
        reversal_reason=None,
        created_at=T0,
        updated_at=T0,
        allocations=(PaymentAllocation("ord-1", "SO-1", Decimal("0.5"), Decimal(0)),),
    )


@st.composite
def order_receipts(draw: st.DrawFn, tenant_id: TenantId) -> OrderReceipts:
    """Any valid receipts record of ``tenant_id``."""
    return OrderReceipts(
        order_id=new_id(),
        tenant_id=tenant_id,
        account_id=new_id(),
        currency=draw(st.sampled_from(["CNY", "EUR"])),
        received=draw(_amounts()),
        credit_repaid=draw(_amounts()),
        refunded=draw(_amounts()),
        version=draw(st.integers(1, 2**31 - 1)),
    )


def order_receipt(tenant_id: TenantId, n: int) -> OrderReceipts:
    """Plain receipts of an order; ``n`` sets the amounts."""
    return OrderReceipts(new_id(), tenant_id, f"acc-{n}", "CNY", Decimal(n), Decimal(0))


@st.composite
def payment_plans(draw: st.DrawFn, tenant_id: TenantId) -> PaymentPlan:
    """Any valid payment plan record of ``tenant_id``."""
    instalment = st.builds(
        Instalment,
        st.integers(1, 60),
        st.dates(date(1900, 1, 1), date(2199, 12, 31)),
        _amounts(),
        _amounts(),
        st.none() | st.dates(date(1900, 1, 1), date(2199, 12, 31)),
        st.lists(st.integers(-365, 365), max_size=3).map(tuple),
    )
    return PaymentPlan(
        order_id=new_id(),
        tenant_id=tenant_id,
        order_number=draw(small_texts(64)),
        account_id=new_id(),
        customer_id=draw(small_texts(64)),
        currency=draw(st.sampled_from(["CNY", "EUR"])),
        total=draw(_amounts()),
        created_at=draw(timestamps()),
        offsets=tuple(draw(st.lists(st.integers(-365, 365), max_size=4))),
        instalments=tuple(draw(st.lists(instalment, max_size=4))),
        version=draw(st.integers(1, 2**31 - 1)),
    )


def payment_plan(tenant_id: TenantId, n: int) -> PaymentPlan:
    """A plain two-instalment plan; ``n`` sets the total."""
    half = Decimal(n + 1)
    return PaymentPlan(
        order_id=new_id(),
        tenant_id=tenant_id,
        order_number=f"SO-{n}",
        account_id=f"acc-{n}",
        customer_id="CUST-1",
        currency="CNY",
        total=2 * half,
        created_at=T0,
        offsets=(-3, 0, 7),
        instalments=(
            Instalment(1, date(2026, 2, 1), half, Decimal(0), None, ()),
            Instalment(2, date(2026, 3, 1), half, Decimal(0), None, ()),
        ),
    )


@st.composite
def refunds(draw: st.DrawFn, tenant_id: TenantId) -> Refund:
    """Any valid refund record of ``tenant_id``."""
    created = draw(timestamps())
    order = draw(st.none() | st.just(new_id()))
    return Refund(
        id=new_id(), tenant_id=tenant_id, number=f"RF-{new_id()[:12]}",
        account_id=new_id(), customer_id=draw(small_texts(64)), order_id=order,
        order_number=None if order is None else draw(small_texts(64)),
        amount=draw(_amounts()), currency=draw(st.sampled_from(["CNY", "EUR"])),
        reason=draw(small_texts(500)), status=draw(st.sampled_from(RefundStatus)),
        rejection_reason=draw(st.none() | small_texts(500)), created_at=created,
        updated_at=draw(timestamps().filter(lambda d: d >= created)),
        version=draw(st.integers(1, 2**31 - 1)),
    )  # fmt: skip


def refund(tenant_id: TenantId, n: int) -> Refund:
    """A plain requested refund of prepayment; ``n`` makes its number unique."""
    return Refund(
        new_id(), tenant_id, f"RF-2026-{n:06d}", f"acc-{n}", "CUST-1", None, None,
        Decimal(n + 1), "CNY", "overpaid", RefundStatus.REQUESTED, None, T0, T0,
    )  # fmt: skip


@st.composite
def invoice_requests(draw: st.DrawFn, tenant_id: TenantId) -> InvoiceRequest:
    """Any valid invoice request record of ``tenant_id``."""
    created = draw(timestamps())
    part = st.builds(
        TaxPart, st.sampled_from([Decimal("0.13"), Decimal("0.06")]), _amounts(), _amounts(),
        _amounts(),
    )  # fmt: skip
    return InvoiceRequest(
        id=new_id(), tenant_id=tenant_id, number=f"IR-{new_id()[:12]}",
        kind=draw(st.sampled_from(InvoiceKind)), order_id=new_id(),
        order_number=draw(small_texts(64)), customer_id=draw(small_texts(64)),
        currency="CNY", amount=draw(_amounts()),
        status=draw(st.sampled_from(InvoiceStatus)),
        invoice_number=draw(st.none() | small_texts(64)),
        issued_on=draw(st.none() | st.dates(date(1900, 1, 1), date(2199, 12, 31))),
        rejection_reason=draw(st.none() | small_texts(500)), created_at=created,
        updated_at=draw(timestamps().filter(lambda d: d >= created)),
        taxes=tuple(draw(st.lists(part, max_size=3))),
        version=draw(st.integers(1, 2**31 - 1)),
    )  # fmt: skip


def invoice_request(tenant_id: TenantId, n: int) -> InvoiceRequest:
    """A plain requested invoice; ``n`` makes its number unique."""
    return InvoiceRequest(
        new_id(), tenant_id, f"IR-2026-{n:06d}", InvoiceKind.INVOICE, f"o-{n}", f"SO-{n}",
        "CUST-1", "CNY", Decimal(113), InvoiceStatus.REQUESTED, None, None, None, T0, T0,
        (TaxPart(Decimal("0.13"), Decimal(100), Decimal(13), Decimal(113)),),
    )  # fmt: skip


@st.composite
def order_invoicings(draw: st.DrawFn, tenant_id: TenantId) -> OrderInvoicing:
    """Any valid invoicing record of ``tenant_id``."""
    return OrderInvoicing(new_id(), tenant_id, draw(_amounts()), draw(st.integers(1, 2**31 - 1)))


def order_invoicing(tenant_id: TenantId, n: int) -> OrderInvoicing:
    """A plain invoicing record; ``n`` sets the amount."""
    return OrderInvoicing(new_id(), tenant_id, Decimal(n))


@st.composite
def contracts(draw: st.DrawFn, tenant_id: TenantId) -> Contract:
    """Any valid contract record of ``tenant_id``."""
    created = draw(timestamps())
    start = draw(st.dates(date(1900, 1, 1), date(2199, 12, 31)))
    return Contract(
        id=new_id(), tenant_id=tenant_id, number=f"HT-{new_id()[:12]}",
        customer_id=draw(small_texts(64)), currency="CNY", amount=draw(_amounts()),
        committed=draw(_amounts()), valid_from=start,
        valid_until=draw(st.dates(start, date(2199, 12, 31))),
        stored_status=draw(st.sampled_from(ContractStatus)),
        termination_reason=draw(st.none() | small_texts(500)), created_at=created,
        updated_at=draw(timestamps().filter(lambda d: d >= created)),
        orders=tuple(draw(st.lists(st.just(new_id()), max_size=3))),
        version=draw(st.integers(1, 2**31 - 1)),
    )  # fmt: skip


def contract(tenant_id: TenantId, n: int) -> Contract:
    """A plain draft contract; ``n`` makes its number unique."""
    return Contract(
        new_id(), tenant_id, f"HT-2026-{n:04d}", "CUST-1", "CNY", Decimal(1000 + n),
        Decimal(0), date(2026, 1, 1), date(2026, 12, 31), ContractStatus.DRAFT, None, T0, T0,
        (),
    )  # fmt: skip
