"""Shelf checks of a store and the figures derived between two of them.

Deliveries to the store and what it returned come through :class:`StoreDeliveries`, a
read port over the inventory's delivery notes (the store is the customer the goods were
delivered to); prices through :class:`StorePrices`, a read port over the store's price list.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from datetime import datetime
from decimal import Decimal
from typing import Protocol

import attrs

from crmkit.domain import ValidationError
from crmkit.domain.field_work.shelf import (
    SHELF_CHECKS,
    PriceDeviation,
    ShelfCheck,
    out_of_stock,
    price_deviations,
    sell_through,
)
from crmkit.domain.ids import record_id
from crmkit.domain.record_query import Equals
from crmkit.services.boundary import checked_calls
from crmkit.services.ports import UnitOfWork
from crmkit.services.tenant_service import MAX_LISTED


@attrs.frozen
class StoreMovements:
    """Quantities per product delivered to a store, and returned by it, in a period."""

    delivered: dict[str, Decimal]
    returned: dict[str, Decimal]


class StoreDeliveries(Protocol):
    """Read port: what reached a store and came back from it, from the delivery notes."""

    def between(
        self, customer_id: str, product_ids: Collection[str], start: datetime, end: datetime
    ) -> StoreMovements:
        """Deliveries and returns of these products for the customer's store with
        start < time <= end (:class:`LedgerStoreDeliveries` reads the stock ledger)."""
        ...


class StorePrices(Protocol):
    """Read port: the store's listed prices (its price list) at a moment."""

    def listed(
        self, customer_id: str, product_ids: Collection[str], at: datetime
    ) -> dict[str, Decimal]:
        """The listed unit price of each product that has one."""
        ...


@attrs.frozen
class ShelfFigures:
    """What two checks of one store tell: units sold, empty shelf places, wrong prices."""

    previous_id: str
    current_id: str
    sell_through: dict[str, Decimal]
    out_of_stock: list[str]
    price_deviations: list[PriceDeviation]


@checked_calls
class ShelfCheckService:
    """Shelf checks (盘点动作) of one tenant's stores and their derived figures."""

    def __init__(
        self,
        unit_of_work: Callable[[], UnitOfWork],
        deliveries: StoreDeliveries,
        prices: StorePrices,
    ) -> None:
        self._uow = unit_of_work
        self._deliveries = deliveries
        self._prices = prices

    def checks_of(self, customer_id: str) -> list[ShelfCheck]:
        """The store's shelf checks, earliest first (at most 500)."""
        customer = record_id(customer_id, "customer id")
        with self._uow() as uow:
            page = uow.records(SHELF_CHECKS).find(
                Equals("customer_id", customer), order_by="checked_at", limit=MAX_LISTED
            )
        return list(page.items)

    def figures(self, previous_id: str, current_id: str) -> ShelfFigures:
        """Sell-through between two checks of one store (of the products on either check),
        and the current check's empty places and price deviations.

        Raises:
            ValidationError: bad ids, or the checks are of different stores or reversed.
            NotFound: no such check.
        """
        first = record_id(previous_id, "shelf check id")
        second = record_id(current_id, "shelf check id")
        with self._uow() as uow:
            previous = uow.records(SHELF_CHECKS).get(first)
            current = uow.records(SHELF_CHECKS).get(second)
        if previous.customer_id != current.customer_id or previous.checked_at >= current.checked_at:
            raise ValidationError(
                f"shelf checks {first!r} and {second!r} must be of one store, the first earlier."
            )
        products = sorted({x.product_id for x in (*previous.lines, *current.lines)})
        moved = self._deliveries.between(
            current.customer_id, products, previous.checked_at, current.checked_at
        )
        seen = [line.product_id for line in current.lines]
        listed = self._prices.listed(current.customer_id, seen, current.checked_at)
        return ShelfFigures(
            first,
            second,
            sell_through(previous, current, moved.delivered, moved.returned),
            out_of_stock(current, {line.product_id: None for line in previous.lines}),
            price_deviations(current, listed),
        )
