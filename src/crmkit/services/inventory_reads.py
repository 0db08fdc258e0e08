"""Reads of the inventory service: availability over warehouses and movement history."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime
from decimal import Decimal

import attrs

from crmkit.domain import (
    ProductId,
    ValidationError,
)
from crmkit.domain.inventory import (
    Movement,
    StockLevel,
    WarehouseId,
)
from crmkit.domain.quantity import normal_quantity
from crmkit.services.boundary import checked_calls
from crmkit.services.inventory_base import InventoryBase
from crmkit.services.inventory_steps import (
    products_exist,
    uncounted,
    zero,
)
from crmkit.services.pagination import Page, check_page_size, decode_cursor, encode_cursor


@attrs.frozen
class WarehouseStock:
    """One product's stock in one warehouse."""

    warehouse_id: WarehouseId
    on_hand: Decimal = attrs.field(converter=normal_quantity)
    reserved: Decimal = attrs.field(converter=normal_quantity)
    available: Decimal = attrs.field(converter=normal_quantity)
    quarantine: Decimal = attrs.field(converter=normal_quantity)


@attrs.frozen
class ProductAvailability:
    """A product's stock over all warehouses, and per warehouse."""

    product_id: ProductId
    on_hand: Decimal = attrs.field(converter=normal_quantity)
    reserved: Decimal = attrs.field(converter=normal_quantity)
    available: Decimal = attrs.field(converter=normal_quantity)
    quarantine: Decimal = attrs.field(converter=normal_quantity)
    warehouses: tuple[WarehouseStock, ...]


@checked_calls
class StockReads(InventoryBase):
    """Availability and movement history."""

    # ----------------------------------------------------------------- queries

    def availability(
        self, product_ids: Collection[ProductId]
    ) -> dict[ProductId, ProductAvailability]:
        """Stock of these products over all warehouses, in one call.

        Raises:
            NotFound: a product does not exist.
        """
        wanted = sorted(set(product_ids))
        with self._uow() as uow:
            products_exist(uow, wanted)
            levels = uncounted(uow, uow.stock_levels.for_products(wanted), self._clock.now())
        per: dict[ProductId, list[StockLevel]] = {pid: [] for pid in wanted}
        for level in levels:
            per[level.product_id].append(level)
        return {pid: _availability(pid, per[pid]) for pid in wanted}

    def movement_history(
        self, product_id: ProductId, *, cursor: str | None = None, limit: int = 50
    ) -> Page[Movement]:
        """A page of the product's movements, oldest first; pass ``next_cursor`` on.

        Raises:
            ValidationError: a page size outside 1..500 or a cursor that is not valid.
        """
        check_page_size(limit)
        after: tuple[datetime, str] | None = None
        if cursor is not None:
            moment, movement_id = decode_cursor(cursor, 2)
            try:
                after = (datetime.fromisoformat(moment), movement_id)
            except ValueError:
                raise ValidationError(f"cursor {cursor!r} is not a movement cursor.") from None
        with self._uow() as uow:
            rows = uow.movements.history(product_id, after=after, limit=limit + 1)
        items = tuple(rows[:limit])
        more = len(rows) > limit
        last = items[-1] if items else None
        return Page(
            items,
            encode_cursor([last.occurred_at.isoformat(), last.id]) if more and last else None,
        )


def _availability(product_id: ProductId, levels: list[StockLevel]) -> ProductAvailability:
    rows = tuple(
        WarehouseStock(x.warehouse_id, x.on_hand, x.reserved, x.available, x.quarantine)
        for x in sorted(levels, key=lambda x: x.warehouse_id)
    )
    return ProductAvailability(
        product_id,
        sum((r.on_hand for r in rows), zero()),
        sum((r.reserved for r in rows), zero()),
        sum((r.available for r in rows), zero()),
        sum((r.quarantine for r in rows), zero()),
        rows,
    )
