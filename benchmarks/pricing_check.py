"""Pricing on the in-memory storage beside a dict-and-Decimal loop over the same tiers."""

from __future__ import annotations

import decimal
from datetime import timedelta
from decimal import Decimal

from benchmarks.pricing_bench import CUSTOMER, T0, TENANT, TIERS, best_of, fill
from crmkit import open_storage
from crmkit.adapters.clock import FixedClock
from crmkit.services.quotes import LineInput, QuoteService

ENTRIES = 2_000
LINES = 50


class PricingMismatch(Exception):
    """crmkit's quote total differs from the hand-written sum."""


def pricing_ratio(repeat: int = 5) -> float:
    """crmkit's priced lines per second over the loop's (best of ``repeat``); checks that
    both arrive at the same total.

    Raises:
        PricingMismatch: the totals differ.
    """
    storage = open_storage("memory://")
    products = fill(storage, ENTRIES)
    service = QuoteService(lambda: storage.unit_of_work(TENANT), FixedClock(T0))
    step = len(products) // LINES
    chosen = [(products[n * step], Decimal(1 + n % 20)) for n in range(LINES)]
    inputs = [LineInput(p.id, q) for p, q in chosen]
    totals: list[Decimal] = []

    def price_a_quote() -> None:
        quote = service.create_quote(CUSTOMER, currency="CNY", valid_until=T0 + timedelta(days=30))
        totals.append(service.add_lines(quote.id, inputs).totals().gross)

    index = {p.id: n for n, p in enumerate(products)}
    table = {
        p.id: [
            (t, Decimal(100 + index[p.id] % 900) + Decimal(index[p.id] % 100) / 100 - t / 10)
            for t in TIERS
        ]
        for p, _ in chosen
    }
    cent, rate = Decimal("0.01"), Decimal("0.13")

    def price_by_hand() -> Decimal:
        total = Decimal(0)
        for product, quantity in chosen:
            price = max((t for t in table[product.id] if t[0] <= quantity), key=lambda t: t[0])[1]
            net = (price * quantity).quantize(cent, rounding=decimal.ROUND_HALF_UP)
            total += net + (net * rate).quantize(cent, rounding=decimal.ROUND_HALF_UP)
        return total

    mine, _ = best_of(repeat, price_a_quote)
    theirs, _ = best_of(repeat * 20, price_by_hand)
    if totals[-1] != price_by_hand():
        raise PricingMismatch(f"crmkit priced {totals[-1]}, the loop {price_by_hand()}")
    return theirs / mine
