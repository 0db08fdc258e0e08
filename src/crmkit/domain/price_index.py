"""Price resolution over an index: a document's lines priced against tiers sorted once, with
the explanation worked out only when it is read.

:func:`~crmkit.domain.price_resolution.resolve_price` judges every list and every entry of
every line, and builds the verdicts as it goes. :class:`PriceIndex` does the same resolution
for many lines: it judges the lists once (a list's verdict does not depend on the product),
takes each (list, product)'s tiers already in :func:`entry_order` (highest tier first, so the
applied tier is the first one that is reached and valid), and keeps, per resolution, a
recipe for its verdicts (:class:`Explanation`) that runs ``resolve_price`` when they are
first read. It gives exactly what ``resolve_price`` gives (the property tests compare the
two), and where no list prices a line it lets ``resolve_price`` raise its
:class:`NoPriceFound` with the verdicts.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from decimal import Decimal

from crmkit.domain.ids import ProductId
from crmkit.domain.price_list import Derivation, PriceEntry, PriceList, PriceListId
from crmkit.domain.price_resolution import _judge_list, entry_order, resolve_price, tie_break_key
from crmkit.domain.pricing_terms import (
    Explanation,
    ListVerdict,
    PricingCustomer,
    Resolution,
    ResolutionMode,
)

TierKey = tuple[PriceListId, ProductId]
Line = tuple[ProductId, Decimal, Decimal, str | None]
"""A line to price: product, quantity, the product's tax rate and SKU (for messages)."""
_ZERO = Decimal(0)
Tiers = Mapping[TierKey, Sequence[PriceEntry]]
"""Per (list, product), the list's entries for the product in :func:`entry_order`."""


def tiers_of(entries: Iterable[PriceEntry]) -> dict[TierKey, tuple[PriceEntry, ...]]:
    """``entries`` grouped by (list, product), each group in :func:`entry_order`."""
    groups: dict[TierKey, list[PriceEntry]] = {}
    for entry in entries:
        groups.setdefault((entry.price_list_id, entry.product_id), []).append(entry)
    return {key: tuple(sorted(group, key=entry_order)) for key, group in groups.items()}


_Applicable = tuple[PriceList, PriceListId, Derivation | None]
Won = tuple[PriceList, PriceEntry, Decimal]
"""A line's winning list, the applied entry, and the unit price (after derivation)."""


class PriceIndex:
    """The lists that apply to one customer, currency and moment, judged once and kept in
    tie-break order, and the tiers of their entries (:meth:`load`): what pricing each line
    of a document needs."""

    def __init__(
        self,
        *,
        customer: PricingCustomer,
        at: datetime,
        currency: str,
        mode: ResolutionMode,
        price_lists: Iterable[PriceList],
    ) -> None:
        self.customer, self.at, self.currency, self.mode = customer, at, currency, mode
        self.price_lists = tuple(price_lists)
        by_id = {p.id: p for p in self.price_lists}
        self._applicable: list[_Applicable] = []
        ordered = self.price_lists  # one list (the common case) is in order already
        if len(ordered) > 1:
            ordered = tuple(sorted(ordered, key=tie_break_key))
        for price_list in ordered:
            if _judge_list(price_list, customer, at, currency, by_id) is None:
                derivation = price_list.derivation
                source = derivation.base_list_id if derivation else price_list.id
                self._applicable.append((price_list, source, derivation))
        self.sources = frozenset(source for _, source, _ in self._applicable)
        """The lists whose entries price the applicable lists (a derived list's base)."""
        self._tiers: Tiers = {}

    def load(self, tiers: Tiers) -> None:
        """Take the tiers of the :attr:`sources` for the products to price."""
        self._tiers = tiers

    def resolve(
        self, product_id: ProductId, quantity: Decimal, tax_rate: Decimal, sku: str | None = None
    ) -> Resolution:
        """What :func:`resolve_price` gives for this product and quantity.

        Raises:
            NoPriceFound: no applicable list prices the product at this quantity and moment.
        """
        [resolution] = self.resolve_all([(product_id, quantity, tax_rate, sku)])
        return resolution

    def resolve_all(self, lines: Iterable[Line]) -> list[Resolution]:
        """:meth:`resolve` of each (product, quantity, tax rate, SKU), in order: one call
        for a document's lines, with what every line reads looked up once.

        Raises:
            NoPriceFound: no applicable list prices a line (the first such line).
        """
        lines = list(lines)
        at, currency, mode, explain = self.at, self.currency, self.mode, self.explanation
        return [
            # positional, in field order: the cheapest call, made once per line
            Resolution(
                product_id,
                quantity,
                at,
                currency,
                mode,
                price,
                price_list.prices_include_tax,
                price_list.id,
                entry.id,
                entry.min_quantity,
                explain(product_id, quantity, tax_rate, sku),
            )
            for (product_id, quantity, tax_rate, sku), (price_list, entry, price) in zip(
                lines, self.winners(lines), strict=True
            )
        ]

    def winners(self, lines: Sequence[Line]) -> list[Won]:
        """The winning list, entry and unit price of each line, in order (what :meth:`resolve`
        resolves, without its explanation).

        Raises:
            NoPriceFound: no applicable list prices a line (the first such line).
        """
        at, tiers, applicable = self.at, self._tiers, self._applicable
        strict = self.mode is ResolutionMode.STRICT_PRIORITY
        winners: list[Won] = []
        for product_id, quantity, tax_rate, sku in lines:
            won: Won | None = None
            lowest = _ZERO
            for price_list, source, derivation in applicable:
                entry = None
                for tier in tiers.get((source, product_id), ()):  # highest tier first
                    # tier.is_valid_at(at), inlined: this runs for every tier of every line
                    if (
                        tier.min_quantity <= quantity
                        and tier.valid_from <= at
                        and (tier.valid_until is None or at < tier.valid_until)
                    ):
                        entry = tier
                        break
                if entry is None:
                    continue
                price = entry.unit_price
                if derivation is not None:
                    price = derivation.apply(price, price_list.currency)
                if strict:
                    won = (price_list, entry, price)
                    break
                comparable = price if price_list.prices_include_tax else price * (1 + tax_rate)
                if won is None or comparable < lowest:  # ties: the earlier list in tie-break order
                    won, lowest = (price_list, entry, price), comparable
            if won is None:
                self._full(product_id, quantity, tax_rate, sku)  # raises NoPriceFound
                raise AssertionError("resolve_price priced a line the index did not")
            winners.append(won)
        return winners

    def explanation(
        self, product_id: ProductId, quantity: Decimal, tax_rate: Decimal, sku: str | None
    ) -> Explanation:
        """The verdicts of every list for this line, worked out when first read."""
        return Explanation(self._verdicts, (product_id, quantity, tax_rate, sku))

    def _verdicts(self, line: Line) -> tuple[ListVerdict, ...]:
        return tuple(self._full(*line).candidates)

    def _full(
        self, product_id: ProductId, quantity: Decimal, tax_rate: Decimal, sku: str | None
    ) -> Resolution:
        sources = dict.fromkeys(source for _, source, _ in self._applicable)
        entries = [e for s in sources for e in self._tiers.get((s, product_id), ())]
        return resolve_price(
            customer=self.customer, product_id=product_id, tax_rate=tax_rate, quantity=quantity,
            at=self.at, currency=self.currency, mode=self.mode, price_lists=self.price_lists,
            entries=entries, sku=sku,
        )  # fmt: skip
