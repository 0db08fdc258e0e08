"""Priced lines per second: a 200-line quote against a price list of 100,000 entries.

Runs on the in-memory storage and on a SQLite file, and prints the figures beside a
hand-written baseline (a dict lookup and Decimal arithmetic doing the same sum)::

    PYTHONPATH=src python benchmarks/pricing_bench.py [--entries 100000] [--lines 200]
"""

from __future__ import annotations

import argparse
import decimal
import statistics
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

from crmkit import open_storage
from crmkit.adapters.clock import FixedClock
from crmkit.domain import Product, ProductId, TenantId
from crmkit.domain.price_list import PriceEntry, PriceList
from crmkit.domain.pricing import PricingCustomer
from crmkit.services import Storage
from crmkit.services.quotes import LineInput, QuoteService

T0 = datetime(2026, 1, 5, tzinfo=UTC)
TENANT = TenantId("bench")
CUSTOMER = PricingCustomer("acme", frozenset({"vip"}))
TIERS = (Decimal(0), Decimal(10))


def fill(storage: Storage, entries: int) -> list[Product]:
    """One price list of ``entries`` entries (two tiers per product); returns the products."""
    products = [
        Product.new(
            TENANT,
            sku=f"SKU-{n:06}",
            name=f"Product {n}",
            unit="pcs",
            tax_rate="0.13",
            now=T0,
            product_id=ProductId(f"p{n:06}"),
        )
        for n in range(entries // len(TIERS))
    ]
    price_list = PriceList.new(
        TENANT, name="General", currency="CNY", priority=1, now=T0 - timedelta(days=1)
    )
    rows = [
        PriceEntry.new(
            price_list,
            product.id,
            unit_price=Decimal(100 + n % 900) + Decimal(n % 100) / 100 - tier / 10,
            min_quantity=tier,
        )
        for n, product in enumerate(products)
        for tier in TIERS
    ]
    with storage.unit_of_work(TENANT) as uow:
        for product in products:
            uow.products.add(product)
        uow.price_lists.add(price_list)
        uow.price_lists.add_entries(rows)
        uow.commit()
    return products


def best_of(repeat: int, action: Callable[[], object]) -> tuple[float, float]:
    """(best, median) seconds of ``repeat`` runs of ``action``."""
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        action()
        times.append(time.perf_counter() - started)
    return min(times), statistics.median(times)


def best_in_turns(repeat: int, *actions: Callable[[], object]) -> list[float]:
    """The best seconds of each action over ``repeat`` turns, a turn running each action
    once in order (so that a change of the machine's load falls on all of them alike)."""
    best = [float("inf")] * len(actions)
    for _ in range(repeat):
        for n, action in enumerate(actions):
            started = time.perf_counter()
            action()
            best[n] = min(best[n], time.perf_counter() - started)
    return best


def crmkit_run(storage: Storage, products: list[Product], lines: int, repeat: int) -> None:
    """Time pricing a ``lines``-line quote (resolution, explanation, save) on ``storage``."""
    clock = FixedClock(T0)
    service = QuoteService(lambda: storage.unit_of_work(TENANT), clock)
    step = len(products) // lines
    chosen = [products[n * step] for n in range(lines)]
    inputs = [LineInput(p.id, Decimal(1 + n % 20)) for n, p in enumerate(chosen)]

    def price_a_quote() -> object:
        quote = service.create_quote(CUSTOMER, currency="CNY", valid_until=T0 + timedelta(days=30))
        return service.add_lines(quote.id, inputs).totals()

    best, median = best_of(repeat, price_a_quote)
    print(
        f"  crmkit   {lines / best:10,.0f} lines/s best, {lines / median:10,.0f} lines/s median "
        f"({best * 1000:.1f} ms best per {lines}-line quote)"
    )


def baseline_run(products: list[Product], lines: int, repeat: int) -> None:
    """The same sum by hand: a dict of tiers per product, Decimal arithmetic, one rounding."""
    table: dict[str, list[tuple[Decimal, Decimal]]] = {}
    for n, product in enumerate(products):
        table[product.id] = [
            (tier, Decimal(100 + n % 900) + Decimal(n % 100) / 100 - tier / 10) for tier in TIERS
        ]
    step = len(products) // lines
    chosen = [(products[n * step].id, Decimal(1 + n % 20)) for n in range(lines)]
    cent, rate = Decimal("0.01"), Decimal("0.13")

    def price_by_hand() -> Decimal:
        total = Decimal(0)
        for product_id, quantity in chosen:
            price = max((t for t in table[product_id] if t[0] <= quantity), key=lambda t: t[0])[1]
            net = (price * quantity).quantize(cent, rounding=decimal.ROUND_HALF_UP)
            total += net + (net * rate).quantize(cent, rounding=decimal.ROUND_HALF_UP)
        return total

    best, median = best_of(repeat * 20, price_by_hand)
    print(
        f"  baseline {lines / best:10,.0f} lines/s best, {lines / median:10,.0f} lines/s median "
        f"(dict lookup + Decimal arithmetic, no storage, no explanation)"
    )


def main() -> None:
    """Parse the arguments and print the figures for memory and SQLite."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--entries", type=int, default=100_000)
    parser.add_argument("--lines", type=int, default=200)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        targets = {
            "memory": "memory://",
            "sqlite": f"sqlite:///{Path(folder) / 'bench.db'}",
        }
        for name, url in targets.items():
            storage = open_storage(url, upgrade_schema=True)
            try:
                started = time.perf_counter()
                products = fill(storage, args.entries)
                print(
                    f"{name}: {args.entries:,} entries loaded in "
                    f"{time.perf_counter() - started:.1f} s; pricing a {args.lines}-line quote"
                )
                crmkit_run(storage, products, args.lines, args.repeat)
                baseline_run(products, args.lines, args.repeat)
            finally:
                storage.close()


if __name__ == "__main__":
    main()
