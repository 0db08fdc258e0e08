"""Receivables (应收): payments received (回款), payment plans (回款计划), refunds (退款)."""

from crmkit.domain.receivables import errors as _errors
from crmkit.domain.receivables.contracts import Contract, ContractProgress, ContractStatus
from crmkit.domain.receivables.errors import *  # noqa: F403
from crmkit.domain.receivables.invoices import (
    InvoiceBasis,
    InvoiceKind,
    InvoiceRequest,
    InvoiceStatus,
    TaxPart,
)
from crmkit.domain.receivables.payments import (
    InstalmentShare,
    OrderReceipts,
    Payment,
    PaymentAllocation,
    PaymentStatus,
)
from crmkit.domain.receivables.plans import (
    AGEING_BUCKETS,
    REMINDER_EVENT,
    Instalment,
    InstalmentStatus,
    PaymentPlan,
)
from crmkit.domain.receivables.refunds import Refund, RefundStatus
from crmkit.services.receivables.contracts import ContractService
from crmkit.services.receivables.invoices import InvoiceService
from crmkit.services.receivables.payment_steps import OrderFigures
from crmkit.services.receivables.payments import PaymentService
from crmkit.services.receivables.plans import DueInstalment, PaymentPlanService
from crmkit.services.receivables.refunds import RefundService

__all__ = [
    "AGEING_BUCKETS",
    "REMINDER_EVENT",
    "Contract",
    "ContractProgress",
    "ContractService",
    "ContractStatus",
    "DueInstalment",
    "Instalment",
    "InstalmentShare",
    "InstalmentStatus",
    "InvoiceBasis",
    "InvoiceKind",
    "InvoiceRequest",
    "InvoiceService",
    "InvoiceStatus",
    "OrderFigures",
    "OrderReceipts",
    "Payment",
    "PaymentAllocation",
    "PaymentPlan",
    "PaymentPlanService",
    "PaymentService",
    "PaymentStatus",
    "Refund",
    "RefundService",
    "RefundStatus",
    "TaxPart",
]
__all__ += _errors.__all__
