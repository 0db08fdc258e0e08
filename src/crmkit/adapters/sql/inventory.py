"""The SQL repositories of the inventory area (库存)."""

from __future__ import annotations

import json
from collections.abc import Callable, Collection, Sequence
from datetime import datetime
from decimal import Decimal
from functools import cache
from typing import Any, TypeVar

import attrs
import cattrs
from sqlalchemy import ColumnElement, Select, Table, and_, bindparam, or_, select, update

from crmkit.adapters.sql.converters import batched, from_row, to_row
from crmkit.adapters.sql.session import SqlSession
from crmkit.adapters.sql.statements import (
    insert_into,
    set_columns,
    update_params,
    versioned_update,
)
from crmkit.adapters.sql.tables import (
    reservations,
    stock_documents,
    stock_levels,
    stock_movements,
    warehouses,
)
from crmkit.domain import (
    ConcurrencyConflict,
    CrmkitError,
    DuplicateRecord,
    NotFound,
    ProductId,
    WrongTenant,
)
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

IN_BATCH = 500
LOCK_BATCH = 100

D = TypeVar("D", bound=StockDocument)
V = TypeVar("V", Warehouse, Reservation)

# Stock documents keep their lines in a JSON body: Decimals as strings, times as ISO text.
_json = cattrs.Converter()
_json.register_unstructure_hook(Decimal, str)
_json.register_unstructure_hook(datetime, lambda d: d.isoformat())
_json.register_structure_hook(Decimal, lambda v, _: Decimal(v))
_json.register_structure_hook(datetime, lambda v, _: datetime.fromisoformat(v))


class _SqlRepository:
    table: Table

    def __init__(self, session: SqlSession) -> None:
        self._session = session
        self._tenant = session.tenant_id

    def _mine(self) -> ColumnElement[bool]:
        mine: ColumnElement[bool] = self.table.c.tenant_id == self._tenant
        return mine

    def _insert(self, record: Any, entity: str, key: str, value: object) -> None:
        if record.tenant_id != self._tenant:
            raise self._session.fail(WrongTenant(entity, value, record.tenant_id, self._tenant))
        self._session.execute(
            insert_into(self.table),
            to_row(record),
            on_unique=lambda _: DuplicateRecord(entity, key, value, record.tenant_id),
        )

    def _update(
        self, record: V, entity: str, on_unique: Callable[[str], CrmkitError] | None = None
    ) -> V:
        if record.tenant_id != self._tenant:
            raise self._session.fail(WrongTenant(entity, record.id, record.tenant_id, self._tenant))
        saved = attrs.evolve(record, version=record.version + 1)
        row = to_row(saved)
        keys = ("tenant_id", "id")
        result = self._session.execute(
            versioned_update(self.table, keys, set_columns(row, keys)),
            update_params(row, keys, record.version),
            on_unique=on_unique,
        )
        if result.rowcount != 1:
            self._stale(entity, record.id, record.version, self.table.c.id == record.id)
        return saved

    def _stale(
        self, entity: str, record_id: object, version: int, where: ColumnElement[bool]
    ) -> None:
        stored = self._session.execute(
            select(self.table.c.version).where(self._mine(), where)
        ).scalar_one_or_none()
        if stored is None:
            raise self._session.fail(NotFound(entity, "id", record_id, self._tenant))
        raise self._session.fail(
            ConcurrencyConflict(
                entity, record_id, self._tenant, f"its stored version is {stored}, not {version}"
            )
        )


class SqlWarehouseRepository(_SqlRepository):
    table = warehouses

    def add(self, warehouse: Warehouse) -> None:
        if warehouse.tenant_id != self._tenant:
            raise self._session.fail(
                WrongTenant("Warehouse", warehouse.id, warehouse.tenant_id, self._tenant)
            )
        self._session.execute(
            warehouses.insert().values(to_row(warehouse)), on_unique=self._duplicate(warehouse)
        )

    def get(self, warehouse_id: WarehouseId) -> Warehouse:
        row = self._session.execute(
            select(warehouses).where(self._mine(), warehouses.c.id == warehouse_id)
        ).one_or_none()
        if row is None:
            raise NotFound("Warehouse", "id", warehouse_id, self._tenant)
        return from_row(row._mapping, Warehouse)

    def list_all(self) -> list[Warehouse]:
        rows = self._session.execute(
            select(warehouses)
            .where(self._mine())
            .order_by(warehouses.c.priority, warehouses.c.code)
        )
        return [from_row(row._mapping, Warehouse) for row in rows]

    def update(self, warehouse: Warehouse) -> Warehouse:
        return self._update(warehouse, "Warehouse", self._duplicate(warehouse))

    def _duplicate(self, warehouse: Warehouse) -> Callable[[str], CrmkitError]:
        def error(constraint: str) -> CrmkitError:
            if "code" in constraint:
                return DuplicateRecord("Warehouse", "code", warehouse.code, warehouse.tenant_id)
            return DuplicateRecord("Warehouse", "id", warehouse.id, warehouse.tenant_id)

        return error


