"""Orders across OS processes: racing commands apply exactly once, and workers killed with
SIGKILL mid-command leave nothing partial (PostgreSQL, MariaDB, MongoDB, SQLite file)."""

from __future__ import annotations

import multiprocessing
import os
import random
import signal
import time
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest

from crmkit import open_storage
from crmkit.domain import Money, ProductId, new_id
from crmkit.domain.pricing import PricingCustomer
from crmkit.domain.sales_order import SalesOrder, SalesOrderId, SalesOrderStatus
from crmkit.services import Storage
from crmkit.services.orders import OrderLineInput
from crmkit.testing.order_support import OrderWorld, check_world, open_world
from tests.backends import MARIADB_URL, POSTGRES_URL
from tests.concurrency.order_workers import (
    OrderJob,
    crash_worker,
    order_racer,
    unrelated_confirmer,
)

PROCESSES = 4
ORDERS_PER_WORKER = 6
TIMEOUT_S = 300
SPAWN_S = 4.0
STOCK = (("4", "40", "40"), ("2", "40", "40"))
"""Hot product 0 has 6 units for 24 orders of 1-2 units each: confirms compete for it."""
PLENTY = (("100000", "100000", "100000"),)
UNRELATED_PER_WORKER = 8
THOROUGH = os.environ.get("HYPOTHESIS_PROFILE") == "thorough"
SQL_KILLS = 20
MONGO_KILLS = 10 if THOROUGH else 5
"""A killed transaction keeps its MongoDB test server documents locked for about 60 s, so
every MongoDB kill gets a tenant (and documents) of its own."""


def _server(request: pytest.FixtureRequest, kind: str) -> Iterator[str]:
    if kind == "postgres":
        request.getfixturevalue("postgres_storage")  # drops and migrates the database
        yield POSTGRES_URL
    elif kind == "mariadb":
        request.getfixturevalue("mariadb_storage")
        yield MARIADB_URL
    elif kind == "sqlite":
        folder: Path = request.getfixturevalue("tmp_path")
        yield f"sqlite:///{folder / 'orders.db'}"
    else:
        base: str = request.getfixturevalue("mongo_url")
        yield base.replace("/?", f"/crmkit_orders_{new_id()[:8]}?")


@pytest.fixture(
    params=[
        pytest.param("postgres", marks=pytest.mark.postgres),
        pytest.param("mariadb", marks=pytest.mark.mariadb),
        pytest.param("mongo", marks=pytest.mark.mongo),
    ]
)
def server_url(request: pytest.FixtureRequest) -> Iterator[str]:
    """A migrated server database that child processes open themselves."""
    yield from _server(request, request.param)


@pytest.fixture(
    params=[
        pytest.param("sqlite", marks=pytest.mark.sqlite),
        pytest.param("postgres", marks=pytest.mark.postgres),
        pytest.param("mariadb", marks=pytest.mark.mariadb),
        pytest.param("mongo", marks=pytest.mark.mongo),
    ]
)
def crash_url(request: pytest.FixtureRequest) -> Iterator[tuple[str, str]]:
    """A database for the crash test, with its kind."""
    for url in _server(request, request.param):
        yield request.param, url


def _draft_orders(world: OrderWorld, count: int, rng: random.Random) -> list[str]:
    made: list[str] = []
    for _ in range(count):
        lines = [rng.randint(1, 2), rng.choice([0, 1]), rng.choice([0, 1])]
        made.append(world.order(*lines).id)
    return made


class TestOrdersAcrossProcesses:
    """Racing order commands on hot products and one account keep every invariant."""

    def test_racing_commands_apply_exactly_once(self, server_url: str) -> None:
        """Four processes confirm, deliver, return, cancel and close 24 orders."""
        storage: Storage = open_storage(server_url, upgrade_schema=True)
        try:
            world = open_world(storage, stock=STOCK, prepayment="180.00")
            rng = random.Random(7)
            drafts = _draft_orders(world, PROCESSES * ORDERS_PER_WORKER, rng)
            shares = [drafts[w::PROCESSES] for w in range(PROCESSES)]
            products: list[str] = [p.id for p in world.products]
            start_at = time.time() + SPAWN_S
            context = multiprocessing.get_context("spawn")
            with context.Pool(PROCESSES) as pool:
                jobs = [
                    OrderJob(server_url, world.tenant, products, share, w, start_at)
                    for w, share in enumerate(shares)
                ]
                acknowledged = [
                    c for done in pool.map_async(order_racer, jobs).get(TIMEOUT_S) for c in done
                ]
            state = world.state()
            check_world(state)
            by_id: dict[str, SalesOrder] = {o.id: o for o in state.orders}
            confirms = {o for o, name, _ in acknowledged if name == "confirm"}
            assert confirms, "no order was confirmed"
            for order_id in drafts:
                order = by_id[order_id]
                mine = [name for o, name, _ in acknowledged if o == order_id]
                kinds = [d.kind for d in order.documents]
                assert kinds.count("delivery_note") == mine.count("deliver")
                assert kinds.count("return_order") == mine.count("return")
                confirmed = order.status is not SalesOrderStatus.DRAFT
                assert confirmed == ("confirm" in mine), order.number
                if "cancel" in mine:
                    assert order.status is SalesOrderStatus.CANCELLED
                if "close" in mine:
                    assert order.status is SalesOrderStatus.CLOSED
            stock_in = sum(Decimal(q) for row in STOCK for q in row)
            on_hand = sum((x.on_hand for x in state.levels), Decimal(0))
            shipped = sum((r.shipped for r in state.reservations), Decimal(0))
            returned = sum((x.returned for o in state.orders for x in o.lines), Decimal(0))
            assert on_hand + shipped - returned == stock_in
            events = state.events
            for order_id in drafts:  # one order's events in the order they happened
                names = [e.name for e in events if e.aggregate_id == order_id]
                if "sales_order.confirmed" in names:
                    assert names.index("sales_order.funds_held") < names.index(
                        "sales_order.confirmed"
                    )
        finally:
            storage.close()


