"""What each OS process of the concurrency tests runs (importable for 'spawn')."""

from __future__ import annotations

import random
import time
from decimal import Decimal

import attrs

from crmkit import SystemClock, open_storage
from crmkit.domain import ProductId, TenantId
from crmkit.domain.inventory import InsufficientStock, ShortagePolicy
from crmkit.services.inventory import InventoryService, ReservationRequest


@attrs.frozen
class Job:
    """One worker's share: its number, the storage URL, the tenant and hot products."""

    url: str
    tenant: str
    products: list[str]
    worker: int
    orders: int
    start_at: float
    """Epoch seconds at which every worker starts, so that they race."""


def shopper(job: Job) -> dict[str, int]:
    """Place ``job.orders`` orders of two hot-product lines each (in random line order),
    then ship or release some of them. Returns what happened; any other error propagates."""
    storage = open_storage(job.url)
    time.sleep(max(0.0, job.start_at - time.time()))
    rng = random.Random(job.worker)
    products, worker, orders, tenant = job.products, job.worker, job.orders, job.tenant
    outcome = {"reserved": 0, "short": 0, "partial": 0, "shipped": 0, "released": 0}
    try:
        inventory = InventoryService(lambda: storage.unit_of_work(TenantId(tenant)), SystemClock())
        for n in range(orders):
            order = f"O-{worker}-{n}"
            chosen = rng.sample(products, 2)
            lines = [
                ReservationRequest(f"L{i}", ProductId(pid), Decimal(rng.randint(1, 3)))
                for i, pid in enumerate(chosen)
            ]
            policy = rng.choice(list(ShortagePolicy))
            try:
                result = inventory.reserve(order, lines, key=f"k-{order}", policy=policy)
            except InsufficientStock:
                outcome["short"] += 1
                continue
            outcome["partial" if result.backorders else "reserved"] += 1
            if result.reservations and rng.random() < 0.4:
                first = result.reservations[0]
                inventory.ship(order, [(first.id, first.quantity)], key=f"s-{order}")
                outcome["shipped"] += 1
            elif result.reservations and rng.random() < 0.5:
                inventory.release_order(order, key=f"r-{order}")
                outcome["released"] += 1
        return outcome
    finally:
        storage.close()
