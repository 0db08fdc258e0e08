"""The errors of the receivables area, each with a stable code."""

from __future__ import annotations

from decimal import Decimal

from crmkit.domain.errors import InvalidStateTransition, ValidationError


class AllocationExceedsOpenAmount(ValidationError):
    """An allocation is larger than what is still open on the order."""

    code = "allocation_exceeds_open_amount"

    def __init__(self, order_number: str, amount: Decimal, open_amount: Decimal) -> None:
        super().__init__(
            f"order {order_number} has {open_amount} open; an allocation of {amount} is more. "
            f"Allocate at most the open amount and credit the rest to the prepayment fund.",
            order=order_number,
        )


class AllocationExceedsPayment(ValidationError):
    """An allocation or credit is larger than what is left of the payment."""

    code = "allocation_exceeds_payment"

    def __init__(self, reference: str, amount: Decimal, left: Decimal) -> None:
        super().__init__(
            f"payment {reference!r} has {left} left to allocate; {amount} is more. "
            f"Allocate at most what is left.",
            payment=reference,
        )


class PaymentCurrencyMismatch(ValidationError):
    """A payment is allocated to an order in another currency."""

    code = "payment_currency_mismatch"

    def __init__(self, reference: str, currency: str, order_number: str, other: str) -> None:
        super().__init__(
            f"payment {reference!r} is in {currency} but order {order_number} is in {other}; "
            f"allocate it only to orders in {currency}.",
            payment=reference,
        )


class PaymentPayerMismatch(ValidationError):
    """A payment is allocated to another customer's order."""

    code = "payment_payer_mismatch"

    def __init__(self, reference: str, customer: str, order_number: str) -> None:
        super().__init__(
            f"payment {reference!r} was paid by customer {customer!r}; order {order_number} "
            f"belongs to another customer. Allocate it to the payer's orders.",
            payment=reference,
        )


class PaymentReversed(InvalidStateTransition):
    """A reversed payment takes no further allocation or reversal."""

    code = "payment_reversed"

    def __init__(self, reference: str, action: str) -> None:
        super().__init__("Payment", reference, "reversed; record a new payment", action)


class RefundExceedsReceived(ValidationError):
    """A refund against an order is larger than what was received for it and kept."""

    code = "refund_exceeds_received"
    default_field = "amount"

    def __init__(self, order_number: str, amount: Decimal, kept: Decimal) -> None:
        super().__init__(
            f"order {order_number} has {kept} received and not refunded; a refund of "
            f"{amount} is more. Refund at most what was received.",
            order=order_number,
        )


class InvoiceExceedsInvoiceable(ValidationError):
    """An invoice request is above what may still be invoiced for the order."""

    code = "invoice_exceeds_invoiceable"
    default_field = "amount"

    def __init__(self, order_number: str, amount: Decimal, invoiceable: Decimal) -> None:
        super().__init__(
            f"order {order_number} may still be invoiced for {invoiceable}; a request for "
            f"{amount} is more. Request at most that (deliver first if the policy invoices "
            f"delivered goods).",
            order=order_number,
        )


class ContractAmountExceeded(ValidationError):
    """Linking an order would take the contract's orders beyond its amount."""

    code = "contract_amount_exceeded"

    def __init__(self, number: str, amount: Decimal, room: Decimal) -> None:
        super().__init__(
            f"contract {number} has {room} left of its amount; an order of {amount} does "
            f"not fit. Amend the contract or place the order outside it.",
            contract=number,
        )
