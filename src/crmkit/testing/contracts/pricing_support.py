"""Helpers of the pricing contract suites: a small priced world and a call-counting unit of work."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from datetime import timedelta
from typing import Any, Self, cast

import attrs

from crmkit.adapters.clock import FixedClock
from crmkit.domain import Product, TenantId
from crmkit.domain.price_list import PriceEntry, PriceList
from crmkit.domain.pricing import PricingCustomer, PricingPolicy
from crmkit.domain.quote import Quote
from crmkit.domain.sales_order import SalesOrder
from crmkit.services import CatalogService, Storage, UnitOfWork
from crmkit.services.pricing import PricingService
from crmkit.services.quotes import LineInput, QuoteService
from crmkit.testing.contracts.support import T0
from crmkit.testing.tenants import TenantWorld, fresh_tenant, numbered_products

ACME = PricingCustomer("acme", frozenset({"vip"}))


class _CountingRepository:
    """Forwards every call to a repository and counts it under ``<name>.<method>``."""

    def __init__(self, target: object, name: str, calls: Counter[str]) -> None:
        self._target = target
        self._name = name
        self._calls = calls

    def __getattr__(self, attribute: str) -> Any:
        method = getattr(self._target, attribute)

        def counted(*args: Any, **kwargs: Any) -> Any:
            self._calls[f"{self._name}.{attribute}"] += 1
            return method(*args, **kwargs)

        return counted


class CountingUnitOfWork:
    """A real unit of work whose repository calls are counted (a spy, not a fake)."""

    def __init__(self, inner: UnitOfWork, calls: Counter[str]) -> None:
        self._inner = inner
        self.calls = calls

    def _counted(self, name: str) -> Any:
        return _CountingRepository(getattr(self._inner, name), name, self.calls)

    @property
    def tenant_id(self) -> TenantId:
        return self._inner.tenant_id

    @property
    def products(self) -> Any:
        return self._counted("products")

    @property
    def requests(self) -> Any:
        return self._counted("requests")

    @property
    def price_lists(self) -> Any:
        return self._counted("price_lists")

    @property
    def quotes(self) -> Any:
        return self._counted("quotes")

    @property
    def sales_orders(self) -> Any:
        return self._counted("sales_orders")

    @property
    def counters(self) -> Any:
        return self._counted("counters")

    @property
    def outbox(self) -> Any:
        return self._counted("outbox")

    def __enter__(self) -> Self:
        self._inner.__enter__()
        return self

    def __exit__(self, *exc: Any) -> None:
        self._inner.__exit__(*exc)

    def commit(self) -> None:
        self._inner.commit()

    def rollback(self) -> None:
        self._inner.rollback()


@attrs.define
class PricedWorld(TenantWorld):
    """A tenant with services over one storage, a fixed clock and a few products."""

    catalog: CatalogService
    pricing: PricingService
    quotes: QuoteService
    products: list[Product]
    calls: Counter[str]

    @classmethod
    def make(
        cls, storage: Storage, *, products: int = 2, policy: PricingPolicy | None = None
    ) -> PricedWorld:
        """A fresh tenant with ``products`` products (13% tax) and no price lists."""
        tenant = fresh_tenant()
        clock = FixedClock(T0)
        calls: Counter[str] = Counter()

        def unit_of_work() -> UnitOfWork:
            return cast(UnitOfWork, CountingUnitOfWork(storage.unit_of_work(tenant), calls))

        catalog = CatalogService(unit_of_work, clock)
        made = list(numbered_products(catalog, products))
        return cls(
            storage=storage,
            tenant=tenant,
            clock=clock,
            catalog=catalog,
            pricing=PricingService(unit_of_work, clock, policy),
            quotes=QuoteService(unit_of_work, clock, policy),
            products=made,
            calls=calls,
        )

    def price_list(
        self, name: str, priority: int, prices: list[str], **fields: Any
    ) -> tuple[PriceList, list[PriceEntry]]:
        """A list valid from a day before T0 pricing product n at ``prices[n]``."""
        fields.setdefault("valid_from", T0 - timedelta(days=1))
        made = self.pricing.create_price_list(
            name=name, currency="CNY", priority=priority, **fields
        )
        entries = [
            self.pricing.add_entry(made.id, product.id, unit_price=price)
            for product, price in zip(self.products, prices, strict=False)
        ]
        return made, entries

    def accepted_quote(self, quantities: list[str], customer: PricingCustomer = ACME) -> Quote:
        """A quote for ``quantities`` of the products, sent and accepted at T0."""
        quote = self.quotes.create_quote(
            customer, currency="CNY", valid_until=T0 + timedelta(days=30)
        )
        self.quotes.add_lines(
            quote.id,
            [LineInput(p.id, q) for p, q in zip(self.products, quantities, strict=False)],
        )
        self.quotes.send(quote.id)
        return self.quotes.accept(quote.id)

    def snapshot(self, quote: Quote) -> tuple[Quote, list[SalesOrder]]:
        """The stored quote and its orders (to compare before and after a rejection)."""
        return self.quotes.get_quote(quote.id), self.quotes.orders_for_quote(quote.id)

    def counting(self, action: Callable[[], object]) -> Counter[str]:
        """The repository calls ``action`` makes."""
        self.calls.clear()
        action()
        return Counter(self.calls)
