"""The in-memory repositories of the inventory area (库存)."""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from datetime import datetime
from typing import Any, TypeVar

from crmkit.adapters.memory.tables import TableRepository, WriteRejected
from crmkit.domain import (
    ConcurrencyConflict,
    DuplicateRecord,
    NotFound,
    ProductId,
    TenantId,
)
from crmkit.domain.inventory import (
    Movement,
    MovementId,
    Reservation,
    ReservationId,
    StockDocument,
    StockLevel,
    WarehouseId,
)
from crmkit.domain.versioning import next_version
from crmkit.services.inventory_ports import StockKey

LevelKey = tuple[TenantId, ProductId, WarehouseId]
MovementKey = tuple[TenantId, MovementId]
ReservationKey = tuple[TenantId, ReservationId]
DocumentKey = tuple[TenantId, str, str]

D = TypeVar("D", bound=StockDocument)


class InMemoryStockLevelRepository(TableRepository[Any, StockLevel]):
    def lock(self, keys: Collection[StockKey]) -> dict[StockKey, StockLevel]:
        tenant = self._tenant
        wanted = [
            (tenant, product_id, warehouse_id) for product_id, warehouse_id in sorted(set(keys))
        ]
        return {(x.product_id, x.warehouse_id): x for x in self._tx.get_many(wanted)}

    def for_products(self, product_ids: Collection[ProductId]) -> list[StockLevel]:
        rows = [x for p in set(product_ids) for x in self._tx.rows_in("product", (self._tenant, p))]
        return sorted(rows, key=lambda x: (x.product_id, x.warehouse_id))

    def save_many(self, levels: Sequence[StockLevel]) -> list[StockLevel]:
        return [self.save(level) for level in levels]

    def save(self, level: StockLevel) -> StockLevel:
        saved = next_version(level)
        try:
            if level.tenant_id != self._tenant:
                self._same_tenant("StockLevel", level.product_id, level.tenant_id)
            if level.version == 0:
                self._tx.insert(saved)
            else:
                self._tx.update(saved)
        except Exception:
            self._rollback()
            raise
        return saved


class InMemoryMovementRepository(TableRepository[Any, Movement]):
    def add_many(self, added: Sequence[Movement]) -> None:
        for movement in added:
            self.add(movement)

    def add(self, movement: Movement) -> None:
        self._insert(movement, "Movement", movement.id)

    def get(self, movement_id: MovementId) -> Movement:
        found: Movement | None = self._tx.get((self._tenant, movement_id))
        if found is None:
            raise NotFound("Movement", "id", movement_id, self._tenant)
        return found

    def history(
        self, product_id: ProductId, *, after: tuple[datetime, str] | None, limit: int
    ) -> list[Movement]:
        rows = [
            m
            for m in self._tx.rows_in("product", (self._tenant, product_id))
            if after is None or (m.occurred_at, m.id) > after
        ]
        rows.sort(key=lambda m: (m.occurred_at, m.id))
        return rows[:limit]


class InMemoryReservationRepository(TableRepository[Any, Reservation]):
    def update_many(self, changed: Sequence[Reservation]) -> list[Reservation]:
        return [self.update(reservation) for reservation in changed]

    def add_many(self, added: Sequence[Reservation]) -> None:
        for reservation in added:
            self.add(reservation)

    def add(self, reservation: Reservation) -> None:
        self._insert(reservation, "Reservation", reservation.id)

    def get(self, reservation_id: ReservationId) -> Reservation:
        found: Reservation | None = self._tx.get((self._tenant, reservation_id))
        if found is None:
            raise NotFound("Reservation", "id", reservation_id, self._tenant)
        return found

    def get_many(self, ids: Collection[ReservationId]) -> dict[ReservationId, Reservation]:
        found = (self._tx.get((self._tenant, rid)) for rid in set(ids))
        return {r.id: r for r in found if r is not None}

    def update(self, reservation: Reservation) -> Reservation:
        return self._update(reservation, "Reservation", reservation.id)

    def for_order(self, order_id: str, *, open_only: bool) -> list[Reservation]:
        mine = self._tx.rows_in("order", (self._tenant, order_id))
        rows = [r for r in mine if r.is_open or not open_only]
        return sorted(rows, key=lambda r: (r.line_id, r.id))

    def open_for_stock(self, product_id: ProductId, warehouse_id: WarehouseId) -> list[Reservation]:
        rows = self._tx.rows_in("open", (self._tenant, product_id, warehouse_id))
        rows.sort(key=lambda r: (r.created_at, r.id), reverse=True)
        return rows

    def expired(self, now: datetime, limit: int) -> list[Reservation]:
        # the open reservations that expire, by their group (most never expire)
        rows = [r for r in self._tx.rows_in("expiring", self._tenant) if r.is_expired(now)]
        rows.sort(key=lambda r: (r.expires_at, r.id))
        return rows[:limit]


class InMemoryStockDocumentRepository(TableRepository[Any, StockDocument]):
    def add(self, document: StockDocument) -> None:
        self._insert(document, document.KIND, document.id)

    def get(self, kind: type[D], document_id: str) -> D:
        found: object = self._tx.get((self._tenant, kind.KIND, document_id))
        if not isinstance(found, kind):
            raise NotFound(kind.__name__, "id", document_id, self._tenant)
        return found

    def update(self, document: D) -> D:
        saved: D = self._update(document, type(document).__name__, document.id)  # type: ignore[assignment]
        return saved


def _conflict(entity: str, record_id: object, tenant_id: str, version: int) -> Exception:
    return ConcurrencyConflict(
        entity, record_id, tenant_id, f"its stored version is no longer {version - 1}"
    )


def _write_error(entity: str, record_id: Callable[[Any], object]) -> Callable[..., Exception]:
    def error(rejected: WriteRejected, record: Any) -> Exception:
        if rejected.reason in {"exists", "unique"}:
            key = "id" if rejected.reason == "exists" else str(rejected.index)
            return DuplicateRecord(entity, key, record_id(record), record.tenant_id)
        if rejected.reason == "missing":
            return NotFound(entity, "id", record_id(record), record.tenant_id)
        return _conflict(entity, record_id(record), record.tenant_id, record.version)

    return error


def level_write_error(rejected: WriteRejected, level: StockLevel) -> Exception:
    """Every rejected stock-level write means another writer got there first."""
    return ConcurrencyConflict(
        "StockLevel",
        f"{level.product_id}@{level.warehouse_id}",
        level.tenant_id,
        "another unit of work created or changed this stock level first",
    )


movement_write_error = _write_error("Movement", lambda m: m.id)
reservation_write_error = _write_error("Reservation", lambda r: r.id)
document_write_error = _write_error("StockDocument", lambda d: d.id)
