"""Customer accounts (客户账户): funds, rebate grants, holds, deduction policies and ledger."""

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
from crmkit.domain.accounts import (
    CustomerAccount,
    EntryKind,
    Fund,
    FundBalance,
    Hold,
    HoldStatus,
    JournalEntry,
    RebateGrant,
)
from crmkit.domain.deduction import DeductionPlan, DeductionPolicy, OrderLine, PlanPart, TradeMode
from crmkit.services.accounts import CustomerAccountService, FundSummary, Movement, Statement

__all__ = [
    "AccountCurrencyMismatch",
    "AmountExceedsHold",
    "CreditLimitBelowUsage",
    "CustomerAccount",
    "CustomerAccountService",
    "DeductionPlan",
    "DeductionPolicy",
    "EntryKind",
    "Fund",
    "FundBalance",
    "FundSummary",
    "Hold",
    "HoldExpired",
    "HoldResolved",
    "HoldStatus",
    "InsufficientFunds",
    "JournalEntry",
    "Movement",
    "OrderHasPendingHolds",
    "OrderLine",
    "PlanPart",
    "RebateGrant",
    "RepaymentExceedsCreditUsed",
    "Statement",
    "TradeMode",
]
