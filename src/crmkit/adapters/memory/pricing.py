"""The in-memory price list, quote and sales order repositories."""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from datetime import datetime
from typing import Any, Protocol, TypeVar

from crmkit.adapters.memory.tables import (
    TENANT,
    MemoryTable,
    TableRepository,
    TableTransaction,
    WriteRejected,
)
from crmkit.domain import ConcurrencyConflict, DuplicateRecord, NotFound, TenantId
from crmkit.domain.ids import ProductId
from crmkit.domain.price_index import TierKey, tiers_of
from crmkit.domain.price_list import PriceEntry, PriceEntryId, PriceList, PriceListId
from crmkit.domain.price_resolution import entry_order
from crmkit.domain.quote import Quote, QuoteId
from crmkit.domain.sales_order import SalesOrder, SalesOrderId
from crmkit.services.pricing_ports import OrderFilter

EntryKey = tuple[TenantId, PriceEntryId]
EntryGroup = tuple[TenantId, PriceListId, ProductId]


class _Record(Protocol):
    @property
    def tenant_id(self) -> TenantId: ...
    @property
    def id(self) -> str: ...
    @property
    def version(self) -> int: ...


R = TypeVar("R", bound=_Record)


def write_error(entity: str) -> Callable[[WriteRejected, Any], Exception]:
    """The crmkit error for a rejected write of a record keyed by (tenant, id)."""

    def error(rejected: WriteRejected, record: Any) -> Exception:
        if rejected.reason == "exists":
            return DuplicateRecord(entity, "id", record.id, record.tenant_id)
        if rejected.reason == "missing":
            return NotFound(entity, "id", record.id, record.tenant_id)
        return ConcurrencyConflict(
            entity,
            record.id,
            record.tenant_id,
            f"its stored version is no longer {record.version - 1}",
        )

    return error


class EntryTable(MemoryTable[EntryKey, PriceEntry]):
    """Price entries with a secondary index by (tenant, list, product).

    The index lets resolution read the entries of a few products without scanning the
    list (the in-memory counterpart of the SQL and MongoDB indexes). Each group's entries
    are also kept sorted in tier order (:meth:`tiers`), sorted again only after a commit
    changed the group: the price-list index pricing reads.
    """

    def __init__(self) -> None:
        super().__init__(key=lambda e: (e.tenant_id, e.id), error=write_error("PriceEntry"))
        self.groups: dict[EntryGroup, set[EntryKey]] = {}
        # (tenant, list) -> product -> the group's entries in tier order, sorted when first
        # read after a commit changed the group
        self.sorted: dict[tuple[TenantId, PriceListId], dict[ProductId, tuple[PriceEntry, ...]]]
        self.sorted = {}

    def put(self, row: PriceEntry) -> None:
        old = self.rows.get(self.key(row))
        if old is not None:
            self.groups[(old.tenant_id, old.price_list_id, old.product_id)].discard(self.key(old))
            self._unsort(old)
        super().put(row)
        group = (row.tenant_id, row.price_list_id, row.product_id)
        self.groups.setdefault(group, set()).add(self.key(row))
        self._unsort(row)

    def _unsort(self, row: PriceEntry) -> None:
        self.sorted.get((row.tenant_id, row.price_list_id), {}).pop(row.product_id, None)

    def tiers(self, group: EntryGroup) -> tuple[PriceEntry, ...]:
        """The group's committed entries in tier order. Call with the lock held."""
        tenant, list_id, product_id = group
        of_list = self.sorted.setdefault((tenant, list_id), {})
        found = of_list.get(product_id)
        if found is None:
            rows = (self.rows[key] for key in self.groups.get(group, ()))
            found = of_list[product_id] = tuple(sorted(rows, key=entry_order))
        return found


class _Records(TableRepository[Any, R]):
    """add / get / update of versioned records keyed by (tenant, id)."""

    entity = ""

    def _add(self, record: R) -> None:
        self._insert(record, self.entity, record.id)

    def _get(self, record_id: str) -> R:
        found = self._tx.get((self._tenant, record_id))
        if found is None:
            raise NotFound(self.entity, "id", record_id, self._tenant)
        return found

    def _save(self, record: R) -> R:
        return self._update(record, self.entity, record.id)


