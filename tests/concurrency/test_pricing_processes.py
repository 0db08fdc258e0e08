"""Quote conversion from several OS processes, each with its own storage, on the servers."""

from __future__ import annotations

import multiprocessing
from concurrent.futures import ProcessPoolExecutor
from datetime import timedelta
from decimal import Decimal

import pytest

from crmkit import open_storage
from crmkit.adapters.clock import FixedClock
from crmkit.adapters.mongo import MongoStorage
from crmkit.domain import ConcurrencyConflict, TenantId
from crmkit.domain.quote import ConversionExceedsRemaining, QuoteId
from crmkit.services import Storage
from crmkit.services.quotes import QuoteService
from crmkit.testing.contracts.pricing_support import PricedWorld
from crmkit.testing.contracts.support import T0
from tests.backends import MARIADB_URL, POSTGRES_URL

PROCESSES = 6
TIMEOUT = 120


def convert_in_a_process(url: str, tenant: str, quote_id: str, key: str) -> tuple[str, str]:
    """Open the storage afresh and convert 2 units of line 1 under ``key``."""
    storage = open_storage(url)
    try:
        service = QuoteService(
            lambda: storage.unit_of_work(TenantId(tenant)), FixedClock(T0 + timedelta(days=1))
        )
        try:
            order = service.convert_to_order(
                QuoteId(quote_id), request_key=key, quantities={1: Decimal(2)}
            )
        except ConversionExceedsRemaining:
            return key, "refused"
        except ConcurrencyConflict:
            return key, "conflict"
        return key, order.id
    finally:
        storage.close()


def race(storage: Storage, url: str) -> None:
    """Six processes convert 2 of 5 units: three share a key, three use their own."""
    world = PricedWorld.make(storage, products=1)
    world.price_list("General", 1, ["19.99"])
    quote = world.accepted_quote(["5"])
    keys = ["shared", "shared", "shared", "own-1", "own-2", "own-3"]
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=PROCESSES, mp_context=context) as pool:
        futures = [
            pool.submit(convert_in_a_process, url, world.tenant, quote.id, key) for key in keys
        ]
        results = [future.result(timeout=TIMEOUT) for future in futures]
    stored, orders = world.snapshot(quote)
    succeeded = {key: result for key, result in results if result not in {"refused", "conflict"}}
    assert all(result != "conflict" for _, result in results)
    assert len({result for key, result in results if key == "shared"}) == 1
    assert {o.id for o in orders} == set(succeeded.values())
    assert len(orders) == len(succeeded) == 2
    assert stored.line(1).converted_quantity == sum(o.lines[0].quantity for o in orders)
    assert stored.line(1).converted_quantity <= stored.line(1).quantity
    assert all(o.lines[0].unit_price == Decimal("19.99") for o in orders)


class TestConversionAcrossProcesses:
    """Processes racing to convert one quote: no over-conversion, one order per key."""

    @pytest.mark.postgres
    def test_on_postgres(self, postgres_storage: Storage) -> None:
        """PostgreSQL: the invariants hold after six processes race."""
        race(postgres_storage, POSTGRES_URL)

    @pytest.mark.mariadb
    def test_on_mariadb(self, mariadb_storage: Storage) -> None:
        """MariaDB: the invariants hold after six processes race."""
        race(mariadb_storage, MARIADB_URL)

    @pytest.mark.mongo
    def test_on_mongo(self, mongo_storage: MongoStorage, mongo_url: str) -> None:
        """MongoDB: the invariants hold after six processes race."""
        url = mongo_url.replace("/?", f"/{mongo_storage.database.name}?", 1)
        race(mongo_storage, url)
