"""The in-memory processed-request repository."""

from __future__ import annotations

from collections.abc import Callable

from crmkit.adapters.memory.tables import TableTransaction, WriteRejected
from crmkit.domain import DuplicateRecord, TenantId, WrongTenant
from crmkit.domain.requests import ProcessedRequest

RequestKey = tuple[TenantId, str]


class InMemoryProcessedRequestRepository:
    def __init__(
        self,
        tenant_id: TenantId,
        tx: TableTransaction[RequestKey, ProcessedRequest],
        rollback: Callable[[], None],
    ) -> None:
        self._tenant = tenant_id
        self._tx = tx
        self._rollback = rollback

    def get(self, key: str) -> ProcessedRequest | None:
        return self._tx.get((self._tenant, key))

    def add(self, request: ProcessedRequest) -> None:
        try:
            if request.tenant_id != self._tenant:
                raise WrongTenant("ProcessedRequest", request.key, request.tenant_id, self._tenant)
            self._tx.insert(request)
        except Exception:
            self._rollback()
            raise


def request_write_error(rejected: WriteRejected, request: ProcessedRequest) -> Exception:
    """The crmkit error for a rejected processed-request write (only a taken key)."""
    return DuplicateRecord("ProcessedRequest", "key", request.key, request.tenant_id)
