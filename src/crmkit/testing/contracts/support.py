"""Helpers shared by the contract suites."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from decimal import Decimal

import attrs

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


def canonical(value: object) -> object:  # noqa: PLR0911 - one return per kind of value
    """A form of ``value`` that equals another's only if the two are identical.

    ``==`` forgives what a backend must not change: ``Decimal('1.0') == Decimal('1.00')``
    and two datetimes differing only in ``fold`` compare equal. This keeps each Decimal's
    exponent and each datetime's fold and zone, and orders sets, so a record that loads
    back with another scale or zone is caught.
    """
    if attrs.has(type(value)):
        fields = attrs.fields(type(value))  # type: ignore[arg-type]  # attrs.has checked it
        return (
            type(value).__name__,
            tuple((f.name, canonical(getattr(value, f.name))) for f in fields),
        )
    if isinstance(value, Decimal):
        return ("Decimal", str(value))
    if isinstance(value, datetime):
        return ("datetime", value.isoformat(), value.fold, str(value.tzinfo))
    if isinstance(value, set | frozenset):
        return ("set", tuple(sorted((canonical(v) for v in value), key=repr)))
    if isinstance(value, Sequence) and not isinstance(value, str | bytes):
        return tuple(canonical(v) for v in value)  # a list, tuple or lazy explanation
    if isinstance(value, dict):
        return ("dict", tuple(sorted(((repr(k), canonical(v)) for k, v in value.items()))))
    return value
