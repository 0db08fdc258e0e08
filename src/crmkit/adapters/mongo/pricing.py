"""The MongoDB price list, quote and sales order repositories."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime
from typing import Any, TypeVar

import attrs
from pymongo import ASCENDING
from pymongo.client_session import ClientSession
from pymongo.errors import BulkWriteError, DuplicateKeyError

from crmkit.adapters.mongo.converters import converter as base_converter
from crmkit.adapters.mongo.indexes import PRICE_ENTRIES, PRICE_LISTS, QUOTES, SALES_ORDERS
from crmkit.adapters.mongo.repository import MongoRepository
from crmkit.domain import DuplicateRecord, NotFound
from crmkit.domain.ids import ProductId
from crmkit.domain.price_index import TierKey, tiers_of
from crmkit.domain.price_list import PriceEntry, PriceEntryId, PriceList, PriceListId
from crmkit.domain.quote import Quote, QuoteId
from crmkit.domain.rounding import Rounding
from crmkit.domain.sales_order import SalesOrder, SalesOrderId
from crmkit.services.pricing_ports import OrderFilter

T = TypeVar("T")
DUPLICATE = 11000

converter = base_converter.copy()
"""The adapter's converter plus sets as sorted arrays and rounding rules by name."""
converter.register_unstructure_hook_func(
    lambda t: t is frozenset or getattr(t, "__origin__", None) is frozenset, sorted
)
converter.register_unstructure_hook(Rounding, lambda r: r.name)
converter.register_structure_hook(Rounding, lambda v, _: Rounding[v])


def to_document(record: object) -> dict[str, Any]:
    """The BSON document of a pricing record."""
    document: dict[str, Any] = converter.unstructure(record)
    return document


def from_document(document: dict[str, Any], cls: type[T]) -> T:
    """The pricing record of type ``cls`` stored in ``document``."""
    return converter.structure({k: v for k, v in document.items() if k != "_id"}, cls)


class _MongoRecords(MongoRepository):
    """add / load / conditional update of records keyed by (tenant, id) in a collection."""

    def _insert(self, collection: str, entity: str, records: Sequence[Any]) -> None:
        for record in records:
            self._same_tenant(entity, record.id, record.tenant_id)
        if not records:
            return
        documents = [to_document(r) for r in records]
        label = records[0].id if len(records) == 1 else "(one of the batch)"

        def insert(session: ClientSession) -> None:
            try:
                self._session.database[collection].insert_many(
                    documents, ordered=True, session=session
                )
            except BulkWriteError as error:
                # A batch reports a taken key as a bulk error: raise it as the single kind.
                taken = [
                    e for e in error.details.get("writeErrors", []) if e.get("code") == DUPLICATE
                ]
                if taken:
                    raise DuplicateKeyError(
                        taken[0].get("errmsg", "duplicate key"), DUPLICATE, taken[0]
                    ) from error
                raise

        self._session.run(
            insert, on_duplicate=lambda _: DuplicateRecord(entity, "id", label, self._tenant)
        )

    def _one(self, collection: str, entity: str, record_id: str, cls: type[T]) -> T:
        document = self._session.run(
            lambda s: self._session.database[collection].find_one(
                {"tenant_id": self._tenant, "id": record_id}, session=s
            )
        )
        if document is None:
            raise NotFound(entity, "id", record_id, self._tenant)
        return from_document(document, cls)

    def _update(self, collection: str, entity: str, record: Any) -> Any:
        saved = attrs.evolve(record, version=record.version + 1)
        table = self._session.database[collection]
        self._write_over(table, record, to_document(saved), entity=entity, key={"id": record.id})
        return saved


