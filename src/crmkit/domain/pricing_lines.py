"""A document's lines priced in one pass: each line's price, where it came from and its
amounts (net, tax, gross rounded per line), and the totals; the explanation of each price
worked out only when asked for (:meth:`PricedLines.resolution`).

It is what :func:`~crmkit.domain.line_amounts.line_amounts` gives for each line of
:meth:`PriceIndex.resolve_all <crmkit.domain.price_index.PriceIndex.resolve_all>` (no
discounts, the product's tax rate), with the exact sums of the lines as totals (what
:meth:`DocumentTotals.of <crmkit.domain.line_amounts.DocumentTotals.of>` gives): the
property tests compare the two.
"""

from __future__ import annotations

import decimal
from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal
from typing import NamedTuple

import attrs

from crmkit.domain.currency import minor_unit
from crmkit.domain.errors import ValidationError
from crmkit.domain.ids import ProductId
from crmkit.domain.line_amounts import _EXACT, DocumentTotals, line_amounts
from crmkit.domain.price_index import Line, PriceIndex
from crmkit.domain.price_list import PriceEntryId, PriceListId
from crmkit.domain.pricing_terms import Resolution, ResolutionMode
from crmkit.domain.rounding import Rounding

_NO_DISCOUNT = Decimal(0)


class PricedItem(NamedTuple):
    """One priced (product, quantity): the unit price with the list, entry and tier that
    gave it, and the line's amounts: ``net + tax = gross``, each rounded per line to the
    currency's minor unit (see :func:`~crmkit.domain.line_amounts.line_amounts`).

    A named tuple: a plain value, cheap to make for every line of a document.
    """

    product_id: ProductId
    sku: str | None
    quantity: Decimal
    unit_price: Decimal
    prices_include_tax: bool
    price_list_id: PriceListId
    entry_id: PriceEntryId
    tier_min_quantity: Decimal
    tax_rate: Decimal
    net: Decimal
    tax: Decimal
    gross: Decimal


@attrs.frozen(slots=False)  # a __dict__ class: its attrs __init__ is faster
class PricedLines:
    """A document's lines priced for one customer, currency and moment, with their totals.

    ``lines`` are in the order given; :meth:`resolution` gives a line's full
    :class:`~crmkit.domain.pricing.Resolution`, its explanation worked out when first read.
    """

    currency: str
    at: datetime
    mode: ResolutionMode
    rounding: Rounding
    lines: tuple[PricedItem, ...]
    totals: DocumentTotals
    _index: PriceIndex | None = attrs.field(default=None, eq=False, repr=False, alias="index")
    """What explains the lines; not kept in JSON (:mod:`crmkit.serialization`)."""

    def resolution(self, line: int) -> Resolution:
        """The resolution of ``lines[line]``: what
        :meth:`PricingService.resolve <crmkit.services.pricing.PricingService.resolve>`
        gives for its product and quantity at :attr:`at`, explanation included.

        Raises:
            IndexError: no such line.
            ValidationError: these lines were read back from JSON, which keeps no
                explanation.
        """
        item = self.lines[line]
        if self._index is None:
            raise ValidationError(
                "these priced lines were read back from JSON, which keeps their prices and "
                "amounts but not their explanation; price them again with "
                "PricingService.price_lines (or resolve) to explain them."
            )
        return Resolution(
            item.product_id,
            item.quantity,
            self.at,
            self.currency,
            self.mode,
            item.unit_price,
            item.prices_include_tax,
            item.price_list_id,
            item.entry_id,
            item.tier_min_quantity,
            self._index.explanation(item.product_id, item.quantity, item.tax_rate, item.sku),
        )

    def resolutions(self) -> list[Resolution]:
        """:meth:`resolution` of every line, in order."""
        return [self.resolution(n) for n in range(len(self.lines))]


def price_lines(index: PriceIndex, lines: Sequence[Line], rounding: Rounding) -> PricedLines:
    """Each (product, quantity, tax rate, SKU) priced by ``index``, its amounts rounded
    by ``rounding`` at the named steps, and the totals.

    Raises:
        NoPriceFound: no applicable list prices a line (the first such line).
        ValidationError: an amount is too large to round.
    """
    winners = index.winners(lines)
    step, mode = minor_unit(index.currency), rounding._value_
    make = tuple.__new__  # a named tuple's own __new__, without its Python-level wrapper
    items: list[PricedItem] = []
    net_total = tax_total = gross_total = Decimal(0)
    try:
        # line_amounts' exact arithmetic, through the operators in its context (entered once
        # per call, a copy: the caller's context is back after it)
        with decimal.localcontext(_EXACT):
            for (product_id, quantity, tax_rate, sku), (price_list, entry, price) in zip(
                lines, winners, strict=True
            ):
                # no discounts: the amount rounded once (LINE_AMOUNT), then the tax or, for
                # tax-inclusive prices, the net (LINE_TAX)
                amount = (price * quantity).quantize(step, mode)
                included = price_list.prices_include_tax
                if included:
                    net = (amount / (1 + tax_rate)).quantize(step, mode)
                    tax, gross = amount - net, amount
                else:
                    net, tax = amount, (amount * tax_rate).quantize(step, mode)
                    gross = amount + tax
                items.append(
                    make(
                        PricedItem,
                        (
                            product_id,
                            sku,
                            quantity,
                            price,
                            included,
                            price_list.id,
                            entry.id,
                            entry.min_quantity,
                            tax_rate,
                            net,
                            tax,
                            gross,
                        ),
                    )
                )
                net_total += net  # exact sums
                tax_total += tax
                gross_total += gross
    except decimal.InvalidOperation:  # too large to round: line_amounts raises its error
        for (_, quantity, tax_rate, _), (price_list, _, price) in zip(lines, winners, strict=True):
            line_amounts(
                unit_price=price,
                quantity=quantity,
                line_discount_percent=_NO_DISCOUNT,
                document_discount_percent=_NO_DISCOUNT,
                tax_rate=tax_rate,
                prices_include_tax=price_list.prices_include_tax,
                currency=index.currency,
                rounding=rounding,
            )
        raise
    totals = DocumentTotals(index.currency, net_total, tax_total, gross_total)
    return PricedLines(index.currency, index.at, index.mode, rounding, tuple(items), totals, index)
