"""A database restarted under load: no acknowledged write lost, only crmkit errors, recovery.

Each server is a throw-away one of its own (see ``servers.py``), so restarting it disturbs
no other test. Writer processes create products while the server is restarted twice, once
cleanly (``fast``: sessions are rolled back and disconnected) and once like a crash
(``immediate``); the storage the test opened before the restarts must serve afterwards.
"""

from __future__ import annotations

import multiprocessing
import time
from collections import Counter
from collections.abc import Iterator
from multiprocessing.queues import Queue
from multiprocessing.sharedctypes import Synchronized
from multiprocessing.synchronize import Event
from typing import Any

import attrs
import pytest

from crmkit import open_crm
from crmkit.adapters.clock import FixedClock
from crmkit.domain import CrmkitError, TenantId
from crmkit.testing import fresh_tenant
from crmkit.testing.contracts.support import T0
from tests.reliability.servers import RestartableServer, throwaway_mariadb, throwaway_postgres

WRITERS = 3
PROGRESS_TIMEOUT = 20.0
WritesAndErrors = tuple[list[str], dict[str, int], list[str]]


@attrs.frozen
class Shared:
    """What the test and its writer processes share."""

    stop: Event
    progress: Synchronized[int]
    ready: Synchronized[int]
    results: Queue[WritesAndErrors]


def write_products(url: str, tenant: TenantId, prefix: str, shared: Shared) -> None:
    """In a fresh process: create products until told to stop; report what was acknowledged."""
    crm = open_crm(url, clock=FixedClock(T0))
    catalog = crm.tenant(tenant).catalog
    with shared.ready.get_lock():
        shared.ready.value += 1
    acknowledged: list[str] = []
    errors: Counter[str] = Counter()
    foreign: list[str] = []
    number = 0
    while not shared.stop.is_set():
        sku = f"{prefix}-{number}"
        number += 1
        try:
            catalog.create_product(sku=sku, name="Under load", unit="pcs", tax_rate="0.13")
        except CrmkitError as error:
            errors[type(error).__name__] += 1
            time.sleep(0.01)
            continue
        except Exception as error:
            foreign.append(f"{type(error).__module__}.{type(error).__name__}: {error}"[:300])
            time.sleep(0.01)
            continue
        acknowledged.append(sku)
        with shared.progress.get_lock():
            shared.progress.value += 1
    crm.close()
    shared.results.put((acknowledged, dict(errors), foreign))


def _wait_for(counter: Synchronized[int], at_least: int) -> None:
    deadline = time.monotonic() + PROGRESS_TIMEOUT
    while counter.value < at_least:
        assert time.monotonic() < deadline, f"writers stalled at {counter.value}"
        time.sleep(0.02)


def _all_skus(crm: Any, tenant: TenantId) -> set[str]:
    catalog = crm.tenant(tenant).catalog
    skus: set[str] = set()
    cursor = None
    while True:
        page = catalog.list_products(cursor=cursor, limit=500)
        skus.update(product.sku for product in page.items)
        cursor = page.next_cursor
        if cursor is None:
            return skus


@pytest.fixture(
    params=[
        pytest.param(throwaway_postgres, marks=pytest.mark.postgres, id="postgres"),
        pytest.param(throwaway_mariadb, marks=pytest.mark.mariadb, id="mariadb"),
    ]
)
def server(request: pytest.FixtureRequest) -> Iterator[RestartableServer]:
    with request.param() as running:
        yield running


class TestRestartUnderLoad:
    """A restart mid-load is survived by writers and by an already open storage."""

    def test_no_acknowledged_write_is_lost(self, server: RestartableServer) -> None:
        """Writers see only crmkit errors, lose no acknowledged product and carry on."""
        crm = open_crm(server.url, clock=FixedClock(T0), upgrade_schema=True)
        tenant = fresh_tenant()
        crm.tenant(tenant).catalog.create_product(
            sku="before", name="Before the restarts", unit="pcs", tax_rate="0"
        )
        context = multiprocessing.get_context("spawn")
        shared = Shared(
            context.Event(), context.Value("i", 0), context.Value("i", 0), context.Queue()
        )
        progress = shared.progress
        writers = [
            context.Process(target=write_products, args=(server.url, tenant, f"w{n}", shared))
            for n in range(WRITERS)
        ]
        for writer in writers:
            writer.start()
        try:
            _wait_for(shared.ready, WRITERS)
            _wait_for(progress, 20)
            server.restart("fast")
            _wait_for(progress, progress.value + 20)
            server.restart("immediate")
            _wait_for(progress, progress.value + 20)
        finally:
            shared.stop.set()
            reports = [shared.results.get(timeout=60) for _ in writers]
            for writer in writers:
                writer.join(timeout=30)
        try:
            stored = _all_skus(crm, tenant)  # the storage opened before the restarts
        finally:
            crm.close()
        acknowledged = [sku for done, _, _ in reports for sku in done]
        errors = sum((Counter(seen) for _, seen, _ in reports), Counter[str]())
        foreign = [text for _, _, found in reports for text in found]
        print(f"restart: {len(acknowledged)} acknowledged writes, errors seen {dict(errors)}")  # noqa: T201 - figures for the log
        assert foreign == []
        assert set(errors) <= {"StorageUnavailable"}, errors
        assert set(acknowledged) <= stored
        assert "before" in stored
