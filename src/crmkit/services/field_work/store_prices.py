"""A store's listed prices, read through the existing pricing (its applicable price lists)."""

from __future__ import annotations

from collections.abc import Callable, Collection
from datetime import datetime
from decimal import Decimal

from crmkit.domain import ProductId
from crmkit.domain.front_office.customers import CUSTOMERS
from crmkit.domain.pricing import NoPriceFound, PricingCustomer
from crmkit.services.ports import UnitOfWork
from crmkit.services.pricing import PricingService


class PriceListStorePrices:
    """:class:`~crmkit.services.field_work.shelf.StorePrices` over :class:`PricingService`:
    the unit price of one unit for the stored customer (its code and customer groups), in
    ``currency``, at the moment of the check."""

    def __init__(
        self, unit_of_work: Callable[[], UnitOfWork], pricing: PricingService, currency: str
    ) -> None:
        self._uow = unit_of_work
        self._pricing = pricing
        self._currency = currency

    def listed(
        self, customer_id: str, product_ids: Collection[str], at: datetime
    ) -> dict[str, Decimal]:
        """The listed unit price of each product that has one (others are left out).

        Raises:
            NotFound: no such customer or product.
        """
        with self._uow() as uow:
            stored = uow.records(CUSTOMERS).get(customer_id)
        buyer = PricingCustomer(stored.code, stored.groups)
        prices: dict[str, Decimal] = {}
        for product in sorted(set(product_ids)):
            try:
                resolution = self._pricing.resolve(
                    buyer, ProductId(product), 1, currency=self._currency, at=at
                )
            except NoPriceFound:
                continue
            prices[product] = resolution.unit_price
        return prices
