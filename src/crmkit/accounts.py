"""Customer accounts (客户账户): funds, rebate grants, holds, deduction policies and ledger."""

from crmkit.domain import account_errors as _errors
from crmkit.domain.account_errors import *  # noqa: F403
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
    "CustomerAccount",
    "CustomerAccountService",
    "DeductionPlan",
    "DeductionPolicy",
    "EntryKind",
    "Fund",
    "FundBalance",
    "FundSummary",
    "Hold",
    "HoldStatus",
    "JournalEntry",
    "Movement",
    "OrderLine",
    "PlanPart",
    "RebateGrant",
    "Statement",
    "TradeMode",
]
__all__ += _errors.__all__
