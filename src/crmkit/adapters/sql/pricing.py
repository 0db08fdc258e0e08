"""The SQL price list, quote and sales order repositories."""

from __future__ import annotations

import json
from collections.abc import Collection, Mapping, Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any, TypeVar, cast

import cattrs
from sqlalchemy import ColumnElement, Table, and_, or_, select

from crmkit.adapters.sql.converters import batched
from crmkit.adapters.sql.loaders import Loader, loader
from crmkit.adapters.sql.repository import SqlRepository
from crmkit.adapters.sql.statements import (
    insert_into,
    select_where,
)
from crmkit.adapters.sql.tables import price_entries, price_lists, quotes, sales_orders
from crmkit.domain import DuplicateRecord, NotFound, TenantId
from crmkit.domain.ids import ProductId
from crmkit.domain.price_index import TierKey, tiers_of
from crmkit.domain.price_list import (
    Derivation,
    PriceEntry,
    PriceEntryId,
    PriceList,
    PriceListId,
    PriceListScope,
    ScopeKind,
)
from crmkit.domain.quote import Quote, QuoteId
from crmkit.domain.rounding import Rounding
from crmkit.domain.sales_order import SalesOrder, SalesOrderId
from crmkit.domain.versioning import next_version
from crmkit.services.pricing_ports import OrderFilter

T = TypeVar("T")
IN_BATCH = 500

body_converter = cattrs.Converter()
"""Quotes and orders to JSON-ready values: Decimals as exact strings, ISO timestamps."""
body_converter.register_unstructure_hook(Decimal, str)
body_converter.register_structure_hook(Decimal, lambda v, _: Decimal(v))
body_converter.register_unstructure_hook(datetime, lambda d: d.isoformat())
body_converter.register_structure_hook(datetime, lambda v, _: datetime.fromisoformat(v))
body_converter.register_unstructure_hook_func(
    lambda t: t is frozenset or getattr(t, "__origin__", None) is frozenset, sorted
)
body_converter.register_unstructure_hook(Rounding, lambda r: r.name)
body_converter.register_structure_hook(Rounding, lambda v, _: Rounding[v])


def to_body(record: object) -> str:
    """The JSON body of a quote or order."""
    return json.dumps(body_converter.unstructure(record), ensure_ascii=False, sort_keys=True)


def from_body(body: str, cls: type[T]) -> T:
    """The quote or order stored in ``body`` (made as cattrs makes it, see ``loaders.py``;
    any error is cattrs' own)."""
    data = json.loads(body)
    load = _BODY_LOADERS.get(cls)
    if load is None:
        load = _BODY_LOADERS[cls] = loader(body_converter, cls, BODY_PASSING, nested=True)
    try:
        return cast(T, load(data))
    except Exception:
        return body_converter.structure(data, cls)


BODY_PASSING = frozenset({str, int})
"""What ``body_converter``'s hooks return as it is (Decimals and times are JSON text)."""
_BODY_LOADERS: dict[type[Any], Loader] = {}


def price_list_row(price_list: PriceList) -> dict[str, Any]:
    """The columns of a price list."""
    derivation = price_list.derivation
    return {
        "tenant_id": price_list.tenant_id,
        "id": price_list.id,
        "name": price_list.name,
        "currency": price_list.currency,
        "priority": price_list.priority,
        "scope_kind": price_list.scope.kind.value,
        "scope_codes": json.dumps(sorted(price_list.scope.codes), ensure_ascii=False),
        "prices_include_tax": price_list.prices_include_tax,
        "valid_from": price_list.valid_from,
        "valid_until": price_list.valid_until,
        "base_list_id": derivation.base_list_id if derivation else None,
        "derivation_percent": derivation.percent if derivation else None,
        "derivation_rounding": derivation.rounding.name if derivation else None,
        "active": price_list.active,
        "created_at": price_list.created_at,
        "updated_at": price_list.updated_at,
        "version": price_list.version,
    }


