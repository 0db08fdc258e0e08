"""Order confirms per second: a 5-line order confirmed (and confirmed + delivered) on each
backend by 1 and 4 client processes, with p50/p99 latency and SQL statements per command;
on PostgreSQL also the same confirm written by hand with psycopg (the fixed baseline).

One JSON object per case on stdout::

    PYTHONPATH=src:. .venv/bin/python benchmarks/orders_bench.py \\
        --postgres postgresql+psycopg://postgres@127.0.0.1:5432/bench \\
        --mariadb 'mysql+pymysql://root@127.0.0.1:3306/bench?charset=utf8mb4' [--mongo URL]

Without ``--mongo`` a SecantusDB server is started (as the tests do). The databases
named by the URLs are dropped and migrated afresh. Backends left out are skipped.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import statistics
import tempfile
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import event
from tests.backends import fresh_sql_database, mongo_server

from benchmarks.psycopg_baseline import BASELINE_STATEMENTS, baseline_confirm
from benchmarks.psycopg_deliver import baseline_deliver
from crmkit import SystemClock, open_storage
from crmkit.domain import CrmkitError, Money, TenantId, new_id
from crmkit.domain.pricing import PricingCustomer
from crmkit.services import Storage
from crmkit.services.orders import OrderLineInput, OrderService
from crmkit.testing.order_support import CUSTOMER, OrderWorld, open_world

LINES = 5
STOCK = "1000000"
FUNDS = "100000000.00"
CASES = ("confirm", "confirm+deliver")


def _drafts(world: OrderWorld, clients: int, per_client: int) -> list[list[str]]:
    """Draft orders per client, each client ordering for a customer account of its own
    (the clients still share the products, their stock and the tenant's outbox)."""
    made: list[list[str]] = []
    for c in range(clients):
        customer = PricingCustomer(f"{CUSTOMER.account_id}-{c}")
        account = world.accounts.open_account(customer.account_id, "CNY")
        world.accounts.deposit(account.id, Money(Decimal(FUNDS), "CNY"), key=new_id())
        mine: list[str] = []
        for n in range(per_client):
            lines = [OrderLineInput(p.id, 1 + (n + i) % 3) for i, p in enumerate(world.products)]
            outcome = world.orders.create_order(customer, lines, currency="CNY", key=new_id())
            mine.append(outcome.order.id)
        made.append(mine)
    return made


def client(job: tuple[str, str, list[str], str, float]) -> list[float]:
    """Run ``case`` on each order; the latencies in seconds (spawned per client)."""
    url, tenant, order_ids, case, start_at = job
    if case == "baseline":
        return baseline_confirm(url, tenant, order_ids, start_at)
    if case == "baseline deliver":
        return baseline_deliver(url, tenant, order_ids, start_at)
    storage = open_storage(url)
    time.sleep(max(0.0, start_at - time.time()))
    try:
        return _timed(storage, tenant, order_ids, case)
    finally:
        storage.close()


def _timed(storage: Storage, tenant: str, order_ids: list[str], case: str) -> list[float]:
    orders = OrderService(lambda: storage.unit_of_work(TenantId(tenant)), SystemClock())
    left = _left(orders, order_ids, case)
    latencies = []
    for order_id in order_ids:
        started = time.perf_counter()
        _command(orders, order_id, case, left)
        latencies.append(time.perf_counter() - started)
    return latencies


def confirm_all(storage: Storage, tenant: str, order_ids: list[str]) -> None:
    """Confirm the draft orders (before the case ``deliver`` or ``baseline deliver``)."""
    orders = OrderService(lambda: storage.unit_of_work(TenantId(tenant)), SystemClock())
    for order_id in order_ids:
        orders.confirm(order_id, key=new_id())


def _left(orders: OrderService, order_ids: list[str], case: str) -> dict[str, dict[int, Decimal]]:
    """For the case ``deliver``, what is left to ship of each order by line (read before
    the clock starts); else nothing."""
    if case != "deliver":
        return {}
    return {
        order_id: {line.line_no: line.to_deliver for line in orders.get_order(order_id).lines}
        for order_id in order_ids
    }


def _command(
    orders: OrderService, order_id: str, case: str, left: dict[str, dict[int, Decimal]]
) -> None:
    """The case's command(s) on one order: ``confirm``, ``confirm+deliver`` (one of each
    line) or ``deliver`` (all that is left of a confirmed order)."""
    if case == "deliver":
        orders.deliver(order_id, left[order_id], key=new_id())
        return
    orders.confirm(order_id, key=new_id())
    if case == "confirm+deliver":
        orders.deliver(order_id, dict.fromkeys(range(1, LINES + 1), 1), key=new_id())


def run_case(url: str, backend: str, case: str, clients: int, per_client: int) -> dict[str, Any]:
    """Set up a fresh tenant, create the drafts, and time ``clients`` processes."""
    storage = open_storage(url)
    try:
        world = open_world(storage, stock=((STOCK,) * LINES,), prepayment="0", products=LINES)
        shares = _drafts(world, clients, per_client)
        if backend == "memory":  # one process: the store lives in it
            started = time.time()
            latencies = sorted(_timed(storage, world.tenant, shares[0], case))
            return _row(backend, case, clients, latencies, time.time() - started, None)
    finally:
        storage.close()
    statements = None
    if clients == 1 and backend in {"sqlite", "postgres", "mariadb"} and case != "baseline":
        warm = min(5, max(1, len(shares[0]) // 4))
        statements = _count_statements(url, world.tenant, shares[0][:warm], case)
        shares = [shares[0][warm:]]
    start_at = time.time() + (3.0 if clients > 1 else 0.0)
    jobs = [(url, world.tenant, share, case, start_at) for share in shares]
    started = time.time()
    if clients == 1:
        results = [client(jobs[0])]
        elapsed = time.time() - max(started, start_at)
    else:
        with multiprocessing.get_context("spawn").Pool(clients) as pool:
            results = pool.map(client, jobs)
        elapsed = time.time() - start_at
    latencies = sorted(x for r in results for x in r)
    return _row(backend, case, clients, latencies, elapsed, statements)


def _row(  # noqa: PLR0917 -- one private helper building the JSON row
    backend: str,
    case: str,
    clients: int,
    latencies: list[float],
    elapsed: float,
    statements: float | None,
) -> dict[str, Any]:
    done = len(latencies)
    return {
        "backend": backend,
        "case": case,
        "clients": clients,
        "lines": LINES,
        "orders": done,
        "per_s": round(done / elapsed, 1),
        "p50_ms": round(statistics.median(latencies) * 1000, 2),
        "p99_ms": round(latencies[min(done - 1, int(done * 0.99))] * 1000, 2),
        "statements_per_command": statements,
    }


def _guarded(url: str, backend: str, case: str, clients: int, per_client: int) -> dict[str, Any]:
    """The case's row, or a row saying which crmkit error stopped it."""
    try:
        return run_case(url, backend, case, clients, per_client)
    except CrmkitError as error:
        return {"backend": backend, "case": case, "clients": clients, "error": str(error)}


def _count_statements(url: str, tenant: str, order_ids: list[str], case: str) -> float:
    """SQL statements per command, counted on the engine (a few warm orders)."""
    storage = open_storage(url)
    engine = storage.source  # type: ignore[attr-defined]
    counted = {"n": 0}

    def count(*_: object) -> None:
        counted["n"] += 1

    event.listen(engine, "before_cursor_execute", count)
    orders = OrderService(lambda: storage.unit_of_work(TenantId(tenant)), SystemClock())
    left = _left(orders, order_ids, case)
    counted["n"] = 0
    try:
        for order_id in order_ids:
            _command(orders, order_id, case, left)
    finally:
        event.remove(engine, "before_cursor_execute", count)
        storage.close()
    return counted["n"] / len(order_ids)


@contextmanager
def _fresh(url: str) -> Iterator[str]:
    fresh_sql_database(url).dispose()
    yield url


def main() -> None:
    """Parse the arguments and print one JSON object per case."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--postgres")
    parser.add_argument("--mariadb")
    parser.add_argument("--mongo")
    parser.add_argument("--no-mongo", action="store_true", help="leave MongoDB out")
    parser.add_argument("--orders", type=int, default=60, help="orders per client")
    args = parser.parse_args()
    with ExitStack() as stack, tempfile.TemporaryDirectory() as folder:
        targets: dict[str, str] = {
            "memory": "memory://",
            "sqlite": f"sqlite:///{Path(folder) / 'bench.db'}",
        }
        if args.postgres:
            targets["postgres"] = stack.enter_context(_fresh(args.postgres))
        if args.mariadb:
            targets["mariadb"] = stack.enter_context(_fresh(args.mariadb))
        if not args.no_mongo:
            if args.mongo:
                targets["mongo"] = args.mongo
            else:
                server = stack.enter_context(mongo_server())
                targets["mongo"] = server.replace("/?", "/crmkit_bench?")
        for backend, url in targets.items():
            open_storage(url, upgrade_schema=True).close()
            process_counts = (1,) if backend == "memory" else (1, 4)
            for clients in process_counts:
                rows = {}
                for case in CASES:
                    rows[case] = _guarded(url, backend, case, clients, args.orders)
                    print(json.dumps(rows[case]), flush=True)
                if backend == "postgres":
                    base = run_case(url, "postgres-psycopg", "baseline", clients, args.orders)
                    base["case"] = "confirm"
                    base["statements_per_command"] = BASELINE_STATEMENTS
                    if "per_s" in rows["confirm"]:
                        ratio = rows["confirm"]["per_s"] / base["per_s"]
                        base["crmkit_per_s_over_baseline"] = round(ratio, 3)
                    print(json.dumps(base), flush=True)


if __name__ == "__main__":
    main()
