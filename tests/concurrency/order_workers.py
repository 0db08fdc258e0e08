"""What each OS process of the order concurrency and crash tests runs (importable for
'spawn')."""

from __future__ import annotations

import random
import time
from typing import Any

import attrs

from crmkit import SystemClock, open_storage
from crmkit.domain import CrmkitError, ProductId, TenantId, new_id
from crmkit.domain.pricing import PricingCustomer
from crmkit.services.orders import OrderLineInput, OrderService


@attrs.frozen
class OrderJob:
    """One worker's share of a race on one tenant's hot products and account."""

    url: str
    tenant: str
    products: list[str]
    orders: list[str]
    worker: int
    start_at: float


def order_racer(job: OrderJob) -> list[tuple[str, str, str]]:
    """Confirm, deliver, return or cancel each of ``job.orders`` in a random way; each
    command is sent twice under one key (a retry). Returns the acknowledged commands as
    (order id, command, key); refusals are expected (stock or funds run out)."""
    storage = open_storage(job.url)
    orders = OrderService(lambda: storage.unit_of_work(TenantId(job.tenant)), SystemClock())
    rng = random.Random(job.worker)
    time.sleep(max(0.0, job.start_at - time.time()))
    done: list[tuple[str, str, str]] = []

    def run(order_id: str, name: str, action: Any) -> bool:
        key = f"{name}-{order_id}-{new_id()[:6]}"
        try:
            action(key)
            action(key)  # the retry returns the first result, never applies twice
        except CrmkitError as error:
            if error.code in {"concurrency_conflict", "storage"}:
                raise
            return False
        done.append((order_id, name, key))
        return True

    try:
        for order_id in job.orders:
            if not run(order_id, "confirm", lambda k, o=order_id: orders.confirm(o, key=k)):
                continue
            choice = rng.random()
            if choice < 0.2:
                run(order_id, "cancel", lambda k, o=order_id: orders.cancel(o, key=k))
                continue
            if run(order_id, "deliver", lambda k, o=order_id: orders.deliver(o, {1: 1}, key=k)):
                if choice < 0.5:
                    warehouse = storage_warehouse(storage, job.tenant)
                    run(
                        order_id,
                        "return",
                        lambda k, o=order_id, w=warehouse: orders.return_goods(
                            o, {1: 1}, warehouse_id=w, sellable=True, key=k
                        ),
                    )
                run(order_id, "close", lambda k, o=order_id: orders.close(o, key=k))
    finally:
        storage.close()
    return done


def storage_warehouse(storage: Any, tenant: str) -> str:
    """The tenant's first warehouse by priority."""
    with storage.unit_of_work(TenantId(tenant)) as uow:
        warehouse: str = min(uow.warehouses.list_all(), key=lambda w: w.priority).id
        return warehouse


def crash_worker(url: str, tenant: str, products: list[str], ready: Any, delivered: Any) -> None:
    """Create, confirm and deliver small orders forever (until killed with SIGKILL);
    ``delivered`` is set once the first delivery is committed."""
    storage = open_storage(url)
    orders = OrderService(lambda: storage.unit_of_work(TenantId(tenant)), SystemClock())
    rng = random.Random()
    ready.set()
    while True:
        line = OrderLineInput(ProductId(rng.choice(products)), rng.randint(1, 3))
        made = orders.create_order(PricingCustomer("C-ACME"), [line], currency="CNY", key=new_id())
        orders.confirm(made.order.id, key=new_id())
        orders.deliver(made.order.id, {1: 1}, key=new_id())
        delivered.set()


def unrelated_confirmer(job: OrderJob) -> int:
    """Confirm each of ``job.orders`` (unrelated to the other workers' orders); returns how
    many times a confirm's work ran (a run that conflicts at its end runs again)."""
    import crmkit.services.order_confirming as service  # noqa: PLC0415 -- patched here only

    runs = [0]
    confirm = vars(service)["confirm_order"]

    def counted(*args: Any, **kwargs: Any) -> Any:
        runs[0] += 1
        return confirm(*args, **kwargs)

    vars(service)["confirm_order"] = counted
    storage = open_storage(job.url)
    orders = OrderService(lambda: storage.unit_of_work(TenantId(job.tenant)), SystemClock())
    time.sleep(max(0.0, job.start_at - time.time()))
    try:
        for order_id in job.orders:
            orders.confirm(order_id, key=new_id())
    finally:
        storage.close()
        vars(service)["confirm_order"] = confirm
    return runs[0]
