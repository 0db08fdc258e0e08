"""The order path benchmark: every case as one JSON line with its ratio, results checked.

From the repository root::

    .venv/bin/python -m benchmarks.run --postgres postgresql+psycopg://postgres@127.0.0.1/bench
    .venv/bin/python -m benchmarks.run --quick        # smoke test: SQLite and memory only
    .venv/bin/python -m benchmarks.run --postgres URL --flat 100000 50000   # + flat cost

Each round (``--rounds``, default 3) runs the cases interleaved on fresh tenants: crmkit's
confirm and confirm + deliver of 5-line orders on memory, SQLite and (with ``--postgres``)
PostgreSQL beside the fixed hand-written psycopg confirm (``psycopg_baseline.py``), with 1
and 4 client processes there; on PostgreSQL with 1 client also crmkit's full delivery of
confirmed orders beside the hand-written one (``psycopg_deliver.py``), and both commands
again with crmkit and the hand-written one taking turns in one process (``paired.py``,
rows without a goal: their ratio does not move with the load between cases); and pricing a
document's lines (``price_lines``) and a quote on the in-memory storage beside a
dict-and-Decimal loop over the same tiers. A row gives the median over the rounds. After
every run the benchmark checks what it did: no stock level oversold and each reserving
what its open reservations hold, every account's journal adds up to its balances and its
holds to its held and posted totals, every order priced exactly as the price list says.
It exits with status 1 when a check fails. The PostgreSQL
database is dropped and migrated.
"""

from __future__ import annotations

import argparse
import gc
import json
import multiprocessing
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

from benchmarks.flat_cost import flat_rows
from benchmarks.orders_bench import (
    LINES,
    STOCK,
    _count_statements,
    _drafts,
    _timed,
    client,
    confirm_all,
)
from benchmarks.paired import BATCH, paired_ratio
from benchmarks.pricing_check import PricingMismatch, pricing_ratios, resolve_ratio
from crmkit import open_storage
from crmkit.domain import TenantId
from crmkit.domain.accounts import Fund, HoldStatus
from crmkit.domain.sales_order import SalesOrderId
from crmkit.services.ports import UnitOfWork
from crmkit.testing.order_support import PRICES, open_world

CENT = Decimal("0.01")
TAX = Decimal("0.13")
Row = dict[str, Any]
SMALL = (1_000, 100)
FLAT_ORDERS = 15
SPAWN_S = 6.0
"""Seconds the client processes get to start before they begin together."""


class CheckFailed(Exception):
    """What the benchmark found wrong in the data it wrote."""


def run_orders(url: str, case: str, clients: int, orders: int) -> tuple[float, float | None]:
    """Orders per second for ``case`` (``confirm``, ``confirm+deliver``, ``baseline``, or
    ``deliver`` and ``baseline deliver`` of orders confirmed first) on a fresh tenant, and
    SQL statements per command (crmkit, 1 client, SQL only); checked."""
    storage = open_storage(url)
    try:
        world = open_world(storage, stock=((STOCK,) * LINES,), prepayment="0", products=LINES)
        shares = _drafts(world, clients, orders)
        tenant = world.tenant
        every = [o for s in shares for o in s]
        if case in {"deliver", "baseline deliver"}:
            confirm_all(storage, tenant, every)
        if url == "memory://":
            gc.collect()  # no collection of earlier cases' garbage inside the window
            started = time.perf_counter()
            _timed(storage, tenant, shares[0], case)
            rate = orders / (time.perf_counter() - started)
            check(storage, tenant, every, [p.id for p in world.products])
            return rate, None
    finally:
        if url != "memory://":
            storage.close()
    statements = None
    if clients == 1 and not case.startswith("baseline"):
        statements = _count_statements(url, tenant, shares[0][:3], case)
        shares = [shares[0][3:]]
    start_at = time.time() + (SPAWN_S if clients > 1 else 0.0)
    jobs = [(url, tenant, share, case, start_at) for share in shares]
    if clients == 1:
        gc.collect()
        started = time.time()
        client(jobs[0])
        elapsed = time.time() - started
    else:
        with multiprocessing.get_context("spawn").Pool(clients) as pool:
            windows = pool.map(_windowed, jobs)
        # The clients start together at start_at (each waits for it once connected).
        elapsed = max(end for _, end in windows) - max(start_at, *(s for s, _ in windows))
    done = sum(len(s) for s in shares)
    storage = open_storage(url)
    try:
        check(storage, tenant, every, [p.id for p in world.products])
    finally:
        storage.close()
    return done / elapsed, statements


def _windowed(job: tuple[str, str, list[str], str, float]) -> tuple[float, float]:
    """Run one client process; (when it was ready, when it finished)."""
    ready = time.time()
    client(job)
    return ready, time.time()


