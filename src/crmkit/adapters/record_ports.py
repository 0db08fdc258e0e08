"""The product and warehouse repositories of every backend: their ports over the declared
record types ``PRODUCTS`` and ``WAREHOUSES`` (``uow.records(...)``), so no backend writes
them itself."""

from __future__ import annotations

from collections.abc import Collection
from typing import cast

from crmkit.domain import NotFound, Product, ProductId, TenantId, ValidationError
from crmkit.domain.inventory import Warehouse, WarehouseId
from crmkit.domain.product import SKU_MAX_LENGTH
from crmkit.domain.record_query import MAX_LIMIT, Between, Equals
from crmkit.domain.text import clean_text
from crmkit.services.ports import ProductFilter
from crmkit.services.records import MAX_GET_MANY, RecordRepository


class RecordProductRepository:
    """:class:`~crmkit.services.ports.ProductRepository` over the generic record repository."""

    def __init__(self, records: RecordRepository[Product], tenant_id: TenantId) -> None:
        self._records = records
        self._tenant = tenant_id

    def add(self, product: Product) -> None:
        self._records.add(product)

    def get(self, product_id: ProductId) -> Product:
        return self._records.get(product_id)

    def get_by_sku(self, sku: str) -> Product:
        try:  # a SKU no product can have (blank, padded, too long) finds nothing
            found = clean_text(sku, "product SKU", max_length=SKU_MAX_LENGTH) == sku
        except ValidationError:
            found = False
        page = self._records.find(Equals("sku", sku), limit=1) if found else None
        if page is None or not page.items:
            raise NotFound("Product", "sku", sku, self._tenant)
        return page.items[0]

    def get_many(self, product_ids: Collection[ProductId]) -> dict[ProductId, Product]:
        if len(product_ids) <= MAX_GET_MANY:
            return cast(dict[ProductId, Product], self._records.get_many(product_ids))
        wanted = sorted(set(product_ids))
        found: dict[ProductId, Product] = {}
        for start in range(0, len(wanted), MAX_GET_MANY):
            batch = self._records.get_many(wanted[start : start + MAX_GET_MANY])
            found.update(cast(dict[ProductId, Product], batch))
        return found

    def update(self, product: Product) -> Product:
        return self._records.update(product)

    def list(
        self, product_filter: ProductFilter, *, after_sku: str | None, limit: int
    ) -> list[Product]:
        filters: list[object] = []
        if product_filter.active is not None:
            filters.append(Equals("active", product_filter.active))
        if product_filter.category is not None:
            filters.append(Equals("category", product_filter.category))
        if after_sku is not None:  # from the SKU on; the SKU itself is dropped below
            filters.append(Between("sku", low=after_sku))
        rows: list[Product] = []
        cursor: str | None = None
        while len(rows) < limit + 1:
            page = self._records.find(
                *filters, order_by="sku", after=cursor, limit=min(limit + 1, MAX_LIMIT)
            )
            rows += [p for p in page.items if p.sku != after_sku]
            cursor = page.next_cursor
            if cursor is None:
                break
        return rows[:limit]


class RecordWarehouseRepository:
    """:class:`~crmkit.services.inventory_ports.WarehouseRepository` over the generic record
    repository."""

    def __init__(self, records: RecordRepository[Warehouse]) -> None:
        self._records = records

    def add(self, warehouse: Warehouse) -> None:
        self._records.add(warehouse)

    def get(self, warehouse_id: WarehouseId) -> Warehouse:
        return self._records.get(warehouse_id)

    def list_all(self) -> list[Warehouse]:
        return sorted(self._records.every(), key=lambda w: (w.priority, w.code))

    def update(self, warehouse: Warehouse) -> Warehouse:
        return self._records.update(warehouse)
