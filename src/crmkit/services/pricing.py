"""The pricing service: price lists (价目表) and explainable price resolution."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any

import attrs

from crmkit.domain import NotFound, Product, ProductId, ValidationError
from crmkit.domain.price_index import Line, PriceIndex
from crmkit.domain.price_list import (
    Derivation,
    PriceEntry,
    PriceEntryId,
    PriceList,
    PriceListId,
    PriceListScope,
    item_quantities,
    unit_price,
)
from crmkit.domain.pricing import PricingCustomer, PricingPolicy, Resolution
from crmkit.domain.pricing_lines import PricedLines, price_lines
from crmkit.domain.rounding import Rounding
from crmkit.domain.timestamps import utc_millis
from crmkit.services.boundary import checked_calls
from crmkit.services.ports import Clock, UnitOfWork
from crmkit.services.tenant_service import TenantService, expect_version


@attrs.frozen
class EntryInput:
    """One entry to add: a product's price from ``min_quantity`` on."""

    product_id: ProductId
    unit_price: Decimal | int | str
    min_quantity: Decimal | int | str = 0
    valid_from: datetime | None = None
    valid_until: datetime | None = None


def priced_line_fields(
    product: Product,
    quantity: Decimal,
    resolution: Resolution,
    discount_percent: Decimal | int | str,
) -> dict[str, Any]:
    """The fields a quote or order line (a :class:`~crmkit.domain.line_amounts.PricedLine`)
    takes from an item :func:`price_items` priced and the line's discount as given (the
    line's converter checks it)."""
    return {
        "product_id": product.id,
        "sku": product.sku,
        "unit": product.unit,
        "quantity": quantity,
        "tax_rate": product.tax_rate,
        "discount_percent": discount_percent,
        "resolution": resolution,
    }


def price_items(
    uow: UnitOfWork,
    customer: PricingCustomer,
    items: Sequence[tuple[ProductId, Decimal | int | str]],
    *,
    currency: str,
    at: datetime,
    policy: PricingPolicy,
) -> list[tuple[Product, Decimal, Resolution]]:
    """Resolve the price of every (product, quantity) in three repository calls in all.

    It reads the products (one ``get_many``), the tenant's price lists (one ``all``) and
    the tiers of the applicable lists for these products (one ``tiers``), whatever the
    number of items; the lists are judged once (:class:`PriceIndex`) and each
    resolution's explanation is worked out when it is first read.

    Raises:
        NotFound: a product does not exist in this tenant.
        ValidationError: a product is deactivated, or a quantity breaks its rule.
        NoPriceFound: an item has no applicable price.
    """
    products, lines, index = _indexed(uow, customer, items, currency=currency, at=at, policy=policy)
    return [
        (products[line[0]], line[1], resolution)
        for line, resolution in zip(lines, index.resolve_all(lines), strict=True)
    ]


def _indexed(
    uow: UnitOfWork,
    customer: PricingCustomer,
    items: Sequence[tuple[ProductId, Decimal | int | str]],
    *,
    currency: str,
    at: datetime,
    policy: PricingPolicy,
) -> tuple[dict[ProductId, Product], list[Line], PriceIndex]:
    """The items' products (read and checked active) by id; a line to price per item
    (product id, quantity, tax rate, SKU); and the index of the lists that apply, with
    the tiers of these products loaded: the three repository calls of :func:`price_items`."""
    moment = utc_millis(at)
    wanted = item_quantities(items)
    products = uow.products.get_many({pid for pid, _ in wanted})
    lines: list[Line] = []
    for pid, amount in wanted:
        product = products.get(pid)
        if product is None or not product.active:
            raise _unpriceable(uow, pid, product)
        lines.append((pid, amount, product.tax_rate, product.sku))
    index = PriceIndex(
        customer=customer,
        at=moment,
        currency=currency,
        mode=policy.mode,
        price_lists=uow.price_lists.all(),
    )
    if index.sources:
        index.load(uow.price_lists.tiers(index.sources, set(products)))
    return products, lines, index