def check(storage: Any, tenant: str, order_ids: list[str], products: list[str]) -> None:
    """No stock level oversold and each reserving what its open reservations hold,
    journals that add up, holds that make the accounts' held and posted totals, orders
    priced exactly.

    Raises:
        CheckFailed: one of these does not hold.
    """
    with storage.unit_of_work(TenantId(tenant)) as uow:
        for level in uow.stock_levels.for_products(products):
            if level.reserved > level.on_hand or level.on_hand < 0:
                raise CheckFailed(f"oversold: {level}")
            held = uow.reservations.open_for_stock(level.product_id, level.warehouse_id)
            if level.reserved != sum((r.remaining for r in held), Decimal(0)):
                raise CheckFailed(f"reserved is not what the open reservations hold: {level}")
        prices = dict(zip(products, (Decimal(p) for p in PRICES), strict=False))
        accounts = set()
        for order_id in order_ids:
            order = uow.sales_orders.get(SalesOrderId(order_id))
            expected = Decimal(0)
            for line in order.lines:
                if line.unit_price != prices[line.product_id]:
                    raise CheckFailed(f"order {order_id} line {line.line_no}: {line.unit_price}")
                net = (line.quantity * line.unit_price).quantize(CENT, ROUND_HALF_UP)
                expected += net + (net * TAX).quantize(CENT, ROUND_HALF_UP)
            total = sum((a.gross for a in order.amounts()), Decimal(0))
            if total != expected:
                raise CheckFailed(f"order {order_id} totals {total}, the prices say {expected}")
            accounts.add(order.account_id)
        for customer in accounts:
            _check_account(uow, customer)


def _check_account(uow: UnitOfWork, customer: str) -> None:
    """The customer's prepayment journal adds up, entry by entry, to the account's balance
    and held; its holds to the account's held and posted totals."""
    account = uow.customer_accounts.find(customer, "CNY")
    if account is None:
        raise CheckFailed(f"no account for {customer}")
    balance = held = Decimal(0)
    for entry in uow.journal.between(account.id, 1, account.last_seq):
        if entry.fund is Fund.PREPAYMENT:
            balance += entry.balance_delta
            held += entry.held_delta
            if (balance, held) != (entry.balance_after, entry.held_after):
                raise CheckFailed(f"journal of {account.id} breaks at {entry.seq}")
    if (balance, held) != (account.prepayment_balance, account.prepayment_held):
        raise CheckFailed(f"account {account.id} does not match its journal")
    holds = [h for h in uow.holds.of_account(account.id) if h.fund is Fund.PREPAYMENT]
    pending = [h.remaining for h in holds if h.status is HoldStatus.PENDING]
    posted = sum((h.posted - h.refunded for h in holds), Decimal(0))
    if (sum(pending, Decimal(0)), posted) != (held, account.posted(Fund.PREPAYMENT)):
        raise CheckFailed(f"account {account.id} does not match its holds")


def median_row(base: Row, rounds: list[float], **extra: Any) -> Row:
    """A JSON row: ``base`` with the median of ``rounds`` and the rounds themselves."""
    return {**base, "median": round(statistics.median(rounds), 3), "rounds": rounds, **extra}


def ratio_rows(
    targets: dict[str, str], rounds: int, orders: int, clients: tuple[int, ...]
) -> list[Row]:
    """Run every case ``rounds`` times, interleaved; the rows of rates and ratios."""
    rates: dict[tuple[str, str, int], list[float]] = {}
    statements: dict[tuple[str, str], float | None] = {}
    pricing: list[float] = []
    quoting: list[float] = []
    paired: dict[str, list[float]] = {}
    resolving: list[float] = []
    for _ in range(rounds):
        for backend, url in targets.items():
            cases = ["confirm", "confirm+deliver"] + (["baseline"] if backend == "postgres" else [])
            for n in clients if backend == "postgres" else (1,):
                delivers = (
                    ["deliver", "baseline deliver"] if backend == "postgres" and n == 1 else []
                )
                for case in cases + delivers:
                    rate, counted = run_orders(url, case, n, orders)
                    rates.setdefault((backend, case, n), []).append(round(rate, 1))
                    statements[(backend, case)] = counted or statements.get((backend, case))
            if backend == "postgres":
                for case in ("confirm", "deliver"):
                    ratio = paired_ratio(url, case, orders, check)
                    paired.setdefault(case, []).append(round(ratio, 3))
        call, whole_quote = pricing_ratios()
        pricing.append(round(call, 3))
        quoting.append(round(whole_quote, 3))
        resolving.append(round(resolve_ratio(), 3))
    rows: list[Row] = []
    for (backend, case, n), values in rates.items():
        row = {"case": f"{case} per_s", "backend": backend, "clients": n}
        rows.append(median_row(row, values, statements_per_command=statements.get((backend, case))))
    ratios: list[tuple[str, Callable[[int], float], float]] = [
        ("memory confirm / sqlite confirm", lambda i: _at(rates, "memory", "sqlite", i), 10.0),
    ]
    if "postgres" in targets:
        ratios.append(
            (
                "postgres confirm / baseline",
                lambda i: _at(rates, "postgres", "postgres", i, ("confirm", "baseline")),
                0.8,
            )
        )
        ratios.append(
            (
                "postgres deliver / baseline deliver",
                lambda i: _at(rates, "postgres", "postgres", i, ("deliver", "baseline deliver")),
                0.8,
            )
        )
        if 4 in clients:
            ratios.append(
                ("postgres gain 1->4 clients / baseline gain", lambda i: _gain(rates, i), 0.8)
            )
    for case, values in paired.items():
        rows.append(
            median_row(
                {"case": f"postgres {case} / baseline, in turns of {BATCH} orders"},
                values,
                covers=f"crmkit's {case} and the hand-written one alternating in one process",
            )
        )
    for name, at, goal in ratios:
        values = [round(at(i), 3) for i in range(rounds)]
        rows.append(
            median_row({"case": name}, values, goal=goal, met=statistics.median(values) >= goal)
        )
    rows.append(
        median_row(
            {"case": "memory pricing / dict-and-Decimal loop"},
            pricing,
            goal=0.5,
            met=statistics.median(pricing) >= 0.5,
            covers="PricingService.price_lines of 50 lines (line amounts and totals)",
        )
    )
    rows.append(
        median_row(
            {"case": "memory quote of 50 lines / dict-and-Decimal loop"},
            quoting,
            covers="create_quote + add_lines + totals",
        )
    )
    rows.append(
        median_row(
            {"case": "memory resolve_many + line_amounts / dict-and-Decimal loop"},
            resolving,
            covers="the pricing call before price_lines: resolve_many, then line_amounts per line",
        )
    )
    return rows


