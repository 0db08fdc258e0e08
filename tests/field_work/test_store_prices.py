"""A store's listed prices read through the pricing service, on every backend."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

from crmkit.domain.front_office.customers import CUSTOMERS, Customer
from crmkit.domain.pricing import PricingPolicy
from crmkit.services import Storage
from crmkit.services.field_work.store_prices import PriceListStorePrices
from crmkit.services.pricing import EntryInput, PricingService
from crmkit.testing.inventory_support import open_shop


class TestPriceListStorePrices:
    """Products with a list price are listed; others are left out."""

    def test_listed_prices(self, storage: Storage) -> None:
        """Product 0 costs 5.50 on the store's list; product 1 has no price."""
        shop = open_shop(storage, products=2, warehouses=(1,))

        def uow() -> Any:
            return storage.unit_of_work(shop.tenant)

        store = Customer.new(shop.tenant, code="S-9", name="Store", now=shop.clock.now())
        with uow() as unit:
            unit.records(CUSTOMERS).add(store)
            unit.commit()
        pricing = PricingService(uow, shop.clock, PricingPolicy())
        price_list = pricing.create_price_list(name="Retail", currency="CNY", priority=1)
        pricing.add_entries(price_list.id, [EntryInput(shop.products[0].id, "5.50")])
        shop.clock.advance(timedelta(minutes=1))
        prices = PriceListStorePrices(uow, pricing, "CNY")
        ids = [p.id for p in shop.products]
        assert prices.listed(store.id, ids, shop.clock.now()) == {ids[0]: Decimal("5.50")}
