"""The SQL repositories of the inventory area (库存)."""

from __future__ import annotations

import json
from collections.abc import Callable, Collection, Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any, TypeVar

import cattrs
from sqlalchemy import ColumnElement, Table, and_, or_, select, update

from crmkit.adapters.sql.converters import batched, from_row, to_row
from crmkit.adapters.sql.repository import SqlRepository
from crmkit.adapters.sql.statements import (
    insert_into,
    select_where,
    set_columns,
    update_params,
    versioned_update,
)
from crmkit.adapters.sql.tables import (
    reservations,
    stock_documents,
    stock_movements,
)
from crmkit.domain import (
    ConcurrencyConflict,
    CrmkitError,
    DuplicateRecord,
    NotFound,
    ProductId,
)
from crmkit.domain.inventory import (
    Movement,
    MovementId,
    Reservation,
    ReservationId,
    ReservationStatus,
    StockDocument,
    Warehouse,
    WarehouseId,
)
from crmkit.domain.versioning import next_version

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


class _SqlRepository(SqlRepository):
    table: Table

    def _mine(self) -> ColumnElement[bool]:
        mine: ColumnElement[bool] = self.table.c.tenant_id == self._tenant
        return mine

    def _insert(self, record: Any, entity: str, key: str, value: object) -> None:
        self._same_tenant(entity, value, record.tenant_id)
        self._session.write(
            insert_into(self.table),
            to_row(record),
            on_unique=lambda _: DuplicateRecord(entity, key, value, record.tenant_id),
        )

    def _insert_many(self, added: Sequence[Any], entity: str, key: str) -> None:
        for record in added:
            self._same_tenant(entity, record.id, record.tenant_id)
        if not added:
            return
        self._session.write(
            insert_into(self.table),
            [to_row(x) for x in added],
            on_unique=lambda _: DuplicateRecord(
                entity, key, ", ".join(x.id for x in added[:3]), self._tenant
            ),
        )

    def _update(
        self, record: V, entity: str, on_unique: Callable[[str], CrmkitError] | None = None
    ) -> V:
        saved = next_version(record)
        self._write_over(self.table, entity, record, to_row(saved), on_unique)
        return saved


class SqlMovementRepository(_SqlRepository):
    table = stock_movements

    def add(self, movement: Movement) -> None:
        self._insert(movement, "Movement", "request key and line", movement.id)

    def add_many(self, added: Sequence[Movement]) -> None:
        self._insert_many(added, "Movement", "request key and line")

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
        self._insert_many(added, "Reservation", "id")

    def update_many(self, changed: Sequence[Reservation]) -> list[Reservation]:
        if len(changed) == 1:
            return [self.update(changed[0])]
        for record in changed:
            self._same_tenant("Reservation", record.id, record.tenant_id)
        saved = [next_version(x) for x in changed]
        rows = [to_row(x) for x in saved]
        keys = ("tenant_id", "id")
        params = [update_params(r, keys, x.version) for x, r in zip(changed, rows, strict=True)]
        if params:

            def check(count: int) -> None:
                if count != len(params):
                    self._stale_many(changed)

            statement = versioned_update(reservations, keys, set_columns(rows[0], keys))
            self._session.write(statement, params, check=check)
        return saved

    def _stale_many(self, changed: Sequence[Reservation]) -> None:
        c = reservations.c
        stored = set(
            self._session.execute(
                select(c.id).where(self._mine(), c.id.in_([x.id for x in changed]))
            ).scalars()
        )
        for record in changed:
            if record.id not in stored:
                raise self._session.fail(NotFound("Reservation", "id", record.id, self._tenant))
        raise self._session.fail(
            ConcurrencyConflict(
                "Reservation",
                ", ".join(x.id for x in changed[:3]),
                self._tenant,
                "another unit of work changed one of them first",
            )
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
        equal = ("tenant_id", "order_id", "status") if open_only else ("tenant_id", "order_id")
        params = {"k_tenant_id": self._tenant, "k_order_id": order_id}
        if open_only:
            params["k_status"] = ReservationStatus.OPEN.value
        query = select_where(reservations, equal, order=("line_id", "id"))
        rows = self._session.execute(query, params)
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
        status = ReservationStatus.OPEN.value
        query = select_where(
            reservations,
            ("tenant_id", "status"),
            upto="expires_at",
            order=("expires_at", "id"),
            limited=True,
        )
        params = {"k_tenant_id": self._tenant, "k_status": status, "k_expires_at": now}
        rows = self._session.execute(query, params | {"k_limit": limit})
        return [from_row(row._mapping, Reservation) for row in rows]


class SqlStockDocumentRepository(_SqlRepository):
    table = stock_documents

    def add(self, document: StockDocument) -> None:
        self._same_tenant(document.KIND, document.id, document.tenant_id)
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
        self._same_tenant(entity, document.id, document.tenant_id)
        saved = next_version(document)
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
                stock_documents,
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
