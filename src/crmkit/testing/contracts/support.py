"""Helpers shared by the contract suites."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

from crmkit.adapters.clock import FixedClock
from crmkit.domain import Product, TenantId
from crmkit.services import CatalogService, ProductFilter, Storage, UnitOfWork

T0 = datetime(2026, 1, 5, 9, 30, tzinfo=UTC)


def a_product(tenant_id: TenantId, sku: str = "SKU-1", **fields: object) -> Product:
    """A valid product with the given SKU and fields."""
    values: dict[str, object] = {
        "name": f"Product {sku}",
        "unit": "pcs",
        "tax_rate": Decimal("0.13"),
        "category": None,
    }
    values.update(fields)
    return Product.new(tenant_id, sku=sku, now=T0, **values)  # type: ignore[arg-type]


def store(storage: Storage, *products: Product) -> None:
    """Add and commit ``products`` (all of one tenant) in one unit of work."""
    with storage.unit_of_work(products[0].tenant_id) as uow:
        for product in products:
            uow.products.add(product)
        uow.commit()


def all_products(storage: Storage, tenant_id: TenantId) -> list[Product]:
    """Every product of the tenant as committed, ordered by SKU."""
    with storage.unit_of_work(tenant_id) as uow:
        return _everything(uow)


def _everything(uow: UnitOfWork) -> list[Product]:
    found: list[Product] = []
    after: str | None = None
    while True:
        page = uow.products.list(ProductFilter(), after_sku=after, limit=100)
        found.extend(page)
        if len(page) < 100:
            return found
        after = page[-1].sku


def catalog(
    storage: Storage, tenant_id: TenantId, clock: FixedClock | None = None
) -> CatalogService:
    """A catalog service of ``tenant_id`` over ``storage``."""
    return CatalogService(lambda: storage.unit_of_work(tenant_id), clock or FixedClock(T0))
