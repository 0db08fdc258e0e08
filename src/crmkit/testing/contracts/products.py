"""The product repository contract."""

from __future__ import annotations

from typing import ClassVar

import attrs
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from crmkit.domain import ConcurrencyConflict, DuplicateRecord, NotFound, ProductId
from crmkit.services import ProductFilter, Storage
from crmkit.testing.contracts.support import a_product, all_products, canonical, store
from crmkit.testing.strategies import products, texts
from crmkit.testing.tenants import fresh_tenant


class ProductRepositoryContract:
    """Every storage stores, finds, orders and guards products the same way."""

    max_examples: ClassVar[int] = 25

    def test_saved_products_load_back_equal(self, storage: Storage) -> None:
        """Any valid product loads back equal by id and by SKU (hypothesis round trip)."""

        @settings(
            max_examples=self.max_examples,
            deadline=None,
            suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
        )
        @given(data=st.data())
        def round_trip(data: st.DataObject) -> None:
            tenant = fresh_tenant()  # a tenant per example: SKUs never collide
            product = data.draw(products(tenant))
            store(storage, product)
            with storage.unit_of_work(tenant) as uow:
                assert uow.products.get(product.id) == product
                assert uow.products.get_by_sku(product.sku) == product
                assert canonical(uow.products.get(product.id)) == canonical(
                    product
                )  # identical too

        round_trip()

    def test_get_many_returns_known_and_leaves_out_unknown(self, storage: Storage) -> None:
        """Bulk reads return the stored products by id and ignore unknown ids."""
        tenant = fresh_tenant()
        first, second = a_product(tenant, "A"), a_product(tenant, "B")
        store(storage, first, second)
        with storage.unit_of_work(tenant) as uow:
            found = uow.products.get_many([first.id, second.id, ProductId("missing")])
        assert found == {first.id: first, second.id: second}

    def test_unknown_product_is_not_found(self, storage: Storage) -> None:
        """Reading an unknown id or SKU raises NotFound."""
        tenant = fresh_tenant()
        with storage.unit_of_work(tenant) as uow:
            with pytest.raises(NotFound):
                uow.products.get(ProductId("missing"))
            with pytest.raises(NotFound):
                uow.products.get_by_sku("missing")

    def test_a_second_product_with_the_same_sku_is_refused(self, storage: Storage) -> None:
        """Adding a taken SKU raises DuplicateRecord and stores nothing."""
        tenant = fresh_tenant()
        original = a_product(tenant, "DUP")
        store(storage, original)
        with pytest.raises(DuplicateRecord) as raised:
            store(storage, a_product(tenant, "DUP", name="Impostor"))
        assert raised.value.details["key"] == "sku"
        assert all_products(storage, tenant) == [original]

    def test_the_same_sku_twice_in_one_unit_of_work_is_refused(self, storage: Storage) -> None:
        """Two new products with one SKU in one unit of work: the second is refused."""
        tenant = fresh_tenant()
        with pytest.raises(DuplicateRecord):
            store(storage, a_product(tenant, "TWIN"), a_product(tenant, "TWIN"))
        assert all_products(storage, tenant) == []

    def test_skus_are_case_sensitive(self, storage: Storage) -> None:
        """'abc' and 'ABC' are different SKUs on every backend."""
        tenant = fresh_tenant()
        store(storage, a_product(tenant, "abc"), a_product(tenant, "ABC"))
        with storage.unit_of_work(tenant) as uow:
            assert uow.products.get_by_sku("abc").sku == "abc"
            assert uow.products.get_by_sku("ABC").sku == "ABC"

    def test_changing_to_a_taken_sku_is_refused(self, storage: Storage) -> None:
        """An update that takes another product's SKU raises DuplicateRecord, nothing changes."""
        tenant = fresh_tenant()
        first, second = a_product(tenant, "A"), a_product(tenant, "B")
        store(storage, first, second)
        with storage.unit_of_work(tenant) as uow, pytest.raises(DuplicateRecord):
            uow.products.update(attrs.evolve(second, sku="A"))
        assert all_products(storage, tenant) == [first, second]

    def test_a_sku_freed_in_the_same_unit_of_work_can_be_reused(self, storage: Storage) -> None:
        """Renaming A away and giving its old SKU to a new product works in one transaction."""
        tenant = fresh_tenant()
        old = a_product(tenant, "A")
        store(storage, old)
        with storage.unit_of_work(tenant) as uow:
            uow.products.update(attrs.evolve(old, sku="A-OLD"))
            uow.products.add(a_product(tenant, "A"))
            uow.commit()
        assert [p.sku for p in all_products(storage, tenant)] == ["A", "A-OLD"]

    def test_update_increments_the_version(self, storage: Storage) -> None:
        """Each stored update returns and stores the next version."""
        tenant = fresh_tenant()
        product = a_product(tenant)
        store(storage, product)
        with storage.unit_of_work(tenant) as uow:
            saved = uow.products.update(attrs.evolve(product, name="Renamed"))
            again = uow.products.update(attrs.evolve(saved, name="Renamed again"))
            uow.commit()
        assert (saved.version, again.version) == (2, 3)
        assert all_products(storage, tenant) == [again]

    def test_a_stale_version_is_refused(self, storage: Storage) -> None:
        """Updating from an outdated copy raises ConcurrencyConflict and changes nothing."""
        tenant = fresh_tenant()
        product = a_product(tenant)
        store(storage, product)
        with storage.unit_of_work(tenant) as uow:
            fresh = uow.products.update(attrs.evolve(product, name="Fresh"))
            uow.commit()
        with storage.unit_of_work(tenant) as uow, pytest.raises(ConcurrencyConflict):
            uow.products.update(attrs.evolve(product, name="Stale"))
        assert all_products(storage, tenant) == [fresh]

    def test_updating_an_unknown_product_is_not_found(self, storage: Storage) -> None:
        """An update of a product that was never stored raises NotFound."""
        tenant = fresh_tenant()
        with storage.unit_of_work(tenant) as uow, pytest.raises(NotFound):
            uow.products.update(a_product(tenant))
        assert all_products(storage, tenant) == []

    def test_listing_orders_by_code_point(self, storage: Storage) -> None:
        """SKUs list in Unicode code-point order (as Python sorts str) on every backend."""
        tenant = fresh_tenant()
        skus = ["b", "B", "a-2", "a 1", "Z", "é", "中", "😀", "10", "9", "_x", "ä"]
        store(storage, *(a_product(tenant, s) for s in skus))
        assert [p.sku for p in all_products(storage, tenant)] == sorted(skus)

    def test_listing_filters_by_active_and_category(self, storage: Storage) -> None:
        """Filters on active and category combine."""
        tenant = fresh_tenant()
        tea = a_product(tenant, "T1", category="tea")
        old_tea = attrs.evolve(a_product(tenant, "T2", category="tea"), active=False)
        coffee = a_product(tenant, "C1", category="coffee")
        store(storage, tea, old_tea, coffee)
        with storage.unit_of_work(tenant) as uow:

            def skus(active: bool | None, category: str | None) -> list[str]:
                listed = uow.products.list(
                    ProductFilter(active=active, category=category), after_sku=None, limit=10
                )
                return [p.sku for p in listed]

            assert skus(None, "tea") == ["T1", "T2"]
            assert skus(True, "tea") == ["T1"]
            assert skus(False, None) == ["T2"]
            assert skus(True, None) == ["C1", "T1"]

    def test_listing_continues_after_a_sku(self, storage: Storage) -> None:
        """after_sku and limit give the next slice of the order."""
        tenant = fresh_tenant()
        store(storage, *(a_product(tenant, f"P{n:02}") for n in range(7)))
        with storage.unit_of_work(tenant) as uow:
            listed = uow.products.list(ProductFilter(), after_sku="P02", limit=3)
        assert [p.sku for p in listed] == ["P03", "P04", "P05"]

    def test_listing_with_hypothesis_skus_matches_python_order(self, storage: Storage) -> None:
        """Any set of SKUs lists in the order Python's sorted() gives."""

        @settings(
            max_examples=max(3, self.max_examples // 5),
            deadline=None,
            suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
        )
        @given(skus=st.sets(texts(64), min_size=1, max_size=8))
        def check(skus: set[str]) -> None:
            tenant = fresh_tenant()
            store(storage, *(a_product(tenant, s) for s in skus))
            assert [p.sku for p in all_products(storage, tenant)] == sorted(skus)

        check()