class SqlStockLevelRepository(_SqlRepository):
    table = stock_levels

    def lock(self, keys: Collection[StockKey]) -> dict[StockKey, StockLevel]:
        wanted = sorted(set(keys))
        products = sorted({p for p, _ in wanted})
        houses = sorted({w for _, w in wanted})
        found: dict[StockKey, StockLevel] = {}
        if wanted and len(wanted) == len(products) * len(houses) <= LOCK_BATCH * 5:
            # Every product in every warehouse (a reserve): two IN lists, cached, indexed.
            rows = self._session.execute(
                _lock_grid(),
                {"k_tenant_id": self._tenant, "k_products": products, "k_houses": houses},
            )
            for row in rows:
                level = from_row(row._mapping, StockLevel)
                found[(level.product_id, level.warehouse_id)] = level
            return found
        c = stock_levels.c
        for batch in batched(wanted, LOCK_BATCH):
            pairs = or_(*(and_(c.product_id == p, c.warehouse_id == w) for p, w in batch))
            rows = self._session.execute(
                select(stock_levels)
                .where(self._mine(), pairs)
                .order_by(c.product_id, c.warehouse_id)
                .with_for_update()
            )
            for row in rows:
                level = from_row(row._mapping, StockLevel)
                found[(level.product_id, level.warehouse_id)] = level
        return found

    def for_products(self, product_ids: Collection[ProductId]) -> list[StockLevel]:
        c = stock_levels.c
        found: list[StockLevel] = []
        for batch in batched(sorted(set(product_ids)), IN_BATCH):
            rows = self._session.execute(
                select(stock_levels)
                .where(self._mine(), c.product_id.in_(batch))
                .order_by(c.product_id, c.warehouse_id)
            )
            found.extend(from_row(row._mapping, StockLevel) for row in rows)
        return found

    def save(self, level: StockLevel) -> StockLevel:
        return self.save_many([level])[0]

    def save_many(self, levels: Sequence[StockLevel]) -> list[StockLevel]:
        for level in levels:
            if level.tenant_id != self._tenant:
                raise self._session.fail(
                    WrongTenant("StockLevel", level.product_id, level.tenant_id, self._tenant)
                )
        saved = [attrs.evolve(x, version=x.version + 1) for x in levels]
        added = [to_row(x) for x in saved if x.version == 1]
        if added:
            self._session.execute(
                insert_into(stock_levels),
                added,
                on_unique=lambda _: self._conflict([x for x in levels if x.version == 0]),
            )
        changed = [(x, to_row(y)) for x, y in zip(levels, saved, strict=True) if x.version]
        if changed:
            statement = versioned_update(stock_levels, _LEVEL_KEYS, _level_columns(changed))
            params = [update_params(row, _LEVEL_KEYS, x.version) for x, row in changed]
            result = self._session.execute(statement, params)
            if result.rowcount != len(params):
                raise self._session.fail(self._conflict([x for x, _ in changed]))
        return saved

    def _conflict(self, levels: Sequence[StockLevel]) -> ConcurrencyConflict:
        keys = ", ".join(f"{x.product_id}@{x.warehouse_id}" for x in levels[:3])
        return ConcurrencyConflict(
            "StockLevel",
            keys,
            self._tenant,
            "another unit of work created or changed this stock level first",
        )


_LEVEL_KEYS = ("tenant_id", "product_id", "warehouse_id")


@cache
def _lock_grid() -> Select[Any]:
    c = stock_levels.c
    return (
        select(stock_levels)
        .where(
            c.tenant_id == bindparam("k_tenant_id"),
            c.product_id.in_(bindparam("k_products", expanding=True)),
            c.warehouse_id.in_(bindparam("k_houses", expanding=True)),
        )
        .order_by(c.product_id, c.warehouse_id)
        .with_for_update()
    )


def _level_columns(changed: Sequence[tuple[StockLevel, dict[str, Any]]]) -> tuple[str, ...]:
    return set_columns(changed[0][1], _LEVEL_KEYS)


class SqlMovementRepository(_SqlRepository):
    table = stock_movements

    def add(self, movement: Movement) -> None:
        self._insert(movement, "Movement", "request key and line", movement.id)

    def get(self, movement_id: MovementId) -> Movement:
        row = self._session.execute(
            select(stock_movements).where(self._mine(), stock_movements.c.id == movement_id)
        ).one_or_none()
        if row is None:
            raise NotFound("Movement", "id", movement_id, self._tenant)
        return from_row(row._mapping, Movement)

    def history(
        self, product_id: ProductId, *, after: tuple[datetime, str] | None, limit: int
    ) -> list[Movement]:
        c = stock_movements.c
        query = select(stock_movements).where(self._mine(), c.product_id == product_id)
        if after is not None:
            moment, last = after
            query = query.where(
                or_(c.occurred_at > moment, and_(c.occurred_at == moment, c.id > last))
            )
        rows = self._session.execute(query.order_by(c.occurred_at, c.id).limit(limit))
        return [from_row(row._mapping, Movement) for row in rows]


