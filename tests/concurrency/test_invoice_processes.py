"""Processes request invoices for one order and link orders to one contract at once
(PostgreSQL, MariaDB, MongoDB): neither the invoiceable amount nor the contract's amount
is ever exceeded."""

from __future__ import annotations

import contextlib
import multiprocessing
import time
from datetime import date
from decimal import Decimal
from typing import Any

from crmkit import open_storage
from crmkit.adapters.clock import SystemClock
from crmkit.bootstrap import Crm
from crmkit.domain import Money, TenantId
from crmkit.domain.receivables.errors import ContractAmountExceeded, InvoiceExceedsInvoiceable
from crmkit.domain.receivables.invoices import INVOICE_REQUESTS, ORDER_INVOICING
from crmkit.domain.record_query import Equals
from crmkit.services import Storage
from crmkit.testing.order_support import CUSTOMER, open_world

PROCESSES = 4
ATTEMPTS = 6
PART = Decimal("1.30")
TIMEOUT_S = 180


def _worker(
    url: str, tenant: str, targets: tuple[str, str, list[str]], worker: int, start: Any
) -> tuple[int, int, float, float]:
    """Request invoices for the order and link this worker's order to the contract."""
    order_id, contract_id, others = targets
    storage = open_storage(url)
    try:
        shop = Crm(storage, SystemClock()).tenant(tenant)
        done = refused = 0
        start.wait(TIMEOUT_S)
        began = time.monotonic()
        for n in range(ATTEMPTS):
            try:
                shop.invoices.request_invoice(order_id, PART, key=f"inv-{worker}-{n}")
                done += 1
            except InvoiceExceedsInvoiceable:
                refused += 1
        with contextlib.suppress(ContractAmountExceeded):
            shop.contracts.link_order(contract_id, others[worker], key=f"link-{worker}")
        return done, refused, began, time.monotonic()
    finally:
        storage.close()


class TestConcurrentInvoicingAndLinks:
    """Racing requests and links keep within the invoiceable and contract amounts."""

    def test_racing_requests_and_links_stay_within_their_bounds(
        self, backend: tuple[str, Storage]
    ) -> None:
        """4 processes x 6 requests of 1.30 on 22.60 delivered; 4 links of 11.30 into 30.00."""
        url, storage = backend
        world = open_world(storage, prepayment="0", credit_limit="10000.00")
        order = world.confirmed(2).order
        world.orders.deliver(order.id, {1: 2}, key="d")
        others = [world.confirmed(1).order.id for _ in range(PROCESSES)]
        shop = Crm(storage, SystemClock()).tenant(world.tenant)
        today = SystemClock().now().date()
        contract = shop.contracts.create_contract(
            CUSTOMER.account_id, "HT-RACE", Money("30.00", "CNY"),
            valid_from=date(2000, 1, 1), valid_until=today.replace(year=today.year + 1),
            key="contract",
        )  # fmt: skip
        shop.contracts.activate(contract.id, key="activate")
        context = multiprocessing.get_context("spawn")
        with context.Manager() as manager, context.Pool(PROCESSES) as pool:
            start = manager.Barrier(PROCESSES)
            runs = [
                pool.apply_async(
                    _worker, (url, world.tenant, (order.id, contract.id, others), w, start)
                )
                for w in range(PROCESSES)
            ]
            results = [run.get(timeout=TIMEOUT_S) for run in runs]
        assert max(r[2] for r in results) < min(r[3] for r in results), "runs did not overlap"
        done = sum(r[0] for r in results)
        with storage.unit_of_work(TenantId(world.tenant)) as uow:
            requests = (
                uow.records(INVOICE_REQUESTS).find(Equals("order_id", order.id), limit=100).items
            )
            invoicing = uow.records(ORDER_INVOICING).get(order.id)
        assert len(requests) == done == 17
        assert invoicing.requested == PART * done
        linked = shop.contracts.get_contract(contract.id)
        assert len(linked.orders) == 2
        assert linked.committed == Decimal("22.60")
