"""The in-memory store: committed tables shared by the units of work opened on it."""

from __future__ import annotations

import threading

from crmkit.adapters.memory.products import ProductKey, product_write_error
from crmkit.adapters.memory.requests import RequestKey, request_write_error
from crmkit.adapters.memory.tables import MemoryTable
from crmkit.domain import Product
from crmkit.domain.requests import ProcessedRequest


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
