"""The errors of the receivables area, each with a stable code."""

from __future__ import annotations

from decimal import Decimal

from crmkit.domain.errors import InvalidStateTransition, ValidationError

__all__ = [
    "AllocationExceedsOpenAmount",
    "AllocationExceedsPayment",
    "ContractAmountExceeded",
    "InvoiceExceedsInvoiceable",
    "PaymentCurrencyMismatch",
    "PaymentPayerMismatch",
    "PaymentReversed",
    "RefundExceedsReceived",
]


class AllocationExceedsOpenAmount(ValidationError):
    """An allocation is larger than what is still open on the order."""

    code = "allocation_exceeds_open_amount"
    template = (
        "order {order} has {open_amount} open; an allocation of {amount} is more. Allocate at "
        "most the open amount and credit the rest to the prepayment fund."
    )

    def __init__(self, order_number: str, amount: Decimal, open_amount: Decimal) -> None:
        self._tell({"amount": amount, "open_amount": open_amount}, order=order_number)


class AllocationExceedsPayment(ValidationError):
    """An allocation or credit is larger than what is left of the payment."""

    code = "allocation_exceeds_payment"
    template = (
        "payment {payment!r} has {left} left to allocate; {amount} is more. Allocate at most "
        "what is left."
    )

    def __init__(self, reference: str, amount: Decimal, left: Decimal) -> None:
        self._tell({"amount": amount, "left": left}, payment=reference)


class PaymentCurrencyMismatch(ValidationError):
    """A payment is allocated to an order in another currency."""

    code = "payment_currency_mismatch"
    template = (
        "payment {payment!r} is in {currency} but order {order} is in {other}; allocate it "
        "only to orders in {currency}."
    )

    def __init__(self, reference: str, currency: str, order_number: str, other: str) -> None:
        shows = {"currency": currency, "order": order_number, "other": other}
        self._tell(shows, payment=reference)


class PaymentPayerMismatch(ValidationError):
    """A payment is allocated to another customer's order."""

    code = "payment_payer_mismatch"
    template = (
        "payment {payment!r} was paid by customer {customer!r}; order {order} belongs to "
        "another customer. Allocate it to the payer's orders."
    )

    def __init__(self, reference: str, customer: str, order_number: str) -> None:
        self._tell({"customer": customer, "order": order_number}, payment=reference)


class PaymentReversed(InvalidStateTransition):
    """A reversed payment takes no further allocation or reversal."""

    code = "payment_reversed"

    def __init__(self, reference: str, action: str) -> None:
        super().__init__("Payment", reference, "reversed; record a new payment", action)


class RefundExceedsReceived(ValidationError):
    """A refund against an order is larger than what was received for it and kept."""

    code = "refund_exceeds_received"
    default_field = "amount"
    template = (
        "order {order} has {kept} received and not refunded; a refund of {amount} is more. "
        "Refund at most what was received."
    )

    def __init__(self, order_number: str, amount: Decimal, kept: Decimal) -> None:
        self._tell({"amount": amount, "kept": kept}, order=order_number)


class InvoiceExceedsInvoiceable(ValidationError):
    """An invoice request is above what may still be invoiced for the order."""

    code = "invoice_exceeds_invoiceable"
    default_field = "amount"
    template = (
        "order {order} may still be invoiced for {invoiceable}; a request for {amount} is "
        "more. Request at most that (deliver first if the policy invoices delivered goods)."
    )

    def __init__(self, order_number: str, amount: Decimal, invoiceable: Decimal) -> None:
        self._tell({"amount": amount, "invoiceable": invoiceable}, order=order_number)


class ContractAmountExceeded(ValidationError):
    """Linking an order would take the contract's orders beyond its amount."""

    code = "contract_amount_exceeded"
    template = (
        "contract {contract} has {room} left of its amount; an order of {amount} does not fit. "
        "Amend the contract or place the order outside it."
    )

    def __init__(self, number: str, amount: Decimal, room: Decimal) -> None:
        self._tell({"amount": amount, "room": room}, contract=number)