class MongoPriceListRepository(_MongoRecords):
    def add(self, price_list: PriceList) -> None:
        self._insert(PRICE_LISTS, "PriceList", [price_list])

    def get(self, price_list_id: PriceListId) -> PriceList:
        return self._one(PRICE_LISTS, "PriceList", price_list_id, PriceList)

    def update(self, price_list: PriceList) -> PriceList:
        saved: PriceList = self._update(PRICE_LISTS, "PriceList", price_list)
        return saved

    def all(self) -> list[PriceList]:
        documents = self._session.run(
            lambda s: list(
                self._session.database[PRICE_LISTS]
                .find({"tenant_id": self._tenant}, session=s)
                .sort("id", ASCENDING)
            )
        )
        return [from_document(d, PriceList) for d in documents]

    def add_entries(self, entries: Sequence[PriceEntry]) -> None:
        self._insert(PRICE_ENTRIES, "PriceEntry", entries)

    def get_entry(self, entry_id: PriceEntryId) -> PriceEntry:
        return self._one(PRICE_ENTRIES, "PriceEntry", entry_id, PriceEntry)

    def update_entry(self, entry: PriceEntry) -> PriceEntry:
        saved: PriceEntry = self._update(PRICE_ENTRIES, "PriceEntry", entry)
        return saved

    def entries_for(
        self, price_list_ids: Collection[PriceListId], product_ids: Collection[ProductId]
    ) -> list[PriceEntry]:
        lists, products = sorted(set(price_list_ids)), sorted(set(product_ids))
        if not lists or not products:
            return []
        query = {
            "tenant_id": self._tenant,
            "price_list_id": {"$in": lists},
            "product_id": {"$in": products},
        }
        documents = self._session.run(
            lambda s: list(self._session.database[PRICE_ENTRIES].find(query, session=s))
        )
        found = [from_document(d, PriceEntry) for d in documents]
        return sorted(found, key=lambda e: (e.price_list_id, e.product_id, e.id))

    def tiers(
        self, price_list_ids: Collection[PriceListId], product_ids: Collection[ProductId]
    ) -> dict[TierKey, tuple[PriceEntry, ...]]:
        return tiers_of(self.entries_for(price_list_ids, product_ids))


class MongoQuoteRepository(_MongoRecords):
    def add(self, quote: Quote) -> None:
        self._insert(QUOTES, "Quote", [quote])

    def get(self, quote_id: QuoteId) -> Quote:
        return self._one(QUOTES, "Quote", quote_id, Quote)

    def update(self, quote: Quote) -> Quote:
        saved: Quote = self._update(QUOTES, "Quote", quote)
        return saved


class MongoSalesOrderRepository(_MongoRecords):
    def add(self, order: SalesOrder) -> None:
        self._insert(SALES_ORDERS, "SalesOrder", [order])

    def get(self, order_id: SalesOrderId) -> SalesOrder:
        return self._one(SALES_ORDERS, "SalesOrder", order_id, SalesOrder)

    def update(self, order: SalesOrder) -> SalesOrder:
        saved: SalesOrder = self._update(SALES_ORDERS, "SalesOrder", order)
        return saved

    def for_quote(self, quote_id: QuoteId) -> list[SalesOrder]:
        documents = self._session.run(
            lambda s: list(
                self._session.database[SALES_ORDERS]
                .find({"tenant_id": self._tenant, "quote_id": quote_id}, session=s)
                .sort([("created_at", ASCENDING), ("id", ASCENDING)])
            )
        )
        return [from_document(d, SalesOrder) for d in documents]

    def get_by_number(self, number: str) -> SalesOrder:
        document = self._session.run(
            lambda s: self._session.database[SALES_ORDERS].find_one(
                {"tenant_id": self._tenant, "number": number}, session=s
            )
        )
        if document is None:
            raise NotFound("SalesOrder", "number", number, self._tenant)
        return from_document(document, SalesOrder)

    def page(
        self, order_filter: OrderFilter, *, after: tuple[datetime, str] | None, limit: int
    ) -> list[SalesOrder]:
        f = order_filter
        query: dict[str, Any] = {"tenant_id": self._tenant}
        if f.account_id is not None:
            query["account_id"] = f.account_id
        if f.status is not None:
            query["status"] = f.status.value
        created: dict[str, datetime] = {}
        if f.since is not None:
            created["$gte"] = f.since
        if f.until is not None:
            created["$lt"] = f.until
        if created:
            query["created_at"] = created
        if after is not None:
            query["$or"] = [
                {"created_at": {"$gt": after[0]}},
                {"created_at": after[0], "id": {"$gt": after[1]}},
            ]
        documents = self._session.run(
            lambda s: list(
                self._session.database[SALES_ORDERS]
                .find(query, session=s)
                .sort([("created_at", ASCENDING), ("id", ASCENDING)])
                .limit(limit)
            )
        )
        return [from_document(d, SalesOrder) for d in documents]
