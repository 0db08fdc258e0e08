"""Several OS processes reserve the same hot products: no overselling, no visible deadlock."""

from __future__ import annotations

import multiprocessing
import time
from collections.abc import Iterator
from decimal import Decimal

import pytest

from crmkit import open_storage
from crmkit.domain import ProductId, new_id
from crmkit.domain.inventory import Reservation, ReservationStatus, StockLevel
from crmkit.services import Storage
from crmkit.testing.inventory_support import check_invariants, open_shop
from tests.backends import MARIADB_URL, POSTGRES_URL
from tests.concurrency.workers import Job, shopper

PROCESSES = 4
ORDERS = 12
RECEIVED = (Decimal(12), Decimal(9), Decimal(7))
TIMEOUT_S = 240
SPAWN_S = 4.0
"""Time for the processes to start and connect before they race."""


@pytest.fixture(
    params=[
        pytest.param("postgres", marks=pytest.mark.postgres),
        pytest.param("mariadb", marks=pytest.mark.mariadb),
        pytest.param("mongo", marks=pytest.mark.mongo),
    ]
)
def server_url(request: pytest.FixtureRequest) -> Iterator[str]:
    """The URL of a migrated database that child processes can open themselves."""
    if request.param == "postgres":
        request.getfixturevalue("postgres_storage")  # drops and migrates the database
        yield POSTGRES_URL
    elif request.param == "mariadb":
        request.getfixturevalue("mariadb_storage")
        yield MARIADB_URL
    else:
        base: str = request.getfixturevalue("mongo_url")
        name = f"crmkit_conc_{new_id()[:8]}"
        yield base.replace("/?", f"/{name}?")


class TestHotProductsAcrossProcesses:
    """Process-level races on real servers keep every inventory invariant."""

    def test_processes_never_oversell_and_never_deadlock(self, server_url: str) -> None:
        """Four processes place two-line orders on three hot products; the books balance."""
        storage: Storage = open_storage(server_url, upgrade_schema=True)
        try:
            shop = open_shop(storage, products=3, warehouses=(1, 2))
            for product, quantity in enumerate(RECEIVED):
                shop.receive(product, product % 2, quantity)
                shop.receive(product, (product + 1) % 2, 1)
            products = [p.id for p in shop.products]
            context = multiprocessing.get_context("spawn")
            start_at = time.time() + SPAWN_S
            with context.Pool(PROCESSES) as pool:
                pending = pool.map_async(
                    shopper,
                    [
                        Job(server_url, shop.tenant, list(products), w, ORDERS, start_at)
                        for w in range(PROCESSES)
                    ],
                )
                outcomes: list[dict[str, int]] = pending.get(timeout=TIMEOUT_S)
            assert len(outcomes) == PROCESSES
            assert sum(o["reserved"] + o["partial"] for o in outcomes) > 0
            assert sum(o["short"] + o["partial"] for o in outcomes) > 0  # demand > supply
            orders = [f"O-{w}-{n}" for w in range(PROCESSES) for n in range(ORDERS)]
            with storage.unit_of_work(shop.tenant) as uow:
                reservations = [
                    r
                    for order in orders
                    for r in uow.reservations.for_order(order, open_only=False)
                ]
                check_invariants(uow, products, [r.id for r in reservations], [])
                levels = uow.stock_levels.for_products(products)
            _books_balance(products, levels, reservations)
        finally:
            storage.close()


def _books_balance(
    products: list[ProductId], levels: list[StockLevel], reservations: list[Reservation]
) -> None:
    """Reserved equals the open reservations; on hand plus shipped equals what came in."""
    for product, received in zip(products, RECEIVED, strict=True):
        mine = [x for x in levels if x.product_id == product]
        taken = [r for r in reservations if r.product_id == product]
        shipped = sum((r.shipped for r in taken), Decimal(0))
        held = sum((r.remaining for r in taken if r.is_open), Decimal(0))
        assert sum((x.reserved for x in mine), Decimal(0)) == held
        assert all(0 <= x.reserved <= x.on_hand for x in mine)
        assert sum((x.on_hand for x in mine), Decimal(0)) + shipped == received + 1
    closed = [r for r in reservations if r.status is not ReservationStatus.OPEN]
    assert all(r.remaining == 0 for r in closed)
