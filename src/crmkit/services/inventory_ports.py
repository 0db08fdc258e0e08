"""Ports of the inventory area (库存): one repository per aggregate.

Every repository sees only the unit of work's tenant. Writes of versioned records are
conditional: they succeed only if the stored version is the one the record was read at.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime
from typing import Protocol, TypeVar

from crmkit.domain import ProductId
from crmkit.domain.inventory import (
    Movement,
    MovementId,
    Reservation,
    ReservationId,
    StockDocument,
    StockLevel,
    Warehouse,
    WarehouseId,
)
from crmkit.services.store_ports import RecordStore

StockKey = tuple[ProductId, WarehouseId]
D = TypeVar("D", bound=StockDocument)


class WarehouseRepository(RecordStore[Warehouse, WarehouseId], Protocol):
    """The tenant's warehouses (仓库); a code is unique in the tenant (DuplicateRecord)."""

    def list_all(self) -> list[Warehouse]:
        """Every warehouse of the tenant, ordered by priority, then code."""
        ...


class StockLevelRepository(Protocol):
    """Stock levels per product and warehouse, changed only by conditional writes."""

    def lock(self, keys: Collection[StockKey]) -> dict[StockKey, StockLevel]:
        """The stored levels of ``keys`` (missing ones left out), locked for this unit of
        work where the backend locks rows, always in ascending key order so that
        concurrent units of work cannot deadlock."""
        ...

    def for_products(self, product_ids: Collection[ProductId]) -> list[StockLevel]:
        """Every stored level of these products, ordered by product then warehouse id."""
        ...

    def save(self, level: StockLevel) -> StockLevel:
        """Store ``level`` (insert at version 0, else update) and return it at version + 1.

        Raises:
            ConcurrencyConflict: another writer stored this level first (or changed it
                since it was read); retry the unit of work.
        """
        ...

    def save_many(self, levels: Sequence[StockLevel]) -> list[StockLevel]:
        """Store ``levels`` as :meth:`save` does, in as few round trips as the backend can.

        Raises:
            ConcurrencyConflict: another writer stored or changed one of them first.
        """
        ...


class MovementRepository(Protocol):
    """The stock ledger: append-only movements."""

    def add(self, movement: Movement) -> None:
        """Append a movement.

        Raises:
            DuplicateRecord: a movement with this id, or this request key and line, exists.
        """
        ...

    def add_many(self, added: Sequence[Movement]) -> None:
        """Append movements, as :meth:`add` does, in as few round trips as possible.

        Raises:
            DuplicateRecord: one of them exists already.
        """
        ...

    def get(self, movement_id: MovementId) -> Movement:
        """The movement with this id.

        Raises:
            NotFound: no such movement in this tenant.
        """
        ...

    def history(
        self, product_id: ProductId, *, after: tuple[datetime, str] | None, limit: int
    ) -> list[Movement]:
        """Up to ``limit`` movements of the product ordered by (occurred_at, id), after
        the key ``after`` (keyset pagination)."""
        ...


class ReservationRepository(Protocol):
    """Reservations of order lines."""

    def add(self, reservation: Reservation) -> None:
        """Store a new reservation.

        Raises:
            DuplicateRecord: a reservation with this id exists.
        """
        ...

    def add_many(self, added: Sequence[Reservation]) -> None:
        """Store new reservations, as :meth:`add` does, in as few round trips as possible.

        Raises:
            DuplicateRecord: a reservation with one of these ids exists.
        """
        ...

    def get(self, reservation_id: ReservationId) -> Reservation:
        """The reservation with this id.

        Raises:
            NotFound: no such reservation in this tenant.
        """
        ...

    def get_many(self, ids: Collection[ReservationId]) -> dict[ReservationId, Reservation]:
        """The reservations with these ids; unknown ids are left out."""
        ...

    def update(self, reservation: Reservation) -> Reservation:
        """Store a changed reservation; returns it with its version incremented.

        Raises:
            NotFound: no such reservation in this tenant.
            ConcurrencyConflict: the stored version differs.
        """
        ...

    def update_many(self, changed: Sequence[Reservation]) -> list[Reservation]:
        """Store changed reservations, as :meth:`update` does, in as few round trips as
        possible; return them with their versions incremented.

        Raises:
            NotFound: one of them does not exist.
            ConcurrencyConflict: another writer changed one of them first.
        """
        ...

    def for_order(self, order_id: str, *, open_only: bool) -> list[Reservation]:
        """The order's reservations (or only the open ones), by line id then id."""
        ...

    def open_for_stock(self, product_id: ProductId, warehouse_id: WarehouseId) -> list[Reservation]:
        """The open reservations on one stock level, newest first (created_at, id)."""
        ...

    def expired(self, now: datetime, limit: int) -> list[Reservation]:
        """Up to ``limit`` open reservations whose expiry is at or before ``now``, ordered
        by expiry then id."""
        ...


class StockDocumentRepository(Protocol):
    """Inbound orders, delivery notes, return orders and stock counts."""

    def add(self, document: StockDocument) -> None:
        """Store a new document.

        Raises:
            DuplicateRecord: a document with this id exists.
        """
        ...

    def get(self, kind: type[D], document_id: str) -> D:
        """The document of type ``kind`` with this id.

        Raises:
            NotFound: no such document of this type in this tenant.
        """
        ...

    def update(self, document: D) -> D:
        """Store a changed document; returns it with its version incremented.

        Raises:
            NotFound: no such document in this tenant.
            ConcurrencyConflict: the stored version differs.
        """
        ...


__all__ = [
    "MovementRepository",
    "ReservationRepository",
    "StockDocumentRepository",
    "StockKey",
    "StockLevelRepository",
    "WarehouseRepository",
]
