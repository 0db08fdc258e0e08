"""Ports of pricing: price lists (价目表), quotes (报价单) and sales orders (销售订单)."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime
from typing import Protocol

import attrs

from crmkit.domain import ProductId
from crmkit.domain.price_index import TierKey
from crmkit.domain.price_list import PriceEntry, PriceEntryId, PriceList, PriceListId
from crmkit.domain.quote import Quote, QuoteId
from crmkit.domain.sales_order import SalesOrder, SalesOrderId, SalesOrderStatus
from crmkit.services.store_ports import RecordStore


@attrs.frozen
class OrderFilter:
    """Which orders a listing returns; ``None`` means "any". ``since``/``until`` bound the
    creation time as ``[since, until)``."""

    account_id: str | None = None
    status: SalesOrderStatus | None = None
    since: datetime | None = None
    until: datetime | None = None


class PriceListRepository(RecordStore[PriceList, PriceListId], Protocol):
    """The price lists of the unit of work's tenant, and their entries."""

    def all(self) -> list[PriceList]:
        """Every price list of the tenant (active or not), ordered by id, in one call."""
        ...

    def add_entries(self, entries: Sequence[PriceEntry]) -> None:
        """Store new entries (of this tenant's lists) in as few round trips as possible.

        Raises:
            DuplicateRecord: an entry id is taken.
            WrongTenant: an entry belongs to another tenant.
        """
        ...

    def get_entry(self, entry_id: PriceEntryId) -> PriceEntry:
        """The entry with this id.

        Raises:
            NotFound: no such entry in this tenant.
        """
        ...

    def update_entry(self, entry: PriceEntry) -> PriceEntry:
        """Store a changed entry and return it with its version incremented.

        Raises:
            NotFound: no such entry in this tenant.
            ConcurrencyConflict: the stored version differs.
        """
        ...

    def entries_for(
        self, price_list_ids: Collection[PriceListId], product_ids: Collection[ProductId]
    ) -> list[PriceEntry]:
        """Every entry of these lists for these products, in one call, through an index.

        Ordered by (list id, product id, entry id); the lists' other entries are not read.
        """
        ...

    def tiers(
        self, price_list_ids: Collection[PriceListId], product_ids: Collection[ProductId]
    ) -> dict[TierKey, tuple[PriceEntry, ...]]:
        """The entries of :meth:`entries_for`, per (list id, product id) that has any, each
        group in :func:`~crmkit.domain.price_resolution.entry_order` (highest tier first)."""
        ...


class QuoteRepository(RecordStore[Quote, QuoteId], Protocol):
    """The quotes of the unit of work's tenant (each with its lines)."""


class SalesOrderRepository(RecordStore[SalesOrder, SalesOrderId], Protocol):
    """The sales orders of the unit of work's tenant (each with its lines)."""

    def for_quote(self, quote_id: QuoteId) -> list[SalesOrder]:
        """The orders converted from this quote, ordered by creation time, then id."""
        ...

    def get_by_number(self, number: str) -> SalesOrder:
        """The order with this document number.

        Raises:
            NotFound: no such order in this tenant.
        """
        ...

    def page(
        self, order_filter: OrderFilter, *, after: tuple[datetime, str] | None, limit: int
    ) -> list[SalesOrder]:
        """Up to ``limit`` orders matching the filter, ordered by (created_at, id), after
        the key ``after`` (keyset pagination)."""
        ...