def price_list_from(row: Mapping[Any, Any]) -> PriceList:
    """The price list in a row."""
    derivation = None
    if row["base_list_id"] is not None:
        derivation = Derivation(
            PriceListId(row["base_list_id"]),
            row["derivation_percent"],
            Rounding[row["derivation_rounding"]],
        )
    return PriceList(
        id=PriceListId(row["id"]),
        tenant_id=TenantId(row["tenant_id"]),
        name=row["name"],
        currency=row["currency"],
        priority=row["priority"],
        scope=PriceListScope(
            ScopeKind(row["scope_kind"]), frozenset(json.loads(row["scope_codes"]))
        ),
        prices_include_tax=bool(row["prices_include_tax"]),
        valid_from=row["valid_from"],
        valid_until=row["valid_until"],
        derivation=derivation,
        active=bool(row["active"]),
        created_at=row["created_at"],
        updated_at=row["updated_at"],
        version=row["version"],
    )


def entry_row(entry: PriceEntry) -> dict[str, Any]:
    """The columns of a price entry."""
    return {
        "tenant_id": entry.tenant_id,
        "id": entry.id,
        "price_list_id": entry.price_list_id,
        "product_id": entry.product_id,
        "min_quantity": entry.min_quantity,
        "unit_price": entry.unit_price,
        "valid_from": entry.valid_from,
        "valid_until": entry.valid_until,
        "version": entry.version,
    }


def entry_from(row: Mapping[Any, Any]) -> PriceEntry:
    """The price entry in a row."""
    return PriceEntry(
        id=PriceEntryId(row["id"]),
        tenant_id=TenantId(row["tenant_id"]),
        price_list_id=PriceListId(row["price_list_id"]),
        product_id=ProductId(row["product_id"]),
        min_quantity=row["min_quantity"],
        unit_price=row["unit_price"],
        valid_from=row["valid_from"],
        valid_until=row["valid_until"],
        version=row["version"],
    )


def quote_row(quote: Quote) -> dict[str, Any]:
    """The columns of a quote."""
    return {
        "tenant_id": quote.tenant_id,
        "id": quote.id,
        "account_id": quote.account_id,
        "status": quote.status.value,
        "currency": quote.currency,
        "valid_until": quote.valid_until,
        "created_at": quote.created_at,
        "updated_at": quote.updated_at,
        "version": quote.version,
        "body": to_body(quote),
    }


def order_row(order: SalesOrder) -> dict[str, Any]:
    """The columns of a sales order."""
    return {
        "tenant_id": order.tenant_id,
        "id": order.id,
        "account_id": order.account_id,
        "status": order.status.value,
        "currency": order.currency,
        "quote_id": order.quote_id,
        "request_key": order.request_key,
        "created_at": order.created_at,
        "updated_at": order.updated_at,
        "version": order.version,
        "body": to_body(order),
        "number": order.number,
    }


class _SqlRecords(SqlRepository):
    """add / load / conditional update of records keyed by (tenant, id) in one table."""

    entity = ""
    table: Table

    def _mine(self, table: Table) -> ColumnElement[bool]:
        mine: ColumnElement[bool] = table.c.tenant_id == self._tenant
        return mine

    def _insert(self, table: Table, entity: str, rows: Sequence[dict[str, Any]]) -> None:
        for row in rows:
            self._same_tenant(entity, row["id"], row["tenant_id"])
        if not rows:
            return
        first = rows[0]
        self._session.write(
            insert_into(table),
            list(rows),
            on_unique=lambda _: DuplicateRecord(
                entity,
                "id",
                first["id"] if len(rows) == 1 else "(one of the batch)",
                self._tenant,
            ),
        )

    def _row(self, table: Table, entity: str, record_id: str) -> Mapping[Any, Any]:
        params = {"k_tenant_id": self._tenant, "k_id": record_id}
        row = self._session.execute(select_where(table, ("tenant_id", "id")), params).one_or_none()
        if row is None:
            raise NotFound(entity, "id", record_id, self._tenant)
        mapping: Mapping[Any, Any] = row._mapping
        return mapping


