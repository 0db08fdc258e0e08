"""The in-memory store: committed tables shared by the units of work opened on it."""

from __future__ import annotations

import threading

from crmkit.adapters.memory.tables import MemoryTable
from crmkit.domain import Product, ProductId, TenantId


class MemoryStore:
    """All committed in-memory data, guarded by one lock."""

    def __init__(self) -> None:
        self.lock = threading.RLock()
        self.products: MemoryTable[tuple[TenantId, ProductId], Product] = MemoryTable(
            key=lambda p: (p.tenant_id, p.id),
            unique={"sku": lambda p: (p.tenant_id, p.sku)},
        )
