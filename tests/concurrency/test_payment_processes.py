"""Processes allocate the same payments to the same orders at once (PostgreSQL, MariaDB, MongoDB).

Four processes race to allocate two payments over three credit-sale orders, in small parts,
until the orders or the payments are exhausted. Afterwards no payment is allocated beyond
its amount, no order received beyond its open amount, every allocation is in the order's
receipts exactly once, and the credit repaid matches the account's journal.
"""

from __future__ import annotations

import multiprocessing
import time
from decimal import Decimal
from typing import Any

from crmkit import open_storage
from crmkit.adapters.clock import SystemClock
from crmkit.bootstrap import Crm
from crmkit.domain import Money, TenantId
from crmkit.domain.receivables.errors import AllocationExceedsOpenAmount, AllocationExceedsPayment
from crmkit.domain.receivables.payments import ORDER_RECEIPTS, PAYMENTS
from crmkit.services import Storage
from crmkit.testing.contracts.payments import PAID_ON
from crmkit.testing.ledger import account_state, check_ledger
from crmkit.testing.order_support import CUSTOMER, open_world

PROCESSES = 4
ATTEMPTS = 12
PAYMENT = Decimal("40.00")
PARTS = (Decimal("3.00"), Decimal("1.30"), Decimal("0.20"))
TIMEOUT_S = 180


def _worker(
    url: str, tenant: str, targets: tuple[list[str], list[str]], worker: int, start: Any
) -> tuple[int, int, float, float]:
    """Allocate parts of both payments to the orders in turn; count what was refused."""
    payments, orders = targets
    storage = open_storage(url)
    try:
        service = Crm(storage, SystemClock()).tenant(tenant).payments
        done = refused = 0
        start.wait(TIMEOUT_S)
        began = time.monotonic()
        for n in range(ATTEMPTS):
            payment = payments[(worker + n) % len(payments)]
            order = orders[(worker + n) % len(orders)]
            part = PARTS[n % len(PARTS)]
            try:
                service.allocate(payment, {order: part}, key=f"alloc-{worker}-{n}")
                done += 1
            except (AllocationExceedsOpenAmount, AllocationExceedsPayment):
                refused += 1
        return done, refused, began, time.monotonic()
    finally:
        storage.close()


class TestConcurrentAllocation:
    """Processes allocating the same payments to the same orders never over-allocate."""

    def test_racing_allocations_stay_within_payments_and_open_amounts(
        self, backend: tuple[str, Storage]
    ) -> None:
        """4 processes x 12 allocations of 2 x 40.00 over 3 orders of 22.60 each."""
        url, storage = backend
        world = open_world(storage, prepayment="0", credit_limit="10000.00")
        orders = []
        for _ in range(3):
            order = world.confirmed(2).order
            orders.append(world.orders.deliver(order.id, {1: 2}, key=f"d-{order.id}").order)
        service = Crm(storage, SystemClock()).tenant(world.tenant).payments
        payments = [
            service.record_payment(
                CUSTOMER.account_id, Money(PAYMENT, "CNY"), method="bank",
                received_on=PAID_ON, reference=f"BANK-{n}", key=f"pay-{n}",
            ).id
            for n in range(2)
        ]  # fmt: skip
        used_before = account_state(storage, world.tenant, world.account_id).account.credit_used
        context = multiprocessing.get_context("spawn")
        order_ids = [o.id for o in orders]
        with context.Manager() as manager, context.Pool(PROCESSES) as pool:
            start = manager.Barrier(PROCESSES)
            runs = [
                pool.apply_async(_worker, (url, world.tenant, (payments, order_ids), worker, start))
                for worker in range(PROCESSES)
            ]
            results = [run.get(timeout=TIMEOUT_S) for run in runs]
        assert max(r[2] for r in results) < min(r[3] for r in results), "runs did not overlap"
        done = sum(r[0] for r in results)
        assert done + sum(r[1] for r in results) == PROCESSES * ATTEMPTS
        with storage.unit_of_work(TenantId(world.tenant)) as uow:
            stored = uow.records(PAYMENTS).get_many(payments)
            receipts = uow.records(ORDER_RECEIPTS).get_many(order_ids)
        allocations = [a for p in stored.values() for a in p.allocations]
        assert len(allocations) == done
        for payment in stored.values():
            assert payment.allocated <= payment.amount
        for order in orders:
            received = sum((a.amount for a in allocations if a.order_id == order.id), Decimal(0))
            got = receipts[order.id].received if order.id in receipts else Decimal(0)
            assert received == got
            assert received <= order.totals().gross
        repaid = sum((a.credit_repaid for a in allocations), Decimal(0))
        state = account_state(storage, world.tenant, world.account_id)
        check_ledger(state)
        assert state.account.credit_used == used_before - repaid
        assert sum((a.amount for a in allocations), Decimal(0)) == repaid