class TestUnrelatedConfirmsInOneTenant:
    """Confirms of unrelated orders share only the tenant's outbox: none redoes its work."""

    def test_each_confirm_runs_once_and_all_succeed(self, server_url: str) -> None:
        """Four processes confirm orders of their own customers and products."""
        storage: Storage = open_storage(server_url, upgrade_schema=True)
        try:
            world = open_world(
                storage, stock=(("100000",) * PROCESSES,), prepayment="0", products=PROCESSES
            )
            shares: list[list[str]] = []
            accounts: list[str] = []
            for w, product in enumerate(world.products):
                customer = PricingCustomer(f"C-UNRELATED-{w}")
                account = world.accounts.open_account(customer.account_id, "CNY")
                world.accounts.deposit(account.id, Money(Decimal(1000), "CNY"), key=new_id())
                accounts.append(account.id)
                line = OrderLineInput(ProductId(product.id), 1)
                shares.append(
                    [
                        world.orders.create_order(
                            customer, [line], currency="CNY", key=new_id()
                        ).order.id
                        for _ in range(UNRELATED_PER_WORKER)
                    ]
                )
            start_at = time.time() + SPAWN_S
            with multiprocessing.get_context("spawn").Pool(PROCESSES) as pool:
                jobs = [
                    OrderJob(server_url, world.tenant, [], share, w, start_at)
                    for w, share in enumerate(shares)
                ]
                runs = pool.map_async(unrelated_confirmer, jobs).get(TIMEOUT_S)
            # On MongoDB a confirm used to conflict on the outbox counter at its very end
            # and run again; the counter is now claimed first, so the work runs once.
            assert runs == [UNRELATED_PER_WORKER] * PROCESSES
            state = world.state()
            statuses: dict[str, SalesOrderStatus] = {o.id: o.status for o in state.orders}
            assert all(statuses[o] is SalesOrderStatus.CONFIRMED for s in shares for o in s)
            positions = [e.position for e in state.events]
            assert positions == list(range(1, len(positions) + 1)), "outbox positions"
            with storage.unit_of_work(world.tenant) as uow:
                for account_id, share in zip(accounts, shares, strict=True):
                    for order_id in share:
                        assert uow.holds.of_order(account_id, SalesOrderId(order_id))
                        assert uow.reservations.for_order(SalesOrderId(order_id), open_only=True)
        finally:
            storage.close()


class TestOrdersSurviveKilledWorkers:
    """Workers killed with SIGKILL during confirms and deliveries leave nothing partial."""

    def test_killed_workers_leave_no_partial_order(self, crash_url: tuple[str, str]) -> None:
        """Kill workers at random moments; every order is whole: holds, stock and money."""
        kind, url = crash_url
        storage: Storage = open_storage(url, upgrade_schema=True)
        context = multiprocessing.get_context("spawn")
        rng = random.Random(11)
        kills = MONGO_KILLS if kind == "mongo" else SQL_KILLS
        per_round = kills if kind == "mongo" else 4
        worlds: list[OrderWorld] = []
        try:
            shared = (
                None
                if kind == "mongo"
                else open_world(storage, stock=PLENTY, prepayment="900000.00")
            )
            killed = 0
            while killed < kills:
                workers = []
                for _ in range(min(per_round, kills - killed)):
                    world = shared or open_world(storage, stock=PLENTY, prepayment="900000.00")
                    if world not in worlds:
                        worlds.append(world)
                    ready, delivered = context.Event(), context.Event()
                    products = [p.id for p in world.products]
                    process = context.Process(
                        target=crash_worker, args=(url, world.tenant, products, ready, delivered)
                    )
                    process.start()
                    workers.append((process, ready, delivered))
                for _, ready, _ in workers:
                    assert ready.wait(180), "a worker did not start"
                for process, _, delivered in workers:
                    # each world sees at least one delivery whatever the machine's load;
                    # the kill then falls at a random moment of a later order
                    assert delivered.wait(180), "a worker delivered nothing"
                    time.sleep(rng.uniform(0.05, 0.6))
                    assert process.is_alive(), f"worker exited with {process.exitcode}"
                    assert process.pid is not None
                    os.kill(process.pid, signal.SIGKILL)
                    process.join(10)
                    assert process.exitcode == -signal.SIGKILL
                    killed += 1
            for world in worlds:
                state = world.state()
                check_world(state)
                assert any(o.documents for o in state.orders), "no delivery got through"
        finally:
            storage.close()
