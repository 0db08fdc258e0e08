"""Every error crmkit raises, in one place: all are :class:`CrmkitError` with a stable ``code``.

Catch :class:`CrmkitError` for any of them, or a subclass for one kind of failure::

    from crmkit.errors import CrmkitError, InsufficientStock
"""

from crmkit.domain.account_errors import (
    AccountCurrencyMismatch,
    AmountExceedsHold,
    CreditLimitBelowUsage,
    HoldExpired,
    HoldResolved,
    InsufficientFunds,
    OrderHasPendingHolds,
    RepaymentExceedsCreditUsed,
)
from crmkit.domain.errors import (
    ConcurrencyConflict,
    ConfigurationError,
    CrmkitError,
    CurrencyMismatch,
    DuplicateRecord,
    DuplicateRequest,
    FloatNotAllowed,
    InvalidStateTransition,
    NotFound,
    StorageError,
    StorageUnavailable,
    UnitMismatch,
    ValidationError,
    WrongTenant,
)
from crmkit.domain.inventory.errors import (
    BelowReserved,
    InsufficientStock,
    NegativeStock,
    OverReturn,
    OverShipment,
)
from crmkit.domain.pricing import NoPriceFound
from crmkit.domain.quote import ConversionExceedsRemaining, QuoteExpired, QuoteTransitionNotAllowed
from crmkit.domain.receivables.errors import (
    AllocationExceedsOpenAmount,
    AllocationExceedsPayment,
    ContractAmountExceeded,
    InvoiceExceedsInvoiceable,
    PaymentCurrencyMismatch,
    PaymentPayerMismatch,
    PaymentReversed,
    RefundExceedsReceived,
)

__all__ = [
    "AccountCurrencyMismatch",
    "AllocationExceedsOpenAmount",
    "AllocationExceedsPayment",
    "AmountExceedsHold",
    "BelowReserved",
    "ConcurrencyConflict",
    "ConfigurationError",
    "ContractAmountExceeded",
    "ConversionExceedsRemaining",
    "CreditLimitBelowUsage",
    "CrmkitError",
    "CurrencyMismatch",
    "DuplicateRecord",
    "DuplicateRequest",
    "FloatNotAllowed",
    "HoldExpired",
    "HoldResolved",
    "InsufficientFunds",
    "InsufficientStock",
    "InvalidStateTransition",
    "InvoiceExceedsInvoiceable",
    "NegativeStock",
    "NoPriceFound",
    "NotFound",
    "OrderHasPendingHolds",
    "OverReturn",
    "OverShipment",
    "PaymentCurrencyMismatch",
    "PaymentPayerMismatch",
    "PaymentReversed",
    "QuoteExpired",
    "QuoteTransitionNotAllowed",
    "RefundExceedsReceived",
    "RepaymentExceedsCreditUsed",
    "StorageError",
    "StorageUnavailable",
    "UnitMismatch",
    "ValidationError",
    "WrongTenant",
]