class SqlReservationRepository(_SqlRepository):
    table = reservations

    def add(self, reservation: Reservation) -> None:
        self._insert(reservation, "Reservation", "id", reservation.id)

    def add_many(self, added: Sequence[Reservation]) -> None:
        for reservation in added:
            if reservation.tenant_id != self._tenant:
                raise self._session.fail(
                    WrongTenant("Reservation", reservation.id, reservation.tenant_id, self._tenant)
                )
        if not added:
            return
        self._session.execute(
            insert_into(reservations),
            [to_row(x) for x in added],
            on_unique=lambda _: DuplicateRecord(
                "Reservation", "id", ", ".join(x.id for x in added[:3]), self._tenant
            ),
        )

    def get(self, reservation_id: ReservationId) -> Reservation:
        row = self._session.execute(
            select(reservations).where(self._mine(), reservations.c.id == reservation_id)
        ).one_or_none()
        if row is None:
            raise NotFound("Reservation", "id", reservation_id, self._tenant)
        return from_row(row._mapping, Reservation)

    def get_many(self, ids: Collection[ReservationId]) -> dict[ReservationId, Reservation]:
        found: dict[ReservationId, Reservation] = {}
        for batch in batched(sorted(set(ids)), IN_BATCH):
            rows = self._session.execute(
                select(reservations).where(self._mine(), reservations.c.id.in_(batch))
            )
            for row in rows:
                reservation = from_row(row._mapping, Reservation)
                found[reservation.id] = reservation
        return found

    def update(self, reservation: Reservation) -> Reservation:
        return self._update(reservation, "Reservation")

    def for_order(self, order_id: str, *, open_only: bool) -> list[Reservation]:
        c = reservations.c
        query = select(reservations).where(self._mine(), c.order_id == order_id)
        if open_only:
            query = query.where(c.status == ReservationStatus.OPEN.value)
        rows = self._session.execute(query.order_by(c.line_id, c.id))
        return [from_row(row._mapping, Reservation) for row in rows]

    def open_for_stock(self, product_id: ProductId, warehouse_id: WarehouseId) -> list[Reservation]:
        c = reservations.c
        rows = self._session.execute(
            select(reservations)
            .where(
                self._mine(),
                c.product_id == product_id,
                c.warehouse_id == warehouse_id,
                c.status == ReservationStatus.OPEN.value,
            )
            .order_by(c.created_at.desc(), c.id.desc())
        )
        return [from_row(row._mapping, Reservation) for row in rows]

    def expired(self, now: datetime, limit: int) -> list[Reservation]:
        c = reservations.c
        rows = self._session.execute(
            select(reservations)
            .where(
                self._mine(),
                c.status == ReservationStatus.OPEN.value,
                c.expires_at.is_not(None),
                c.expires_at <= now,
            )
            .order_by(c.expires_at, c.id)
            .limit(limit)
        )
        return [from_row(row._mapping, Reservation) for row in rows]


class SqlStockDocumentRepository(_SqlRepository):
    table = stock_documents

    def add(self, document: StockDocument) -> None:
        if document.tenant_id != self._tenant:
            raise self._session.fail(
                WrongTenant(document.KIND, document.id, document.tenant_id, self._tenant)
            )
        self._session.execute(
            insert_into(stock_documents),
            _document_row(document),
            on_unique=lambda _: DuplicateRecord(
                type(document).__name__, "id", document.id, document.tenant_id
            ),
        )

    def get(self, kind: type[D], document_id: str) -> D:
        c = stock_documents.c
        body = self._session.execute(
            select(c.body).where(self._mine(), c.kind == kind.KIND, c.id == document_id)
        ).scalar_one_or_none()
        if body is None:
            raise NotFound(kind.__name__, "id", document_id, self._tenant)
        return _json.structure(json.loads(body), kind)

    def update(self, document: D) -> D:
        entity = type(document).__name__
        if document.tenant_id != self._tenant:
            raise self._session.fail(
                WrongTenant(entity, document.id, document.tenant_id, self._tenant)
            )
        saved = attrs.evolve(document, version=document.version + 1)
        values = _document_row(saved)
        c = stock_documents.c
        result = self._session.execute(
            update(stock_documents)
            .where(
                self._mine(),
                c.kind == document.KIND,
                c.id == document.id,
                c.version == document.version,
            )
            .values(
                status=values["status"],
                body=values["body"],
                updated_at=saved.updated_at,
                version=saved.version,
            )
        )
        if result.rowcount != 1:
            self._stale(
                entity,
                document.id,
                document.version,
                and_(c.kind == document.KIND, c.id == document.id),
            )
        return saved


def _document_row(document: StockDocument) -> dict[str, Any]:
    return {
        "tenant_id": document.tenant_id,
        "kind": document.KIND,
        "id": document.id,
        "status": document.status.value,
        "body": json.dumps(_json.unstructure(document), ensure_ascii=False, sort_keys=True),
        "created_at": document.created_at,
        "updated_at": document.updated_at,
        "version": document.version,
    }
