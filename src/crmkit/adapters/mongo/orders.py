"""The MongoDB document counter, outbox and outbox consumer repositories."""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import suppress

import attrs
import pymongo
from pymongo import ASCENDING, ReturnDocument
from pymongo.errors import PyMongoError

from crmkit.adapters.mongo.converters import from_document, to_document
from crmkit.adapters.mongo.indexes import COUNTERS, OUTBOX_CONSUMERS, OUTBOX_EVENTS
from crmkit.adapters.mongo.session import MongoSession
from crmkit.adapters.session_uow import SessionRepository
from crmkit.domain import ConcurrencyConflict
from crmkit.domain.outbox import ConsumerPosition, OutboxEvent

CLAIM_WAIT_S = 2.0
"""How long a refused claim waits for the holder before the command is retried."""


_Repository = SessionRepository[MongoSession]


class MongoDocumentCounterRepository(_Repository):
    def claim(self, series: str) -> None:
        """Write the counter now (a claim count), so that this transaction holds it until
        it ends and its :meth:`take` cannot meet a write committed after its snapshot.

        MongoDB fails a transaction's write to a document another transaction holds at
        once, without waiting. So that the retried command does not poll, a refused claim
        first waits (up to :data:`CLAIM_WAIT_S`) for the holder to end, with a write
        outside the transaction (the server queues those behind the holder), then raises
        the conflict for the service to retry.
        """
        collection = self._session.database[COUNTERS]
        where = {"tenant_id": self._tenant, "series": series}
        try:
            self._session.run(
                lambda s: collection.update_one(
                    where,
                    {"$inc": {"claims": 1}, "$setOnInsert": {"value": 0}},
                    upsert=True,
                    session=s,
                ),
                on_duplicate=lambda _: self._taken("DocumentCounter", series),
            )
        except ConcurrencyConflict:
            with suppress(PyMongoError), pymongo.timeout(CLAIM_WAIT_S):
                collection.update_one(where, {"$inc": {"waits": 1}})
            raise

    def take(self, series: str, count: int = 1) -> int:
        collection = self._session.database[COUNTERS]
        document = self._session.run(
            lambda s: collection.find_one_and_update(
                {"tenant_id": self._tenant, "series": series},
                {"$inc": {"value": count}},
                upsert=True,
                return_document=ReturnDocument.AFTER,
                session=s,
            ),
            on_duplicate=lambda _: self._taken("DocumentCounter", series),
        )
        if document is None:  # upsert with ReturnDocument.AFTER always returns one
            raise self._session.fail(self._taken("DocumentCounter", series))
        value: int = document["value"]
        return value


class MongoOutboxRepository(_Repository):
    def append(self, events: Sequence[OutboxEvent]) -> None:
        for event in events:
            self._same_tenant("OutboxEvent", event.position, event.tenant_id)
        if not events:
            return
        documents = [to_document(e) for e in events]
        collection = self._session.database[OUTBOX_EVENTS]
        self._session.run(
            lambda s: collection.insert_many(documents, ordered=True, session=s),
            on_duplicate=lambda _: self._taken("OutboxEvent", events[0].position),
        )

    def after(self, position: int, limit: int) -> list[OutboxEvent]:
        collection = self._session.database[OUTBOX_EVENTS]
        documents = self._session.run(
            lambda s: list(
                collection.find(
                    {"tenant_id": self._tenant, "position": {"$gt": position}}, session=s
                )
                .sort([("position", ASCENDING)])
                .limit(limit)
            )
        )
        return [from_document(d, OutboxEvent) for d in documents]


class MongoOutboxConsumerRepository(_Repository):
    def get(self, name: str) -> ConsumerPosition | None:
        collection = self._session.database[OUTBOX_CONSUMERS]
        document = self._session.run(
            lambda s: collection.find_one({"tenant_id": self._tenant, "name": name}, session=s)
        )
        return None if document is None else from_document(document, ConsumerPosition)

    def add(self, position: ConsumerPosition) -> None:
        self._same_tenant("OutboxConsumer", position.name, position.tenant_id)
        document = to_document(position)
        collection = self._session.database[OUTBOX_CONSUMERS]
        self._session.run(
            lambda s: collection.insert_one(document, session=s),
            on_duplicate=lambda _: self._taken("OutboxConsumer", position.name),
        )

    def update(self, position: ConsumerPosition) -> ConsumerPosition:
        saved = attrs.evolve(position, version=position.version + 1)
        collection = self._session.database[OUTBOX_CONSUMERS]
        result = self._session.run(
            lambda s: collection.update_one(
                {"tenant_id": self._tenant, "name": position.name, "version": position.version},
                {"$set": to_document(saved)},
                session=s,
            )
        )
        if result.matched_count != 1:
            raise self._session.fail(self._taken("OutboxConsumer", position.name))
        return saved
