"""Several OS processes hold against one customer account at once (PostgreSQL, MariaDB, MongoDB).

Each process opens its own storage with ``crmkit.open_storage(url)`` and places, posts and
voids holds on the same account. At the end the account was never overdrawn, no entry
was lost, and the stored balances equal the journal.
"""

from __future__ import annotations

import multiprocessing
import time
from decimal import Decimal
from typing import Any

from crmkit import open_storage
from crmkit.domain import TenantId
from crmkit.domain.account_errors import InsufficientFunds
from crmkit.domain.accounts import EntryKind, Fund, HoldStatus
from crmkit.domain.deduction import DeductionPolicy, OrderLine
from crmkit.services import Storage
from crmkit.testing.ledger import account_state, accounts_service, check_ledger, cny
from crmkit.testing.tenants import fresh_tenant

PROCESSES = 4
ORDERS_PER_PROCESS = 8
ORDER = Decimal(9)
DEPOSIT = Decimal(100)
CREDIT = Decimal(50)
TIMEOUT_S = 120


def _worker(
    url: str, tenant: str, account_id: str, worker: int, start: Any
) -> tuple[int, int, float, float]:
    """Place holds for this worker's orders; deliver every other one in two parts, void the rest."""
    storage = open_storage(url)
    try:
        service = accounts_service(storage, TenantId(tenant))
        placed = refused = 0
        start.wait(TIMEOUT_S)
        began = time.monotonic()
        for n in range(ORDERS_PER_PROCESS):
            order = f"SO-{worker}-{n}"
            try:
                service.place_holds(
                    account_id,
                    order,
                    cny(ORDER),
                    [OrderLine("P1", "tea", cny(ORDER))],
                    key=f"hold-{order}",
                )
            except InsufficientFunds:
                refused += 1
                continue
            placed += 1
            if n % 2 == 0:
                service.post_delivery(account_id, order, cny(4), key=f"post-{order}")
                service.post_delivery(account_id, order, None, key=f"last-{order}", final=True)
            else:
                service.void_order(account_id, order, key=f"void-{order}")
        return placed, refused, began, time.monotonic()
    finally:
        storage.close()


class TestConcurrentHoldsOnOneAccount:
    """Processes racing on one account never overdraw it and lose nothing."""

    def test_processes_holding_at_once_keep_the_ledger_balanced(
        self, backend: tuple[str, Storage]
    ) -> None:
        """4 processes x 8 orders against 100 prepayment + 50 credit: invariants hold."""
        url, storage = backend
        tenant = fresh_tenant()
        service = accounts_service(storage, tenant)
        account = service.open_account("C1", "CNY")
        service.deposit(account.id, cny(DEPOSIT), key="deposit")
        service.set_credit_limit(account.id, cny(CREDIT), key="limit")
        service.set_account_policy(account.id, DeductionPolicy())
        context = multiprocessing.get_context("spawn")
        with context.Manager() as manager, context.Pool(PROCESSES) as pool:
            start = manager.Barrier(PROCESSES)
            runs = [
                pool.apply_async(_worker, (url, tenant, account.id, worker, start))
                for worker in range(PROCESSES)
            ]
            results = [run.get(timeout=TIMEOUT_S) for run in runs]
        placed = sum(r[0] for r in results)
        assert placed + sum(r[1] for r in results) == PROCESSES * ORDERS_PER_PROCESS
        assert max(r[2] for r in results) < min(r[3] for r in results), "runs did not overlap"
        state = account_state(storage, tenant, account.id)
        check_ledger(state)
        holds = state.holds
        assert len({h.order_id for h in holds}) == placed
        assert all(h.status is HoldStatus.RESOLVED for h in holds)
        posted = sum((h.posted for h in holds), Decimal(0))
        account_now = state.account
        assert account_now.prepayment_balance + account_now.credit_balance == (
            DEPOSIT + CREDIT - posted
        )
        assert account_now.prepayment_balance >= 0
        assert account_now.credit_used <= account_now.credit_limit
        hold_entries = [e for e in state.entries if e.kind is EntryKind.HOLD]
        assert sum((e.held_delta for e in hold_entries), Decimal(0)) == placed * ORDER
        assert {e.fund for e in hold_entries} <= {Fund.PREPAYMENT, Fund.CREDIT}
