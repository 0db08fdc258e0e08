"""开票申请 InvoiceService: invoice and credit-note requests for sales orders."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date, datetime
from decimal import Decimal

import attrs

from crmkit.domain import (
    ConcurrencyConflict,
    DuplicateRecord,
    InvalidStateTransition,
    ValidationError,
)
from crmkit.domain.approval_triggers import INVOICE_REQUEST
from crmkit.domain.currency import minor_unit
from crmkit.domain.ids import new_id, record_id
from crmkit.domain.order_lifecycle import share
from crmkit.domain.receivables.errors import InvoiceExceedsInvoiceable
from crmkit.domain.receivables.invoices import (
    INVOICE_REQUESTS,
    ORDER_INVOICING,
    ZERO,
    InvoiceBasis,
    InvoiceKind,
    InvoiceRequest,
    InvoiceStatus,
    OrderInvoicing,
    tax_breakdown,
)
from crmkit.domain.sales_order import SalesOrder
from crmkit.domain.text import clean_text
from crmkit.domain.timestamps import utc_millis
from crmkit.services.approval_steps import add_held_request, refuse_if_held
from crmkit.services.boundary import checked_calls
from crmkit.services.idempotency import record_loader, run_once
from crmkit.services.ports import Clock, UnitOfWork
from crmkit.services.receivables.payment_steps import label, order_of
from crmkit.services.tenant_service import TenantService

INVOICE_SERIES = "invoice_request"
Step = Callable[[UnitOfWork, InvoiceRequest], InvoiceRequest]


def basis_value(order: SalesOrder, basis: InvoiceBasis) -> Decimal:
    """What may be invoiced in all for the order: delivered or ordered, less returns."""
    returned = share(order, {line.line_no: line.returned for line in order.lines})
    if basis is InvoiceBasis.ORDERED:
        return order.totals().gross - returned
    delivered = share(order, {line.line_no: line.delivered for line in order.lines})
    return delivered - returned


def gross_by_rate(order: SalesOrder) -> dict[Decimal, Decimal]:
    """The order's gross per tax rate."""
    found: dict[Decimal, Decimal] = {}
    for line, amounts in zip(order.lines, order.amounts(), strict=True):
        found[line.tax_rate] = found.get(line.tax_rate, ZERO) + amounts.gross
    return found