class SqlPriceListRepository(_SqlRecords):
    def add(self, price_list: PriceList) -> None:
        self._insert(price_lists, "PriceList", [price_list_row(price_list)])

    def get(self, price_list_id: PriceListId) -> PriceList:
        return price_list_from(self._row(price_lists, "PriceList", price_list_id))

    def update(self, price_list: PriceList) -> PriceList:
        saved = next_version(price_list)
        self._write_over(price_lists, "PriceList", price_list, price_list_row(saved))
        return saved

    def all(self) -> list[PriceList]:
        rows = self._session.execute(
            select(price_lists).where(self._mine(price_lists)).order_by(price_lists.c.id)
        )
        return [price_list_from(row._mapping) for row in rows]

    def add_entries(self, entries: Sequence[PriceEntry]) -> None:
        for batch in batched(entries, IN_BATCH):
            self._insert(price_entries, "PriceEntry", [entry_row(e) for e in batch])

    def get_entry(self, entry_id: PriceEntryId) -> PriceEntry:
        return entry_from(self._row(price_entries, "PriceEntry", entry_id))

    def update_entry(self, entry: PriceEntry) -> PriceEntry:
        saved = next_version(entry)
        self._write_over(price_entries, "PriceEntry", entry, entry_row(saved))
        return saved

    def entries_for(
        self, price_list_ids: Collection[PriceListId], product_ids: Collection[ProductId]
    ) -> list[PriceEntry]:
        lists = sorted(set(price_list_ids))
        if not lists:
            return []
        t = price_entries.c
        found: list[PriceEntry] = []
        for batch in batched(sorted(set(product_ids)), IN_BATCH):
            rows = self._session.execute(
                select(price_entries).where(
                    self._mine(price_entries), t.price_list_id.in_(lists), t.product_id.in_(batch)
                )
            )
            found.extend(entry_from(row._mapping) for row in rows)
        return sorted(found, key=lambda e: (e.price_list_id, e.product_id, e.id))

    def tiers(
        self, price_list_ids: Collection[PriceListId], product_ids: Collection[ProductId]
    ) -> dict[TierKey, tuple[PriceEntry, ...]]:
        return tiers_of(self.entries_for(price_list_ids, product_ids))


class SqlQuoteRepository(_SqlRecords):
    def add(self, quote: Quote) -> None:
        self._insert(quotes, "Quote", [quote_row(quote)])

    def get(self, quote_id: QuoteId) -> Quote:
        return from_body(self._row(quotes, "Quote", quote_id)["body"], Quote)

    def update(self, quote: Quote) -> Quote:
        saved = next_version(quote)
        self._write_over(quotes, "Quote", quote, quote_row(saved))
        return saved


class SqlSalesOrderRepository(_SqlRecords):
    def add(self, order: SalesOrder) -> None:
        self._insert(sales_orders, "SalesOrder", [order_row(order)])

    def get(self, order_id: SalesOrderId) -> SalesOrder:
        return from_body(self._row(sales_orders, "SalesOrder", order_id)["body"], SalesOrder)

    def update(self, order: SalesOrder) -> SalesOrder:
        saved = next_version(order)
        self._write_over(sales_orders, "SalesOrder", order, order_row(saved))
        return saved

    def for_quote(self, quote_id: QuoteId) -> list[SalesOrder]:
        t = sales_orders.c
        rows = self._session.execute(
            select(t.body)
            .where(self._mine(sales_orders), t.quote_id == quote_id)
            .order_by(t.created_at, t.id)
        )
        return [from_body(row.body, SalesOrder) for row in rows]

    def get_by_number(self, number: str) -> SalesOrder:
        t = sales_orders.c
        row = self._session.execute(
            select(t.body).where(self._mine(sales_orders), t.number == number)
        ).one_or_none()
        if row is None:
            raise NotFound("SalesOrder", "number", number, self._tenant)
        return from_body(row.body, SalesOrder)

    def page(
        self, order_filter: OrderFilter, *, after: tuple[datetime, str] | None, limit: int
    ) -> list[SalesOrder]:
        t, f = sales_orders.c, order_filter
        query = select(t.body).where(self._mine(sales_orders))
        if f.account_id is not None:
            query = query.where(t.account_id == f.account_id)
        if f.status is not None:
            query = query.where(t.status == f.status.value)
        if f.since is not None:
            query = query.where(t.created_at >= f.since)
        if f.until is not None:
            query = query.where(t.created_at < f.until)
        if after is not None:
            query = query.where(
                or_(t.created_at > after[0], and_(t.created_at == after[0], t.id > after[1]))
            )
        rows = self._session.execute(query.order_by(t.created_at, t.id).limit(limit))
        return [from_body(row.body, SalesOrder) for row in rows]
