"""The inventory contracts (库存): repositories, the service, and a stateful ledger test."""

from __future__ import annotations

from crmkit.testing.contracts.inventory_repositories import (
    InventoryRepositoryContract,
)
from crmkit.testing.contracts.inventory_service import (
    InventoryServiceContract,
)

__all__ = [
    "InventoryRepositoryContract",
    "InventoryServiceContract",
]
