"""The SQL processed-request repository."""

from __future__ import annotations

from crmkit.adapters.sql.converters import from_row, to_row
from crmkit.adapters.sql.session import SqlSession
from crmkit.adapters.sql.statements import insert_into, keyed, select_where
from crmkit.adapters.sql.tables import processed_requests
from crmkit.domain import DuplicateRecord, WrongTenant
from crmkit.domain.requests import ProcessedRequest


class SqlProcessedRequestRepository:
    def __init__(self, session: SqlSession) -> None:
        self._session = session
        self._tenant = session.tenant_id

    def get(self, key: str) -> ProcessedRequest | None:
        row = self._session.execute(
            select_where(processed_requests, ("tenant_id", "key")),
            keyed(tenant_id=self._tenant, key=key),
        ).one_or_none()
        return None if row is None else from_row(row._mapping, ProcessedRequest)

    def add(self, request: ProcessedRequest) -> None:
        if request.tenant_id != self._tenant:
            raise self._session.fail(
                WrongTenant("ProcessedRequest", request.key, request.tenant_id, self._tenant)
            )
        self._session.execute(
            insert_into(processed_requests),
            to_row(request),
            on_unique=lambda _: DuplicateRecord(
                "ProcessedRequest", "key", request.key, request.tenant_id
            ),
        )