def _at(
    rates: dict[tuple[str, str, int], list[float]],
    top: str,
    bottom: str,
    i: int,
    cases: tuple[str, str] = ("confirm", "confirm"),
) -> float:
    """Round ``i``'s rate of ``top`` over ``bottom`` (1 client), of ``cases`` (top, bottom)."""
    return rates[(top, cases[0], 1)][i] / rates[(bottom, cases[1], 1)][i]


def _gain(rates: dict[tuple[str, str, int], list[float]], i: int) -> float:
    mine = rates[("postgres", "confirm", 4)][i] / rates[("postgres", "confirm", 1)][i]
    theirs = rates[("postgres", "baseline", 4)][i] / rates[("postgres", "baseline", 1)][i]
    return mine / theirs


def _small_databases(targets: dict[str, str], folder: Path) -> dict[str, str]:
    """Per SQL backend, a second database for the flat cost's small size (PostgreSQL: the
    ``--postgres`` database's name + ``_small``, recreated), migrated."""
    smalls = {"sqlite": f"sqlite:///{folder / 'small.db'}"}
    if "postgres" in targets:
        from sqlalchemy import create_engine, make_url, text  # noqa: PLC0415 -- only here

        url = make_url(targets["postgres"])
        name = f"{url.database}_small"
        admin = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            connection.execute(text(f'CREATE DATABASE "{name}"'))
        admin.dispose()
        smalls["postgres"] = url.set(database=name).render_as_string(hide_password=False)
    for small in smalls.values():
        open_storage(small, upgrade_schema=True).close()
    return smalls


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark; 0 if every check passed, 1 if one failed."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--postgres", help="a PostgreSQL URL (the database is recreated)")
    parser.add_argument(
        "--quick", action="store_true", help="SQLite and memory, few orders, 1 round"
    )
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument(
        "--orders",
        type=int,
        default=200,
        help="orders per client and case (200: a new client's first commands, which connect "
        "and compile its statements and which the server prepares after five runs, weigh "
        "little)",
    )
    parser.add_argument(
        "--flat",
        type=int,
        nargs=2,
        metavar=("PRODUCTS", "ENTRIES"),
        help="also measure flat cost: this many products and journal entries (the issue's "
        "100000 50000) beside 1000 and 100, on SQLite and PostgreSQL",
    )
    args = parser.parse_args(argv)
    rounds, orders = (1, 8) if args.quick else (args.rounds, args.orders)
    with tempfile.TemporaryDirectory() as folder:
        targets = {"memory": "memory://", "sqlite": f"sqlite:///{Path(folder) / 'bench.db'}"}
        if args.postgres and not args.quick:
            from tests.backends import fresh_sql_database  # noqa: PLC0415 -- only with --postgres

            fresh_sql_database(args.postgres).dispose()
            targets["postgres"] = args.postgres
        for url in targets.values():
            open_storage(url, upgrade_schema=True).close()
        try:
            rows = ratio_rows(targets, rounds, orders, (1, 4))
            if args.flat and not args.quick:
                big = (args.flat[0], args.flat[1])
                for backend, small_url in _small_databases(targets, Path(folder)).items():
                    rows += flat_rows(small_url, targets[backend], backend, SMALL, big, FLAT_ORDERS)
        except (CheckFailed, PricingMismatch) as failed:
            print(json.dumps({"check": "failed", "reason": str(failed)}), flush=True)
            return 1
    for row in rows:
        print(json.dumps(row), flush=True)
    print(json.dumps({"check": "passed"}), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
