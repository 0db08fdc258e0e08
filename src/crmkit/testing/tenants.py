"""Fresh tenants: every test writes into a tenant of its own, so no cleanup is needed."""

from __future__ import annotations

from collections.abc import Callable

import attrs

from crmkit.adapters.clock import FixedClock
from crmkit.domain import Product, TenantId, new_id
from crmkit.services import CatalogService, Storage, UnitOfWork


def fresh_tenant() -> TenantId:
    """A tenant id no other test uses."""
    return TenantId(f"t-{new_id()[:20]}")


@attrs.define
class TenantWorld:
    """A fresh tenant of a suite, the storage it lives in and the clock its services read."""

    storage: Storage
    tenant: TenantId
    clock: FixedClock

    def uow(self) -> UnitOfWork:
        """A unit of work of the tenant."""
        return self.storage.unit_of_work(self.tenant)


def units_of(storage: Storage, tenant: TenantId) -> Callable[[], UnitOfWork]:
    """The unit-of-work factory of ``tenant`` over ``storage`` (what services are built on)."""

    def unit_of_work() -> UnitOfWork:
        return storage.unit_of_work(tenant)

    return unit_of_work


def numbered_products(
    catalog: CatalogService, count: int, *, category: str | None = None
) -> tuple[Product, ...]:
    """Products SKU-0, SKU-1, ... ("Product n", in pcs, 13 % tax) in ``category``."""
    return tuple(
        catalog.create_product(
            sku=f"SKU-{n}", name=f"Product {n}", unit="pcs", tax_rate="0.13", category=category
        )
        for n in range(count)
    )
