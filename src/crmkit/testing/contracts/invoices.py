"""Contract: invoice requests stay within what may be invoiced, on every backend."""

from __future__ import annotations

from datetime import date
from decimal import Decimal as D

from crmkit.domain import InvalidStateTransition, new_id
from crmkit.domain.receivables.errors import InvoiceExceedsInvoiceable
from crmkit.domain.receivables.invoices import InvoiceBasis, InvoiceKind, InvoiceStatus, TaxPart
from crmkit.services import Storage
from crmkit.services.receivables.invoices import InvoiceService
from crmkit.testing.contracts.payments import PaymentWorld, payment_world


def invoices_of(pw: PaymentWorld, basis: InvoiceBasis = InvoiceBasis.DELIVERED) -> InvoiceService:
    """The invoice service over the payment world's tenant."""
    storage, tenant = pw.world.storage, pw.world.tenant
    return InvoiceService(lambda: storage.unit_of_work(tenant), pw.world.clock, basis)


class InvoiceRequestContract:
    """Every storage keeps invoice requests within the invoiceable amount, atomically."""

    def test_only_delivered_value_may_be_invoiced_by_default(self, storage: Storage) -> None:
        """Nothing before delivery; then the delivered value, with an exact tax breakdown."""
        pw = payment_world(storage)
        order = pw.world.confirmed(2).order
        service = invoices_of(pw)
        assert service.invoiceable(order.id) == 0
        assert invoices_of(pw, InvoiceBasis.ORDERED).invoiceable(order.id) == D("22.60")
        pw.world.orders.deliver(order.id, {1: 1}, key=new_id())
        assert service.invoiceable(order.id) == D("11.30")
        request = service.request_invoice(order.id, D("10.00"), key="inv-1")
        assert request.taxes == (TaxPart(D("0.13"), D("8.85"), D("1.15"), D("10.00")),)
        assert (request.number, request.status) == ("IR-2026-000001", InvoiceStatus.REQUESTED)
        pw.unchanged(
            lambda: service.request_invoice(order.id, D("1.31"), key="inv-2"),
            InvoiceExceedsInvoiceable,
        )
        service.reject(request.id, "wrong buyer name", key="rej")
        assert service.invoiceable(order.id) == D("11.30")
        again = service.request_invoice(order.id, D("11.30"), key="inv-3")
        service.approve(again.id, key="ok")
        issued = service.issue(again.id, "04400152", date(2026, 4, 3), key="issue")
        assert (issued.status, issued.invoice_number) == (InvoiceStatus.ISSUED, "04400152")
        assert issued.issued_on == date(2026, 4, 3)
        pw.unchanged(lambda: service.reject(again.id, "late", key="r2"), InvalidStateTransition)

    def test_goods_returned_after_issue_lead_to_a_credit_note(self, storage: Storage) -> None:
        """A return after invoicing asks for a credit note of its value, once."""
        pw = payment_world(storage)
        order = pw.delivered(2)
        service = invoices_of(pw)
        pw.unchanged(
            lambda: service.request_credit_note(order.id, key="cn-0"), InvalidStateTransition
        )
        request = service.request_invoice(order.id, D("22.60"), key="inv")
        service.approve(request.id, key="ok")
        service.issue(request.id, "04400153", date(2026, 4, 3), key="issue")
        world = pw.world
        world.orders.return_goods(
            order.id, {1: 1}, warehouse_id=world.warehouses[0].id, sellable=True, key=new_id()
        )
        assert service.invoiceable(order.id) == D("-11.30")
        note = service.request_credit_note(order.id, key="cn")
        assert (note.kind, note.amount) == (InvoiceKind.CREDIT_NOTE, D("11.30"))
        assert service.invoiceable(order.id) == 0
        pw.unchanged(
            lambda: service.request_credit_note(order.id, key="cn-2"), InvalidStateTransition
        )
