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
from crmkit.domain.approval_errors import (
    ApprovalPending,
    NoApprover,
    NotAnApprover,
    SelfApproval,
)
from crmkit.domain.condition_nodes import InvalidCondition
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
from crmkit.domain.field_work.errors import (
    OutsideRadius,
    ReopenWindowClosed,
    StepInvalid,
    StepOutOfOrder,
    StepsMissing,
    VisitMissed,
)
from crmkit.domain.front_office.errors import (
    ClaimLimitReached,
    CoolingDown,
    DuplicateCustomer,
    InactiveCustomer,
    NotInPool,
    NotOwner,
    NotPoolMember,
    PoolRuleBroken,
)
from crmkit.domain.inventory.errors import (
    BelowReserved,
    InsufficientStock,
    NegativeStock,
    OverReturn,
    OverShipment,
)
from crmkit.domain.order_lifecycle import (
    DeliveryExceedsOrdered,
    EmptyOrder,
    OrderTransitionNotAllowed,
    ReservationExpired,
    ReturnExceedsDelivered,
)
from crmkit.domain.pricing import NoPriceFound
from crmkit.domain.processes import ProcessStepRefused
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
    "ApprovalPending",
    "BelowReserved",
    "ClaimLimitReached",
    "ConcurrencyConflict",
    "ConfigurationError",
    "ContractAmountExceeded",
    "ConversionExceedsRemaining",
    "CoolingDown",
    "CreditLimitBelowUsage",
    "CrmkitError",
    "CurrencyMismatch",
    "DeliveryExceedsOrdered",
    "DuplicateCustomer",
    "DuplicateRecord",
    "DuplicateRequest",
    "EmptyOrder",
    "FloatNotAllowed",
    "HoldExpired",
    "HoldResolved",
    "InactiveCustomer",
    "InsufficientFunds",
    "InsufficientStock",
    "InvalidCondition",
    "InvalidStateTransition",
    "InvoiceExceedsInvoiceable",
    "NegativeStock",
    "NoApprover",
    "NoPriceFound",
    "NotAnApprover",
    "NotFound",
    "NotInPool",
    "NotOwner",
    "NotPoolMember",
    "OrderHasPendingHolds",
    "OrderTransitionNotAllowed",
    "OutsideRadius",
    "OverReturn",
    "OverShipment",
    "PaymentCurrencyMismatch",
    "PaymentPayerMismatch",
    "PaymentReversed",
    "PoolRuleBroken",
    "QuoteExpired",
    "QuoteTransitionNotAllowed",
    "RefundExceedsReceived",
    "ReopenWindowClosed",
    "RepaymentExceedsCreditUsed",
    "ReservationExpired",
    "ReturnExceedsDelivered",
    "SelfApproval",
    "StepInvalid",
    "StepOutOfOrder",
    "StepsMissing",
    "StorageError",
    "StorageUnavailable",
    "UnitMismatch",
    "ValidationError",
    "VisitMissed",
    "WrongTenant",
]
__all__ += ["ProcessStepRefused"]  # business processes (H16B)