class InMemoryPriceListRepository(_Records[PriceList]):
    entity = "PriceList"

    def __init__(
        self,
        tenant_id: TenantId,
        tx: TableTransaction[Any, PriceList],
        entries: TableTransaction[EntryKey, PriceEntry],
        rollback: Callable[[], None],
    ) -> None:
        super().__init__(tenant_id, tx, rollback)
        self._entries = _Records[PriceEntry](tenant_id, entries, rollback)
        self._entries.entity = "PriceEntry"
        self._entry_tx = entries

    def add(self, price_list: PriceList) -> None:
        self._add(price_list)

    def get(self, price_list_id: PriceListId) -> PriceList:
        return self._get(price_list_id)

    def update(self, price_list: PriceList) -> PriceList:
        return self._save(price_list)

    def all(self) -> list[PriceList]:
        mine = self._tx.rows_in(TENANT, self._tenant)
        return sorted(mine, key=lambda p: p.id)

    def add_entries(self, entries: Sequence[PriceEntry]) -> None:
        for entry in entries:
            self._entries._add(entry)

    def get_entry(self, entry_id: PriceEntryId) -> PriceEntry:
        return self._entries._get(entry_id)

    def update_entry(self, entry: PriceEntry) -> PriceEntry:
        return self._entries._save(entry)

    def entries_for(
        self, price_list_ids: Collection[PriceListId], product_ids: Collection[ProductId]
    ) -> list[PriceEntry]:
        lists, products = set(price_list_ids), set(product_ids)
        table = self._entry_tx.table
        assert isinstance(table, EntryTable)
        keys: set[EntryKey] = set()
        with self._entry_tx.lock:
            for list_id in lists:
                for product_id in products:
                    keys |= table.groups.get((self._tenant, list_id, product_id), set())
        found: dict[EntryKey, PriceEntry] = {}
        for key in keys:
            entry = self._entry_tx.get(key)
            if entry is not None:
                found[key] = entry
        for key, entry in self._entry_tx.staged.items():  # this unit of work's own writes
            found[key] = entry
        chosen = [
            e
            for e in found.values()
            if e.tenant_id == self._tenant and e.price_list_id in lists and e.product_id in products
        ]
        return sorted(chosen, key=lambda e: (e.price_list_id, e.product_id, e.id))

    def tiers(
        self, price_list_ids: Collection[PriceListId], product_ids: Collection[ProductId]
    ) -> dict[TierKey, tuple[PriceEntry, ...]]:
        if self._entry_tx.staged:  # this unit of work's own writes are not in the index
            return tiers_of(self.entries_for(price_list_ids, product_ids))
        table = self._entry_tx.table
        assert isinstance(table, EntryTable)
        found: dict[TierKey, tuple[PriceEntry, ...]] = {}
        tenant, products = self._tenant, set(product_ids)
        with self._entry_tx.lock:
            for list_id in set(price_list_ids):
                of_list = table.sorted.get((tenant, list_id), {})
                for product_id in products:
                    tiers = of_list.get(product_id)  # sorted already unless a commit changed it
                    if tiers is None:
                        tiers = table.tiers((tenant, list_id, product_id))
                    if tiers:
                        found[(list_id, product_id)] = tiers
        return found


class InMemoryQuoteRepository(_Records[Quote]):
    entity = "Quote"

    def add(self, quote: Quote) -> None:
        self._add(quote)

    def get(self, quote_id: QuoteId) -> Quote:
        return self._get(quote_id)

    def update(self, quote: Quote) -> Quote:
        return self._save(quote)


class InMemorySalesOrderRepository(_Records[SalesOrder]):
    entity = "SalesOrder"

    def add(self, order: SalesOrder) -> None:
        self._add(order)

    def get(self, order_id: SalesOrderId) -> SalesOrder:
        return self._get(order_id)

    def update(self, order: SalesOrder) -> SalesOrder:
        return self._save(order)

    def for_quote(self, quote_id: QuoteId) -> list[SalesOrder]:
        mine = [o for o in self._tx.rows_in(TENANT, self._tenant) if o.quote_id == quote_id]
        return sorted(mine, key=lambda o: (o.created_at, o.id))

    def get_by_number(self, number: str) -> SalesOrder:
        found = self._tx.find_unique("number", (self._tenant, number))
        if found is None:
            raise NotFound(self.entity, "number", number, self._tenant)
        return found

    def page(
        self, order_filter: OrderFilter, *, after: tuple[datetime, str] | None, limit: int
    ) -> list[SalesOrder]:
        f = order_filter
        mine = [
            o
            for o in self._tx.rows_in(TENANT, self._tenant)
            if (f.account_id is None or o.account_id == f.account_id)
            and (f.status is None or o.status is f.status)
            and (f.since is None or o.created_at >= f.since)
            and (f.until is None or o.created_at < f.until)
            and (after is None or (o.created_at, o.id) > after)
        ]
        return sorted(mine, key=lambda o: (o.created_at, o.id))[:limit]
