"""The in-memory product repository."""

from __future__ import annotations

from collections.abc import Callable, Collection

import attrs

from crmkit.adapters.memory.tables import TableTransaction, WriteRejected
from crmkit.domain import (
    ConcurrencyConflict,
    DuplicateRecord,
    NotFound,
    Product,
    ProductId,
    TenantId,
    WrongTenant,
)
from crmkit.services.ports import ProductFilter

ProductKey = tuple[TenantId, ProductId]


class InMemoryProductRepository:
    def __init__(
        self,
        tenant_id: TenantId,
        tx: TableTransaction[ProductKey, Product],
        rollback: Callable[[], None],
    ) -> None:
        self._tenant = tenant_id
        self._tx = tx
        self._rollback = rollback

    def add(self, product: Product) -> None:
        try:
            if product.tenant_id != self._tenant:
                raise WrongTenant("Product", product.id, product.tenant_id, self._tenant)
            self._tx.insert(product)
        except Exception:
            self._rollback()
            raise

    def get(self, product_id: ProductId) -> Product:
        product = self._tx.get((self._tenant, product_id))
        if product is None:
            raise NotFound("Product", "id", product_id, self._tenant)
        return product

    def get_by_sku(self, sku: str) -> Product:
        product = self._tx.find_unique("sku", (self._tenant, sku))
        if product is None:
            raise NotFound("Product", "sku", sku, self._tenant)
        return product

    def get_many(self, product_ids: Collection[ProductId]) -> dict[ProductId, Product]:
        found = (self._tx.get((self._tenant, pid)) for pid in set(product_ids))
        return {p.id: p for p in found if p is not None}

    def update(self, product: Product) -> Product:
        saved = attrs.evolve(product, version=product.version + 1)
        try:
            if product.tenant_id != self._tenant:
                raise WrongTenant("Product", product.id, product.tenant_id, self._tenant)
            self._tx.update(saved)
        except Exception:
            self._rollback()
            raise
        return saved

    def list(
        self, product_filter: ProductFilter, *, after_sku: str | None, limit: int
    ) -> list[Product]:
        rows = [
            p
            for p in self._tx.rows()
            if p.tenant_id == self._tenant
            and (after_sku is None or p.sku > after_sku)
            and (product_filter.active is None or p.active == product_filter.active)
            and (product_filter.category is None or p.category == product_filter.category)
        ]
        rows.sort(key=lambda p: p.sku)
        return rows[:limit]


def product_write_error(rejected: WriteRejected, product: Product) -> Exception:
    """The crmkit error for a rejected product write (``product`` as given to the table)."""
    if rejected.reason == "unique":
        return DuplicateRecord("Product", "sku", product.sku, product.tenant_id)
    if rejected.reason == "exists":
        return DuplicateRecord("Product", "id", product.id, product.tenant_id)
    if rejected.reason == "missing":
        return NotFound("Product", "id", product.id, product.tenant_id)
    return ConcurrencyConflict(
        "Product",
        product.id,
        product.tenant_id,
        f"its stored version is no longer {product.version - 1}",
    )
