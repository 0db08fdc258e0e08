"""The customer account service (客户账户): funds, holds, deductions and statements.

Every movement takes a caller-supplied idempotency ``key``: repeating it returns the first
result and changes nothing; reusing it for other content raises ``DuplicateRequest``. A
movement runs in one unit of work that first locks the account (``for_update`` on SQL
servers, a version-checked write everywhere), so concurrent writers on one account are
serialised and retried, never interleaved; a rejected movement changes nothing.
"""

from __future__ import annotations

from crmkit.services.accounts_admin import AccountAdmin, FundSummary
from crmkit.services.accounts_base import (
    DELIVERY_ROUNDING,
    EXPIRED_HOLD,
    MOVEMENT_ATTEMPTS,
    MOVEMENT_MAX_DELAY_S,
    Movement,
)
from crmkit.services.accounts_funds import FundMovements
from crmkit.services.accounts_holds import HoldLifecycle
from crmkit.services.accounts_statements import AccountStatements, Statement
from crmkit.services.boundary import checked_calls

__all__ = [
    "DELIVERY_ROUNDING",
    "EXPIRED_HOLD",
    "MOVEMENT_ATTEMPTS",
    "MOVEMENT_MAX_DELAY_S",
    "CustomerAccountService",
    "FundSummary",
    "Movement",
    "Statement",
]


@checked_calls
class CustomerAccountService(AccountAdmin, FundMovements, HoldLifecycle, AccountStatements):
    """Keeps the customer accounts of one tenant (see the module docstring).

    Its parts live in ``accounts_admin`` (accounts, reads, policies), ``accounts_funds``,
    ``accounts_holds`` and ``accounts_statements``, over
    :class:`~crmkit.services.accounts_base.AccountsBase`.
    """
