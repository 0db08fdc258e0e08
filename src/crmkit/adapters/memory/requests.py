"""The in-memory processed-request repository."""

from __future__ import annotations

from crmkit.adapters.memory.tables import TableRepository, WriteRejected
from crmkit.domain import DuplicateRecord, TenantId
from crmkit.domain.requests import ProcessedRequest

RequestKey = tuple[TenantId, str]


class InMemoryProcessedRequestRepository(TableRepository[RequestKey, ProcessedRequest]):
    def get(self, key: str) -> ProcessedRequest | None:
        return self._tx.get((self._tenant, key))

    def add(self, request: ProcessedRequest) -> None:
        self._insert(request, "ProcessedRequest", request.key)


def request_write_error(rejected: WriteRejected, request: ProcessedRequest) -> Exception:
    """The crmkit error for a rejected processed-request write (only a taken key)."""
    return DuplicateRecord("ProcessedRequest", "key", request.key, request.tenant_id)