@checked_calls
class InvoiceService(TenantService):
    """Invoice requests (开票申请) within what the policy lets an order be invoiced for.

    Every command is one unit of work, idempotent under ``key``, changing nothing when it
    raises; requests for one order serialise on its invoicing record.
    """

    def __init__(
        self,
        unit_of_work: Callable[[], UnitOfWork],
        clock: Clock,
        basis: InvoiceBasis = InvoiceBasis.DELIVERED,
    ) -> None:
        super().__init__(unit_of_work, clock)
        self._basis = basis

    def invoiceable(self, order_id: str) -> Decimal:
        """What may still be invoiced for the order (negative: a credit note is due).

        Raises:
            NotFound: no such order.
        """
        with self._uow() as uow:
            order = order_of(uow, order_id)
            return basis_value(order, self._basis) - self._requested(uow, order.id)

    def request_invoice(
        self,
        order_id: str,
        amount: Decimal | int | str,
        *,
        key: str,
        requested_by: str | None = None,
    ) -> InvoiceRequest:
        """Request an invoice of ``amount`` for the order, with its tax breakdown. If an
        active approval flow matches the request it waits for the flow's approvers
        (``requested_by``: the submitting user, as for refunds).

        Raises:
            NotFound: no such order.
            InvoiceExceedsInvoiceable: above what may still be invoiced.
            ValidationError: the amount is not positive in whole minor units.
            DuplicateRequest: ``key`` was used for another request.
        """
        the_order = record_id(order_id, "order id")
        value = Decimal(amount)

        def make(uow: UnitOfWork, order: SalesOrder, left: Decimal) -> Decimal:
            if value <= 0 or value != value.quantize(minor_unit(order.currency)):
                raise ValidationError(
                    f"an invoice amount for order {label(order)} must be positive in whole "
                    f"minor units of {order.currency}, got {value}.",
                )
            if value > left:
                raise InvoiceExceedsInvoiceable(label(order), value, max(left, ZERO))
            return value

        payload: dict[str, object] = {"o": the_order, "m": value}
        submitter = None if requested_by is None else record_id(requested_by, "requested by")
        if submitter is not None:
            payload["s"] = submitter
        return self._request(
            key, "invoice.request", payload, the_order, kind=InvoiceKind.INVOICE, make=make,
            submitted_by=submitter,
        )  # fmt: skip

    def request_credit_note(self, order_id: str, *, key: str) -> InvoiceRequest:
        """Request a credit note (红字发票) for what was requested beyond the basis now
        (goods returned after invoicing).

        Raises:
            NotFound: no such order.
            InvalidStateTransition: nothing was requested beyond the basis.
            DuplicateRequest: ``key`` was used for another request.
        """
        the_order = record_id(order_id, "order id")

        def make(uow: UnitOfWork, order: SalesOrder, left: Decimal) -> Decimal:
            if left >= 0:
                raise InvalidStateTransition(
                    "Order",
                    label(order),
                    f"invoiceable for {left} more",
                    "request a credit note for",
                )
            return -left

        payload = {"o": the_order}
        return self._request(
            key, "invoice.credit_note", payload, the_order, kind=InvoiceKind.CREDIT_NOTE, make=make
        )

    def approve(self, request_id: str, *, key: str) -> InvoiceRequest:
        """Approve a requested invoice or credit note.

        Raises:
            NotFound: no such request.
            InvalidStateTransition: it is not requested.
            ApprovalPending: an approval flow holds the request (its approvers decide).
            DuplicateRequest: ``key`` was used for another request.
        """

        def step(uow: UnitOfWork, request: InvoiceRequest) -> InvoiceRequest:
            refuse_if_held(uow, INVOICE_REQUEST[0], request.id, "invoice request", request.number)
            return request.moved("approve", InvoiceStatus.APPROVED, self._now())

        return self._run(key, "invoice.approve", {"r": request_id}, request_id, step)

    def issue(
        self, request_id: str, invoice_number: str, issued_on: date, *, key: str
    ) -> InvoiceRequest:
        """Record that the approved request was issued as ``invoice_number`` on ``issued_on``.

        Raises:
            NotFound, InvalidStateTransition, DuplicateRequest: as :meth:`approve`.
            ValidationError: the invoice number is empty or too long.
        """
        number = clean_text(invoice_number, "invoice number", max_length=64)

        def step(uow: UnitOfWork, request: InvoiceRequest) -> InvoiceRequest:
            issued = request.moved("issue", InvoiceStatus.ISSUED, self._now())
            return attrs.evolve(issued, invoice_number=number, issued_on=issued_on)

        payload = {"r": request_id, "n": number, "d": issued_on.isoformat()}
        return self._run(key, "invoice.issue", payload, request_id, step)

    def reject(self, request_id: str, reason: str, *, key: str) -> InvoiceRequest:
        """Reject a requested or approved request; its amount may be requested again.

        Raises:
            NotFound, InvalidStateTransition, ApprovalPending, DuplicateRequest: as
                :meth:`approve`.
            ValidationError: the reason is empty or too long.
        """
        why = clean_text(reason, "rejection reason", max_length=500)

        def step(uow: UnitOfWork, request: InvoiceRequest) -> InvoiceRequest:
            refuse_if_held(uow, INVOICE_REQUEST[0], request.id, "invoice request", request.number)
            rejected = request.moved("reject", InvoiceStatus.REJECTED, self._now())
            table = uow.records(ORDER_INVOICING)
            found = table.get_many([request.order_id]).get(request.order_id)
            self._save_requested(uow, request.order_id, found, -request.signed)
            return attrs.evolve(rejected, rejection_reason=why)

        return self._run(key, "invoice.reject", {"r": request_id, "w": why}, request_id, step)

    def get_invoice_request(self, request_id: str) -> InvoiceRequest:
        """The invoice request ``request_id``.

        Raises:
            NotFound: no such request.
        """
        return self._record(INVOICE_REQUESTS, request_id)

    def _request(
        self,
        key: str,
        operation: str,
        payload: Mapping[str, object],
        order_id: str,
        *,
        kind: InvoiceKind,
        make: Callable[[UnitOfWork, SalesOrder, Decimal], Decimal],
        submitted_by: str | None = None,
    ) -> InvoiceRequest:

        def work(uow: UnitOfWork) -> tuple[InvoiceRequest, datetime]:
            order = order_of(uow, order_id)
            # read once: the check and the versioned update see the same record
            invoicing = uow.records(ORDER_INVOICING).get_many([order.id]).get(order.id)
            requested = ZERO if invoicing is None else invoicing.requested
            left = basis_value(order, self._basis) - requested
            amount = make(uow, order, left)
            now = self._now()
            request = InvoiceRequest(
                id=new_id(), tenant_id=uow.tenant_id,
                number=f"IR-{now.year}-{uow.counters.take(INVOICE_SERIES):06d}",
                kind=kind, order_id=order.id, order_number=label(order),
                customer_id=order.account_id, currency=order.currency, amount=amount,
                status=InvoiceStatus.REQUESTED, invoice_number=None, issued_on=None,
                rejection_reason=None, created_at=now, updated_at=now,
                taxes=tax_breakdown(amount, gross_by_rate(order), order.currency),
            )  # fmt: skip
            self._save_requested(uow, order.id, invoicing, request.signed)
            held = add_held_request(
                uow, now, INVOICE_REQUESTS, INVOICE_REQUEST, request, submitted_by=submitted_by
            )
            return held, now

        return self._keyed(key, operation, payload, work)

    def _run(
        self, key: str, operation: str, payload: Mapping[str, object], request_id: str, step: Step
    ) -> InvoiceRequest:

        def work(uow: UnitOfWork) -> tuple[InvoiceRequest, datetime]:
            request = uow.records(INVOICE_REQUESTS).get(request_id)
            return uow.records(INVOICE_REQUESTS).update(step(uow, request)), self._now()

        return self._keyed(key, operation, payload, work)

    def _keyed(
        self,
        key: str,
        operation: str,
        payload: Mapping[str, object],
        work: Callable[[UnitOfWork], tuple[InvoiceRequest, datetime]],
    ) -> InvoiceRequest:
        """Run ``work`` once per ``key``: a repeated request returns the request stored
        by the first, remembered at the time ``work`` gives."""

        def done(uow: UnitOfWork) -> tuple[InvoiceRequest, str, datetime]:
            stored, now = work(uow)
            return stored, stored.id, now

        return run_once(
            self._uow, key, operation, payload, done, replayed=record_loader(INVOICE_REQUESTS)
        )

    def _requested(self, uow: UnitOfWork, order_id: str) -> Decimal:
        found = uow.records(ORDER_INVOICING).get_many([order_id]).get(order_id)
        return ZERO if found is None else found.requested

    def _save_requested(
        self, uow: UnitOfWork, order_id: str, found: OrderInvoicing | None, amount: Decimal
    ) -> None:
        save_requested(uow, order_id, found, amount)

    def _now(self) -> datetime:
        return utc_millis(self._clock.now())


def save_requested(
    uow: UnitOfWork, order_id: str, found: OrderInvoicing | None, amount: Decimal
) -> None:
    """Add ``amount`` to the order's invoicing record as it was read (its version guards it)."""
    table = uow.records(ORDER_INVOICING)
    if found is None:
        try:
            table.add(OrderInvoicing(order_id, uow.tenant_id, amount))
        except DuplicateRecord:  # a concurrent first request: run again and see it
            raise ConcurrencyConflict(
                "OrderInvoicing", order_id, uow.tenant_id, "added concurrently"
            ) from None
    else:
        table.update(attrs.evolve(found, requested=found.requested + amount))
