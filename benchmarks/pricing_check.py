"""Pricing on the in-memory storage beside a dict-and-Decimal loop over the same tiers.

Two crmkit figures, each over the loop in the same process:

- **pricing call**: the public call that prices a document's lines with their amounts,
  ``PricingService.price_lines`` for 50 (product, quantity) items: the arguments checked,
  the products read and checked active, the lists judged, the tiers resolved (one unit of
  work, three repository calls), each line's net rounded once and its tax (at the
  product's 13 %) rounded per line, and the totals: the loop's work, done by crmkit. (Until
  ``price_lines`` existed this figure timed ``resolve_many`` and a ``line_amounts`` call per
  line, the same work through two calls; :func:`resolve_ratio` still times that.)
- **quote**: creating a quote and adding the same 50 lines (``create_quote`` +
  ``add_lines``: a quote line per item and the saved quote, two units of work), then its
  totals.

Each side is the best of the same number of runs (``repeat * 20``; the loop alone had
twenty times as many runs as crmkit before, which favoured it on a loaded machine), taken
in turns: the loop, the call and the quote run once each, then again (the loop's runs
all came first before, so a change of load between the two sides moved the ratio). All
totals are checked against the loop's.
"""

from __future__ import annotations

import decimal
from collections.abc import Callable
from datetime import timedelta
from decimal import Decimal

from benchmarks.pricing_bench import CUSTOMER, T0, TENANT, TIERS, best_in_turns, fill
from crmkit import open_storage
from crmkit.adapters.clock import FixedClock
from crmkit.domain import Product
from crmkit.domain.pricing import DocumentTotals, PricingPolicy, resolved_amounts
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
    totals: dict[str, Decimal] = {}

    def price_the_lines() -> None:
        totals["pricing call"] = pricing.price_lines(CUSTOMER, items, currency="CNY").totals.gross

    def price_a_quote() -> None:
        quote = quotes.create_quote(CUSTOMER, currency="CNY", valid_until=T0 + timedelta(days=30))
        totals["quote"] = quotes.add_lines(quote.id, inputs).totals().gross

    price_by_hand = _loop(products, chosen)
    theirs, call, quote = best_in_turns(repeat * 20, price_by_hand, price_the_lines, price_a_quote)
    for name in ("pricing call", "quote"):
        if totals[name] != price_by_hand():
            raise PricingMismatch(
                f"crmkit's {name} priced {totals[name]}, the loop {price_by_hand()}"
            )
    return theirs / call, theirs / quote


def resolve_ratio(repeat: int = 5) -> float:
    """The loop's time over ``resolve_many`` + ``line_amounts`` per line + ``DocumentTotals.of``
    for the same 50 lines (the pricing call before ``price_lines``), best of ``repeat * 20``
    runs each.

    Raises:
        PricingMismatch: the totals differ.
    """
    storage = open_storage("memory://")
    products = fill(storage, ENTRIES)
    pricing = PricingService(lambda: storage.unit_of_work(TENANT), FixedClock(T0))
    step = len(products) // LINES
    chosen = [(products[n * step], Decimal(1 + n % 20)) for n in range(LINES)]
    items = [(p.id, q) for p, q in chosen]
    rounding = PricingPolicy().rounding

    def resolve_and_round() -> Decimal:
        resolutions = pricing.resolve_many(CUSTOMER, items, currency="CNY")
        amounts = [resolved_amounts(r, TAX, rounding) for r in resolutions]
        return DocumentTotals.of("CNY", amounts).gross

    price_by_hand = _loop(products, chosen)
    if resolve_and_round() != price_by_hand():
        raise PricingMismatch(
            f"resolve_many priced {resolve_and_round()}, the loop {price_by_hand()}"
        )
    theirs, mine = best_in_turns(repeat * 20, price_by_hand, resolve_and_round)
    return theirs / mine


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
