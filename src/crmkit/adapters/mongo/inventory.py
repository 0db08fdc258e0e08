"""The MongoDB repositories of the inventory area (库存)."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime
from typing import Any, TypeVar

import attrs
from pymongo import ASCENDING, DESCENDING
from pymongo.collection import Collection as MongoCollection

from crmkit.adapters.mongo.converters import from_document, to_document
from crmkit.adapters.mongo.indexes import (
    RESERVATIONS,
    STOCK_DOCUMENTS,
    STOCK_LEVELS,
    STOCK_MOVEMENTS,
)
from crmkit.adapters.mongo.repository import MongoRepository
from crmkit.adapters.mongo.session import MongoSession
from crmkit.domain import ConcurrencyConflict, DuplicateRecord, NotFound, ProductId
from crmkit.domain.inventory import (
    Movement,
    MovementId,
    Reservation,
    ReservationId,
    ReservationStatus,
    StockDocument,
    StockLevel,
    Warehouse,
    WarehouseId,
)
from crmkit.services.inventory_ports import StockKey

D = TypeVar("D", bound=StockDocument)
V = TypeVar("V", Warehouse, Reservation, StockLevel)
T = TypeVar("T")

OPEN = ReservationStatus.OPEN.value


class _MongoRepository(MongoRepository):
    collection_name: str

    def __init__(self, session: MongoSession) -> None:
        super().__init__(session)
        self._collection: MongoCollection[dict[str, Any]] = session.database[self.collection_name]

    def _insert(self, record: Any, entity: str, key: str, value: object) -> None:
        self._same_tenant(entity, value, record.tenant_id)
        document = to_document(record)
        if hasattr(record, "KIND"):
            document["kind"] = record.KIND
        self._session.run(
            lambda s: self._collection.insert_one(document, session=s),
            on_duplicate=lambda index: DuplicateRecord(
                entity, "code" if "code" in index else key, value, record.tenant_id
            ),
        )

    def _find(self, query: dict[str, Any], cls: type[T], **options: Any) -> list[T]:
        documents = self._session.run(
            lambda s: list(
                self._collection.find({"tenant_id": self._tenant, **query}, session=s, **options)
            )
        )
        return [from_document(d, cls) for d in documents]

    def _one(self, query: dict[str, Any], cls: type[T], entity: str, value: object) -> T:
        document = self._session.run(
            lambda s: self._collection.find_one({"tenant_id": self._tenant, **query}, session=s)
        )
        if document is None:
            raise NotFound(entity, "id", value, self._tenant)
        return from_document(document, cls)

    def _replace(self, record: Any, key: dict[str, Any], entity: str) -> Any:
        saved = attrs.evolve(record, version=record.version + 1)
        self._write_over(
            self._collection,
            record,
            to_document(saved),
            entity=entity,
            key=key,
            on_duplicate=lambda _: DuplicateRecord(
                entity, "code", getattr(record, "code", record.id), self._tenant
            ),
        )
        return saved


class MongoStockLevelRepository(_MongoRepository):
    collection_name = STOCK_LEVELS

    def lock(self, keys: Collection[StockKey]) -> dict[StockKey, StockLevel]:
        wanted = sorted(set(keys))
        if not wanted:
            return {}
        levels = self._find(
            {"$or": [{"product_id": p, "warehouse_id": w} for p, w in wanted]},
            StockLevel,
            sort=[("product_id", ASCENDING), ("warehouse_id", ASCENDING)],
        )
        return {(x.product_id, x.warehouse_id): x for x in levels}

    def for_products(self, product_ids: Collection[ProductId]) -> list[StockLevel]:
        return self._find(
            {"product_id": {"$in": sorted(set(product_ids))}},
            StockLevel,
            sort=[("product_id", ASCENDING), ("warehouse_id", ASCENDING)],
        )

    def save_many(self, levels: Sequence[StockLevel]) -> list[StockLevel]:
        return [self.save(level) for level in levels]

    def save(self, level: StockLevel) -> StockLevel:
        self._same_tenant("StockLevel", level.product_id, level.tenant_id)
        saved = attrs.evolve(level, version=level.version + 1)
        document = to_document(saved)
        conflict = ConcurrencyConflict(
            "StockLevel",
            f"{level.product_id}@{level.warehouse_id}",
            self._tenant,
            "another unit of work created or changed this stock level first",
        )
        if level.version == 0:
            self._session.run(
                lambda s: self._collection.insert_one(document, session=s),
                on_duplicate=lambda _: conflict,
            )
            return saved
        where = {
            "tenant_id": self._tenant,
            "product_id": level.product_id,
            "warehouse_id": level.warehouse_id,
            "version": level.version,
        }
        result = self._session.run(
            lambda s: self._collection.update_one(where, {"$set": document}, session=s)
        )
        if result.matched_count != 1:
            raise self._session.fail(conflict)
        return saved


class MongoMovementRepository(_MongoRepository):
    collection_name = STOCK_MOVEMENTS

    def add_many(self, added: Sequence[Movement]) -> None:
        for movement in added:
            self.add(movement)

    def add(self, movement: Movement) -> None:
        self._insert(movement, "Movement", "request key and line", movement.id)

    def get(self, movement_id: MovementId) -> Movement:
        return self._one({"id": movement_id}, Movement, "Movement", movement_id)

    def history(
        self, product_id: ProductId, *, after: tuple[datetime, str] | None, limit: int
    ) -> list[Movement]:
        query: dict[str, Any] = {"product_id": product_id}
        if after is not None:
            moment, last = after
            query["$or"] = [
                {"occurred_at": {"$gt": moment}},
                {"occurred_at": moment, "id": {"$gt": last}},
            ]
        return self._find(
            query, Movement, sort=[("occurred_at", ASCENDING), ("id", ASCENDING)], limit=limit
        )


class MongoReservationRepository(_MongoRepository):
    collection_name = RESERVATIONS

    def update_many(self, changed: Sequence[Reservation]) -> list[Reservation]:
        return [self.update(reservation) for reservation in changed]

    def add_many(self, added: Sequence[Reservation]) -> None:
        for reservation in added:
            self.add(reservation)

    def add(self, reservation: Reservation) -> None:
        self._insert(reservation, "Reservation", "id", reservation.id)

    def get(self, reservation_id: ReservationId) -> Reservation:
        return self._one({"id": reservation_id}, Reservation, "Reservation", reservation_id)

    def get_many(self, ids: Collection[ReservationId]) -> dict[ReservationId, Reservation]:
        found = self._find({"id": {"$in": sorted(set(ids))}}, Reservation)
        return {r.id: r for r in found}

    def update(self, reservation: Reservation) -> Reservation:
        saved: Reservation = self._replace(reservation, {"id": reservation.id}, "Reservation")
        return saved

    def for_order(self, order_id: str, *, open_only: bool) -> list[Reservation]:
        query: dict[str, Any] = {"order_id": order_id}
        if open_only:
            query["status"] = OPEN
        return self._find(query, Reservation, sort=[("line_id", ASCENDING), ("id", ASCENDING)])

    def open_for_stock(self, product_id: ProductId, warehouse_id: WarehouseId) -> list[Reservation]:
        return self._find(
            {"product_id": product_id, "warehouse_id": warehouse_id, "status": OPEN},
            Reservation,
            sort=[("created_at", DESCENDING), ("id", DESCENDING)],
        )

    def expired(self, now: datetime, limit: int) -> list[Reservation]:
        return self._find(
            {"status": OPEN, "expires_at": {"$ne": None, "$lte": now}},
            Reservation,
            sort=[("expires_at", ASCENDING), ("id", ASCENDING)],
            limit=limit,
        )


class MongoStockDocumentRepository(_MongoRepository):
    collection_name = STOCK_DOCUMENTS

    def add(self, document: StockDocument) -> None:
        self._insert(document, type(document).__name__, "id", document.id)

    def get(self, kind: type[D], document_id: str) -> D:
        return self._one({"kind": kind.KIND, "id": document_id}, kind, kind.__name__, document_id)

    def update(self, document: D) -> D:
        key = {"kind": document.KIND, "id": document.id}
        saved: D = self._replace(document, key, type(document).__name__)
        return saved
