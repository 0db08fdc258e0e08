"""The in-memory store: committed tables shared by the units of work opened on it."""

from __future__ import annotations

import threading

from crmkit.adapters.memory.accounts import (
    AccountKey,
    EntryKey,
    PolicyKey,
    account_write_error,
)
from crmkit.adapters.memory.products import ProductKey, product_write_error
from crmkit.adapters.memory.requests import RequestKey, request_write_error
from crmkit.adapters.memory.tables import MemoryTable
from crmkit.domain import Product
from crmkit.domain.accounts import CustomerAccount, Hold, JournalEntry, RebateGrant
from crmkit.domain.requests import ProcessedRequest
from crmkit.services.account_ports import StoredPolicy


class MemoryStore:
    """All committed in-memory data, guarded by one lock."""

    def __init__(self) -> None:
        self.lock = threading.RLock()
        self.products: MemoryTable[ProductKey, Product] = MemoryTable(
            key=lambda p: (p.tenant_id, p.id),
            error=product_write_error,
            unique={"sku": lambda p: (p.tenant_id, p.sku)},
        )
        self.requests: MemoryTable[RequestKey, ProcessedRequest] = MemoryTable(
            key=lambda r: (r.tenant_id, r.key), error=request_write_error
        )
        self.customer_accounts: MemoryTable[AccountKey, CustomerAccount] = MemoryTable(
            key=lambda a: (a.tenant_id, a.id),
            error=account_write_error("CustomerAccount"),
            unique={"customer": lambda a: (a.tenant_id, a.customer_id, a.currency)},
        )
        self.rebate_grants: MemoryTable[AccountKey, RebateGrant] = MemoryTable(
            key=lambda g: (g.tenant_id, g.id), error=account_write_error("RebateGrant")
        )
        self.holds: MemoryTable[AccountKey, Hold] = MemoryTable(
            key=lambda h: (h.tenant_id, h.id), error=account_write_error("Hold")
        )
        self.journal: MemoryTable[EntryKey, JournalEntry] = MemoryTable(
            key=lambda e: (e.tenant_id, e.account_id, e.seq),
            error=account_write_error("JournalEntry"),
        )
        self.deduction_policies: MemoryTable[PolicyKey, StoredPolicy] = MemoryTable(
            key=lambda p: (p.tenant_id, p.scope), error=account_write_error("DeductionPolicy")
        )
