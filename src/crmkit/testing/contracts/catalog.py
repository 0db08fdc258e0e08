"""The catalog service contract: behaviour through the service, on every storage."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest

from crmkit.adapters.clock import FixedClock
from crmkit.domain import (
    ConcurrencyConflict,
    DuplicateRecord,
    FloatNotAllowed,
    NotFound,
    ProductId,
    ValidationError,
)
from crmkit.services import Storage
from crmkit.testing.contracts.support import T0, all_products, catalog
from crmkit.testing.tenants import fresh_tenant


class CatalogServiceContract:
    """The catalog service keeps its promises on every storage; rejections change nothing."""

    def test_creates_and_finds_a_product(self, storage: Storage) -> None:
        """A created product is found by id and by SKU, active, at version 1."""
        service = catalog(storage, fresh_tenant())
        created = service.create_product(
            sku=" TEA-01 ", name="Green tea", unit="box", tax_rate="0.13", category="tea"
        )
        assert (created.sku, created.active, created.version) == ("TEA-01", True, 1)
        assert created.tax_rate == Decimal("0.1300")
        assert service.get_product(created.id) == created
        assert service.get_product_by_sku("TEA-01") == created

    def test_update_changes_only_the_given_fields(self, storage: Storage) -> None:
        """Fields left out keep their values; updated_at moves with the clock."""
        clock = FixedClock(T0)
        service = catalog(storage, fresh_tenant(), clock)
        created = service.create_product(sku="A", name="Apple", unit="kg", tax_rate="0.09")
        clock.advance(timedelta(minutes=5))
        updated = service.update_product(created.id, name="Red apple", category="fruit")
        assert (updated.name, updated.category, updated.unit) == ("Red apple", "fruit", "kg")
        assert (updated.version, updated.updated_at) == (2, T0 + timedelta(minutes=5))
        assert updated.created_at == created.created_at
        assert service.get_product(created.id) == updated

    def test_an_update_that_changes_nothing_writes_nothing(self, storage: Storage) -> None:
        """Setting the values a product already has keeps its version."""
        service = catalog(storage, fresh_tenant())
        created = service.create_product(sku="A", name="Apple", unit="kg", tax_rate="0.09")
        assert service.update_product(created.id, name="Apple", tax_rate="0.0900") == created

    def test_deactivate_and_activate_are_idempotent(self, storage: Storage) -> None:
        """Deactivating twice bumps the version once; activating restores the product."""
        service = catalog(storage, fresh_tenant())
        created = service.create_product(sku="A", name="Apple", unit="kg", tax_rate="0")
        once = service.deactivate_product(created.id)
        twice = service.deactivate_product(created.id)
        assert (once.active, once.version) == (False, 2)
        assert twice == once
        assert service.activate_product(created.id).active is True

    def test_pages_walk_every_product_once_in_sku_order(self, storage: Storage) -> None:
        """Following next_cursor visits each product exactly once, in SKU order."""
        service = catalog(storage, fresh_tenant())
        skus = [f"P-{n:03}" for n in range(11)]
        for sku in reversed(skus):
            service.create_product(sku=sku, name=sku, unit="pcs", tax_rate="0.13")
        seen: list[str] = []
        cursor: str | None = None
        pages = 0
        while True:
            page = service.list_products(cursor=cursor, limit=4)
            seen.extend(p.sku for p in page.items)
            pages += 1
            if page.next_cursor is None:
                break
            cursor = page.next_cursor
        assert seen == skus
        assert pages == 3

    def test_a_page_sees_products_added_before_the_cursor_position(self, storage: Storage) -> None:
        """Keyset pages stay stable: a product inserted behind the cursor is not repeated."""
        service = catalog(storage, fresh_tenant())
        for sku in ["B", "D", "F"]:
            service.create_product(sku=sku, name=sku, unit="pcs", tax_rate="0")
        first = service.list_products(limit=2)
        service.create_product(sku="A", name="A", unit="pcs", tax_rate="0")
        service.create_product(sku="E", name="E", unit="pcs", tax_rate="0")
        second = service.list_products(cursor=first.next_cursor, limit=10)
        assert [p.sku for p in first.items] == ["B", "D"]
        assert [p.sku for p in second.items] == ["E", "F"]

    def test_a_duplicate_sku_is_rejected_and_changes_nothing(self, storage: Storage) -> None:
        """Creating a taken SKU raises DuplicateRecord; the catalog is as before."""
        tenant = fresh_tenant()
        service = catalog(storage, tenant)
        service.create_product(sku="A", name="Apple", unit="kg", tax_rate="0.09")
        before = all_products(storage, tenant)
        with pytest.raises(DuplicateRecord):
            service.create_product(sku="A", name="Avocado", unit="kg", tax_rate="0.09")
        assert all_products(storage, tenant) == before

    def test_a_stale_expected_version_is_rejected_and_changes_nothing(
        self, storage: Storage
    ) -> None:
        """Updating with an old expected_version raises ConcurrencyConflict; nothing changes."""
        tenant = fresh_tenant()
        service = catalog(storage, tenant)
        created = service.create_product(sku="A", name="Apple", unit="kg", tax_rate="0.09")
        service.update_product(created.id, name="Apple v2")
        before = all_products(storage, tenant)
        with pytest.raises(ConcurrencyConflict) as raised:
            service.update_product(created.id, expected_version=1, name="Apple from a stale form")
        assert raised.value.code == "concurrency_conflict"
        assert all_products(storage, tenant) == before

    def test_another_tenants_id_is_not_found_and_changes_nothing(self, storage: Storage) -> None:
        """A service of one tenant cannot see or change another tenant's product."""
        owner, intruder = fresh_tenant(), fresh_tenant()
        created = catalog(storage, owner).create_product(
            sku="A", name="Apple", unit="kg", tax_rate="0.09"
        )
        before = all_products(storage, owner)
        service = catalog(storage, intruder)
        with pytest.raises(NotFound):
            service.get_product(created.id)
        with pytest.raises(NotFound):
            service.update_product(created.id, name="Mine now")
        with pytest.raises(NotFound):
            service.deactivate_product(created.id)
        assert all_products(storage, owner) == before
        assert all_products(storage, intruder) == []

    def test_a_float_tax_rate_is_rejected_and_changes_nothing(self, storage: Storage) -> None:
        """Floats are refused with FloatNotAllowed when creating and when updating."""
        tenant = fresh_tenant()
        service = catalog(storage, tenant)
        created = service.create_product(sku="A", name="Apple", unit="kg", tax_rate="0.09")
        before = all_products(storage, tenant)
        with pytest.raises(FloatNotAllowed):
            service.create_product(
                sku="B",
                name="Banana",
                unit="kg",
                tax_rate=0.09,  # type: ignore[arg-type]
            )
        with pytest.raises(FloatNotAllowed):
            service.update_product(created.id, tax_rate=0.1)
        assert all_products(storage, tenant) == before

    def test_invalid_fields_are_rejected_and_change_nothing(self, storage: Storage) -> None:
        """Blank names, long SKUs and tax rates outside 0..1 raise ValidationError."""
        tenant = fresh_tenant()
        service = catalog(storage, tenant)
        created = service.create_product(sku="A", name="Apple", unit="kg", tax_rate="0.09")
        before = all_products(storage, tenant)
        invalid: list[dict[str, Any]] = [
            {"name": "  "},
            {"sku": "X" * 65},
            {"tax_rate": "1.5"},
            {"tax_rate": "0.12345"},
        ]
        for bad in invalid:
            with pytest.raises(ValidationError):
                service.update_product(created.id, **bad)
        assert all_products(storage, tenant) == before

    def test_an_unknown_product_is_not_found(self, storage: Storage) -> None:
        """Every service call on an unknown id raises NotFound."""
        service = catalog(storage, fresh_tenant())
        with pytest.raises(NotFound):
            service.get_product(ProductId("nope"))
        with pytest.raises(NotFound):
            service.update_product(ProductId("nope"), name="x")
        with pytest.raises(NotFound):
            service.get_product_by_sku("nope")