def _unpriceable(uow: UnitOfWork, pid: ProductId, product: Product | None) -> Exception:
    if product is None:
        return NotFound("Product", "id", pid, uow.tenant_id)
    return ValidationError(
        f"product {pid!r} ({product.sku}) is deactivated and cannot be priced; "
        f"activate it first or leave it out.",
        product_id=pid,
    )


@checked_calls
class PricingService(TenantService):
    """Keeps a tenant's price lists and resolves prices with their explanation."""

    def __init__(
        self,
        unit_of_work: Callable[[], UnitOfWork],
        clock: Clock,
        policy: PricingPolicy | None = None,
    ) -> None:
        super().__init__(unit_of_work, clock)
        self.policy = policy or PricingPolicy()

    def create_price_list(
        self,
        *,
        name: str,
        currency: str,
        priority: int,
        scope: PriceListScope | None = None,
        prices_include_tax: bool = False,
        valid_from: datetime | None = None,
        valid_until: datetime | None = None,
    ) -> PriceList:
        """Create an active price list (valid from now unless ``valid_from`` is given).

        Raises:
            ValidationError: a field breaks its rule.
        """
        return self._add(
            lambda uow: uow.price_lists,
            lambda uow: PriceList.new(
                uow.tenant_id,
                name=name,
                currency=currency,
                priority=priority,
                scope=scope,
                prices_include_tax=prices_include_tax,
                valid_from=valid_from,
                valid_until=valid_until,
                now=self._clock.now(),
            ),
        )

    def derive_price_list(
        self,
        base_list_id: PriceListId,
        *,
        name: str,
        percent: Decimal | int | str,
        rounding: Rounding,
        priority: int,
        scope: PriceListScope | None = None,
        valid_from: datetime | None = None,
        valid_until: datetime | None = None,
    ) -> PriceList:
        """Create a list priced from ``base_list_id``'s entries moved by ``percent``.

        It takes the base list's currency and tax mode. Each derived price is the base
        price times ``(100 + percent) / 100``, rounded to the minor unit by ``rounding``.

        Raises:
            NotFound: no such base list.
            ValidationError: the base list is itself derived, or a field breaks its rule.
        """

        def make(uow: UnitOfWork) -> PriceList:
            base = uow.price_lists.get(base_list_id)
            if base.derivation is not None:
                raise ValidationError(
                    f"price list {base.id!r} is itself derived; derive from its base list "
                    f"{base.derivation.base_list_id!r} instead (one level of derivation).",
                    price_list_id=base.id,
                )
            return PriceList.new(
                uow.tenant_id,
                name=name,
                currency=base.currency,
                priority=priority,
                scope=scope,
                prices_include_tax=base.prices_include_tax,
                valid_from=valid_from,
                valid_until=valid_until,
                derivation=Derivation(base.id, percent, rounding),
                now=self._clock.now(),
            )

        return self._add(lambda uow: uow.price_lists, make)

    def deactivate_price_list(self, price_list_id: PriceListId) -> PriceList:
        """Stop using a list for new prices (a no-op if it is inactive already).

        Raises:
            NotFound: no such price list.
        """
        with self._uow() as uow:
            price_list = uow.price_lists.get(price_list_id)
            if not price_list.active:
                return price_list
            saved = uow.price_lists.update(
                attrs.evolve(price_list, active=False, updated_at=self._clock.now())
            )
            uow.commit()
        return saved

    def get_price_list(self, price_list_id: PriceListId) -> PriceList:
        """The price list with this id.

        Raises:
            NotFound: no such price list.
        """
        with self._uow() as uow:
            return uow.price_lists.get(price_list_id)

    def add_entries(
        self, price_list_id: PriceListId, entries: Sequence[EntryInput]
    ) -> list[PriceEntry]:
        """Add entries (quantity tiers) to a list; all or none are stored.

        Raises:
            NotFound: no such list, or an unknown product.
            ValidationError: the list is derived, or an entry breaks its rule.
        """
        with self._uow() as uow:
            price_list = uow.price_lists.get(price_list_id)
            products = uow.products.get_many({e.product_id for e in entries})
            created: list[PriceEntry] = []
            for given in entries:
                if given.product_id not in products:
                    raise NotFound("Product", "id", given.product_id, uow.tenant_id)
                created.append(
                    PriceEntry.new(
                        price_list,
                        given.product_id,
                        unit_price=given.unit_price,
                        min_quantity=given.min_quantity,
                        valid_from=given.valid_from,
                        valid_until=given.valid_until,
                    )
                )
            uow.price_lists.add_entries(created)
            uow.commit()
        return created

    def add_entry(
        self,
        price_list_id: PriceListId,
        product_id: ProductId,
        *,
        unit_price: Decimal | int | str,
        min_quantity: Decimal | int | str = 0,
        valid_from: datetime | None = None,
        valid_until: datetime | None = None,
    ) -> PriceEntry:
        """Add one entry; see :meth:`add_entries`.

        Raises:
            NotFound: no such list or product.
            ValidationError: the list is derived, or the entry breaks a rule.
        """
        [entry] = self.add_entries(
            price_list_id,
            [EntryInput(product_id, unit_price, min_quantity, valid_from, valid_until)],
        )
        return entry

    def change_entry_price(
        self,
        entry_id: PriceEntryId,
        new_price: Decimal | int | str,
        *,
        expected_version: int | None = None,
    ) -> PriceEntry:
        """Change an entry's unit price (prices already quoted or ordered do not change).

        Raises:
            NotFound: no such entry.
            ValidationError: the price breaks its rule.
            ConcurrencyConflict: the entry's version is not ``expected_version``.
        """
        price = unit_price(new_price)
        with self._uow() as uow:
            entry = uow.price_lists.get_entry(entry_id)
            expect_version(uow, "PriceEntry", entry_id, entry.version, expected_version)
            saved = uow.price_lists.update_entry(attrs.evolve(entry, unit_price=price))
            uow.commit()
        return saved

    def resolve(
        self,
        customer: PricingCustomer,
        product_id: ProductId,
        quantity: Decimal | int | str,
        *,
        currency: str,
        at: datetime | None = None,
    ) -> Resolution:
        """The unit price of a product for a customer, with its explanation.

        Raises:
            NotFound: no such product.
            NoPriceFound: no applicable list prices it (the error lists every list's verdict).
        """
        [resolution] = self.resolve_many(
            customer, [(product_id, quantity)], currency=currency, at=at
        )
        return resolution

    def resolve_many(
        self,
        customer: PricingCustomer,
        items: Sequence[tuple[ProductId, Decimal | int | str]],
        *,
        currency: str,
        at: datetime | None = None,
    ) -> list[Resolution]:
        """Resolve a whole document's prices in a bounded number of repository calls.

        Raises:
            NotFound: an unknown product.
            NoPriceFound: an item has no applicable price.
        """
        with self._uow() as uow:
            priced = price_items(
                uow,
                customer,
                items,
                currency=currency,
                at=at or self._clock.now(),
                policy=self.policy,
            )
        return [resolution for _, _, resolution in priced]

    def price_lines(
        self,
        customer: PricingCustomer,
        items: Sequence[tuple[ProductId, Decimal | int | str]],
        *,
        currency: str,
        at: datetime | None = None,
    ) -> PricedLines:
        """Price a document's (product, quantity) items with their amounts, in one call.

        Each line gets its unit price (with the list, entry and tier that gave it) and its
        net, tax (at the product's tax rate) and gross, rounded per line by the tenant's
        rule as a quote line without discounts is; the result has their totals. It makes
        the three repository calls of :meth:`resolve_many` in one unit of work; each
        line's explanation is worked out when :meth:`PricedLines.resolution` asks for it.

        Raises:
            NotFound: an unknown product.
            ValidationError: a product is deactivated, or a quantity breaks its rule.
            NoPriceFound: an item has no applicable price.
        """
        with self._uow() as uow:
            _, lines, index = _indexed(
                uow,
                customer,
                items,
                currency=currency,
                at=at or self._clock.now(),
                policy=self.policy,
            )
            return price_lines(index, lines, self.policy.rounding)
