"""Pricing on the in-memory storage beside a dict-and-Decimal loop over the same tiers.

Two crmkit figures, each over the loop in the same process (best of ``repeat`` runs each):

- **pricing call**: the public call that prices a document's lines,
  ``PricingService.resolve_many`` for 50 (product, quantity) items (products read and
  checked, lists judged, tiers resolved, one unit of work), then each line's amounts with
  ``line_amounts`` (rounded once, tax per line) summed: the loop's work, done by crmkit.
- **quote**: creating a quote and adding the same 50 lines (``create_quote`` +
  ``add_lines``: a quote line per item and the saved quote, two units of work), then its
  totals.

Both totals are checked against the loop's.
"""

from __future__ import annotations

import decimal
from collections.abc import Callable
from datetime import timedelta
from decimal import Decimal

from benchmarks.pricing_bench import CUSTOMER, T0, TENANT, TIERS, best_of, fill
from crmkit import open_storage
from crmkit.adapters.clock import FixedClock
from crmkit.domain import Product
from crmkit.domain.pricing import DocumentTotals, PricingPolicy, line_amounts
from crmkit.services.pricing import PricingService
from crmkit.services.quotes import LineInput, QuoteService

ENTRIES = 2_000
LINES = 50
TAX = Decimal("0.13")


class PricingMismatch(Exception):
    """crmkit's total differs from the hand-written sum."""


def pricing_ratios(repeat: int = 5) -> tuple[float, float]:
    """(pricing call, quote) lines per second over the loop's; checks that all three
    arrive at the same total.

    Raises:
        PricingMismatch: the totals differ.
    """
    storage = open_storage("memory://")
    products = fill(storage, ENTRIES)
    clock = FixedClock(T0)
    pricing = PricingService(lambda: storage.unit_of_work(TENANT), clock)
    quotes = QuoteService(lambda: storage.unit_of_work(TENANT), clock)
    step = len(products) // LINES
    chosen = [(products[n * step], Decimal(1 + n % 20)) for n in range(LINES)]
    items = [(p.id, q) for p, q in chosen]
    inputs = [LineInput(p.id, q) for p, q in chosen]
    rounding = PricingPolicy().rounding
    totals: dict[str, Decimal] = {}

    def price_the_lines() -> None:
        resolutions = pricing.resolve_many(CUSTOMER, items, currency="CNY")
        amounts = [
            line_amounts(
                unit_price=r.unit_price,
                quantity=r.quantity,
                line_discount_percent=Decimal(0),
                document_discount_percent=Decimal(0),
                tax_rate=TAX,
                prices_include_tax=r.prices_include_tax,
                currency="CNY",
                rounding=rounding,
            )
            for r in resolutions
        ]
        totals["pricing call"] = DocumentTotals.of("CNY", amounts).gross

    def price_a_quote() -> None:
        quote = quotes.create_quote(CUSTOMER, currency="CNY", valid_until=T0 + timedelta(days=30))
        totals["quote"] = quotes.add_lines(quote.id, inputs).totals().gross

    price_by_hand = _loop(products, chosen)
    theirs, _ = best_of(repeat * 20, price_by_hand)
    ratios = []
    for name, action in (("pricing call", price_the_lines), ("quote", price_a_quote)):
        mine, _ = best_of(repeat, action)
        if totals[name] != price_by_hand():
            raise PricingMismatch(
                f"crmkit's {name} priced {totals[name]}, the loop {price_by_hand()}"
            )
        ratios.append(theirs / mine)
    return ratios[0], ratios[1]


def _loop(products: list[Product], chosen: list[tuple[Product, Decimal]]) -> Callable[[], Decimal]:
    """The hand-written sum: a dict of tiers per product, Decimal arithmetic."""
    index = {p.id: n for n, p in enumerate(products)}
    table = {
        p.id: [
            (t, Decimal(100 + index[p.id] % 900) + Decimal(index[p.id] % 100) / 100 - t / 10)
            for t in TIERS
        ]
        for p, _ in chosen
    }
    cent = Decimal("0.01")

    def price_by_hand() -> Decimal:
        total = Decimal(0)
        for product, quantity in chosen:
            price = max((t for t in table[product.id] if t[0] <= quantity), key=lambda t: t[0])[1]
            net = (price * quantity).quantize(cent, rounding=decimal.ROUND_HALF_UP)
            total += net + (net * TAX).quantize(cent, rounding=decimal.ROUND_HALF_UP)
        return total

    return price_by_hand
