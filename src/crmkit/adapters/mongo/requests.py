"""The MongoDB processed-request repository."""

from __future__ import annotations

from crmkit.adapters.mongo.converters import from_document, to_document
from crmkit.adapters.mongo.indexes import PROCESSED_REQUESTS
from crmkit.adapters.mongo.session import MongoSession
from crmkit.domain import DuplicateRecord, WrongTenant
from crmkit.domain.requests import ProcessedRequest


class MongoProcessedRequestRepository:
    def __init__(self, session: MongoSession) -> None:
        self._session = session
        self._tenant = session.tenant_id
        self._requests = session.database[PROCESSED_REQUESTS]

    def get(self, key: str) -> ProcessedRequest | None:
        document = self._session.run(
            lambda s: self._requests.find_one({"tenant_id": self._tenant, "key": key}, session=s)
        )
        return None if document is None else from_document(document, ProcessedRequest)

    def add(self, request: ProcessedRequest) -> None:
        if request.tenant_id != self._tenant:
            raise self._session.fail(
                WrongTenant("ProcessedRequest", request.key, request.tenant_id, self._tenant)
            )
        document = to_document(request)
        self._session.run(
            lambda s: self._requests.insert_one(document, session=s),
            on_duplicate=lambda _: DuplicateRecord(
                "ProcessedRequest", "key", request.key, request.tenant_id
            ),
        )
