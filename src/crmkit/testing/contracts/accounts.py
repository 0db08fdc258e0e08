"""The customer account contracts: repositories, the service, and the ledger under change."""

from __future__ import annotations

from crmkit.testing.contracts.account_ledger import CustomerAccountLedgerContract
from crmkit.testing.contracts.account_repositories import (
    SLOW,
    CustomerAccountRepositoryContract,
    D,
    lines,
)
from crmkit.testing.contracts.account_service import CustomerAccountServiceContract

__all__ = [
    "SLOW",
    "CustomerAccountLedgerContract",
    "CustomerAccountRepositoryContract",
    "CustomerAccountServiceContract",
    "D",
    "lines",
]
