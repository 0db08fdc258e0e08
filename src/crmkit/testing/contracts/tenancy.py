"""The tenancy contract: a unit of work never reads or changes another tenant's records."""

from __future__ import annotations

import attrs
import pytest

from crmkit.domain import NotFound, WrongTenant
from crmkit.services import ProductFilter, Storage
from crmkit.testing.contracts.support import a_product, all_products, store
from crmkit.testing.tenants import fresh_tenant


class TenancyContract:
    """Tenants are isolated on every storage."""

    def test_cannot_get_another_tenants_product_by_id(self, storage: Storage) -> None:
        """Another tenant's product id is not found."""
        owner, other = fresh_tenant(), fresh_tenant()
        product = a_product(owner)
        store(storage, product)
        with storage.unit_of_work(other) as uow, pytest.raises(NotFound):
            uow.products.get(product.id)

    def test_cannot_get_another_tenants_product_by_sku(self, storage: Storage) -> None:
        """Another tenant's SKU is not found."""
        owner, other = fresh_tenant(), fresh_tenant()
        store(storage, a_product(owner, "ONLY-MINE"))
        with storage.unit_of_work(other) as uow, pytest.raises(NotFound):
            uow.products.get_by_sku("ONLY-MINE")

    def test_get_many_leaves_out_another_tenants_products(self, storage: Storage) -> None:
        """Bulk reads return only the unit of work's tenant's products."""
        owner, other = fresh_tenant(), fresh_tenant()
        theirs, mine = a_product(owner, "X"), a_product(other, "X")
        store(storage, theirs)
        store(storage, mine)
        with storage.unit_of_work(other) as uow:
            assert uow.products.get_many([theirs.id, mine.id]) == {mine.id: mine}

    def test_listing_shows_only_the_tenants_products(self, storage: Storage) -> None:
        """Listings never include another tenant's products."""
        owner, other = fresh_tenant(), fresh_tenant()
        store(storage, a_product(owner, "A"), a_product(owner, "B"))
        store(storage, a_product(other, "C"))
        with storage.unit_of_work(other) as uow:
            listed = uow.products.list(ProductFilter(), after_sku=None, limit=10)
        assert [p.sku for p in listed] == ["C"]

    def test_cannot_update_another_tenants_product(self, storage: Storage) -> None:
        """Another tenant's product handed to an update is WrongTenant; relabelled, NotFound."""
        owner, other = fresh_tenant(), fresh_tenant()
        product = a_product(owner)
        store(storage, product)
        with storage.unit_of_work(other) as uow, pytest.raises(WrongTenant):
            uow.products.update(attrs.evolve(product, name="hijacked"))
        with storage.unit_of_work(other) as uow, pytest.raises(NotFound):
            uow.products.update(attrs.evolve(product, tenant_id=other, name="hijacked"))
        assert all_products(storage, owner) == [product]
        assert all_products(storage, other) == []

    def test_cannot_add_a_product_of_another_tenant(self, storage: Storage) -> None:
        """A product carrying another tenant's id is refused with WrongTenant."""
        owner, other = fresh_tenant(), fresh_tenant()
        with storage.unit_of_work(other) as uow, pytest.raises(WrongTenant):
            uow.products.add(a_product(owner))
        assert all_products(storage, owner) == []
        assert all_products(storage, other) == []

    def test_the_same_sku_may_exist_in_two_tenants(self, storage: Storage) -> None:
        """SKUs are unique per tenant, not across tenants."""
        first, second = fresh_tenant(), fresh_tenant()
        store(storage, a_product(first, "SHARED"))
        store(storage, a_product(second, "SHARED"))
        assert [p.sku for p in all_products(storage, second)] == ["SHARED"]
