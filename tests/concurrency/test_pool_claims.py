"""Reps claiming from one pool in several OS processes at once (PostgreSQL, MariaDB, MongoDB).

Two processes claim as rep A and two as rep B, all over the same customers in different
orders. Every claim updates the rep's pool seat under its optimistic version, so at the
end each rep owns exactly the pool's limit, no customer has two owners, and the history
holds one claim per owned customer. Sweeps racing each other and claims of overdue
customers write each auto-return exactly once.
"""

from __future__ import annotations

import multiprocessing
import random
import time
from datetime import datetime, timedelta
from typing import Any

from crmkit import FixedClock, SystemClock, open_storage
from crmkit.domain import ConcurrencyConflict, TenantId
from crmkit.domain.front_office.errors import ClaimLimitReached, NotInPool
from crmkit.domain.front_office.pools import PoolAction
from crmkit.services import Storage
from crmkit.services.front_office.pools import PoolService
from crmkit.testing.front_office import add_reps, customer_pool, office, pool_state

PROCESSES = 4
CUSTOMERS = 12
LIMIT = 4
TIMEOUT_S = 120


def _claimer(
    job: tuple[str, str, str, list[str], int], start: Any
) -> tuple[dict[str, int], float, float]:
    """Try to claim every customer (in this worker's order); count what happened."""
    url, tenant, user_id, customer_ids, worker = job
    storage = open_storage(url)
    try:
        pools = PoolService(lambda: storage.unit_of_work(TenantId(tenant)), SystemClock())
        order = list(customer_ids)
        random.Random(worker).shuffle(order)
        outcome = {"claimed": 0, "limit": 0, "taken": 0, "conflict": 0}
        start.wait(TIMEOUT_S)
        began = time.monotonic()
        for customer_id in order:
            try:
                pools.claim("SH", customer_id, user_id=user_id)
                outcome["claimed"] += 1
            except ClaimLimitReached:
                outcome["limit"] += 1
            except NotInPool:
                outcome["taken"] += 1
            except ConcurrencyConflict:
                outcome["conflict"] += 1
        return outcome, began, time.monotonic()
    finally:
        storage.close()


class TestConcurrentClaims:
    """Processes racing for one pool never pass a rep's limit nor give a customer two owners."""

    def test_processes_claiming_at_once_keep_the_limit(self, backend: tuple[str, Storage]) -> None:
        """2 processes per rep x 12 customers, limit 4: each rep ends with exactly 4."""
        url, storage = backend
        place = office(storage)
        rep_a, rep_b = add_reps(place, 2)
        pool, customers = customer_pool(
            place, [rep_a, rep_b], customers=CUSTOMERS, claim_limit=LIMIT
        )
        place.pools = PoolService(place.pools._uow, SystemClock())  # real time, as the workers
        ids = [c.id for c in customers]
        reps = [rep_a.id, rep_a.id, rep_b.id, rep_b.id]
        context = multiprocessing.get_context("spawn")
        with context.Manager() as manager, context.Pool(PROCESSES) as workers:
            start = manager.Barrier(PROCESSES)
            runs = [
                workers.apply_async(_claimer, ((url, place.tenant, reps[n], ids, n), start))
                for n in range(PROCESSES)
            ]
            results = [run.get(timeout=TIMEOUT_S) for run in runs]
        assert max(r[1] for r in results) < min(r[2] for r in results), "runs did not overlap"
        claimed = sum(r[0]["claimed"] for r in results)
        assert claimed == 2 * LIMIT, results
        stored, seats, events = pool_state(place, pool)
        owners = [c.owner_id for c in stored if c.owner_id is not None]
        assert sorted(owners) == sorted([rep_a.id] * LIMIT + [rep_b.id] * LIMIT)
        assert place.pools.owned_count("SH", rep_a.id) == LIMIT
        assert place.pools.owned_count("SH", rep_b.id) == LIMIT
        assert sorted(s.claims for s in seats) == [LIMIT, LIMIT]
        claims = [e for e in events if e.action is PoolAction.CLAIM]
        assert sorted(e.subject_id for e in claims) == sorted(
            c.id for c in stored if c.owner_id is not None
        )


def _sweeper_or_claimer(
    job: tuple[str, str, str, list[str], int, str], start: Any
) -> tuple[str, int, float, float]:
    """Sweep the pool, or claim the overdue customers, at a moment past their deadline."""
    url, tenant, user_id, customer_ids, worker, when = job
    storage = open_storage(url)
    try:
        clock = FixedClock(datetime.fromisoformat(when))
        pools = PoolService(lambda: storage.unit_of_work(TenantId(tenant)), clock)
        start.wait(TIMEOUT_S)
        began = time.monotonic()
        if worker % 2 == 0:
            return "sweep", pools.sweep("SH"), began, time.monotonic()
        claimed = 0
        for customer_id in customer_ids:
            try:
                pools.claim("SH", customer_id, user_id=user_id)
                claimed += 1
            except (ClaimLimitReached, NotInPool, ConcurrencyConflict):
                continue
        return "claim", claimed, began, time.monotonic()
    finally:
        storage.close()


class TestConcurrentSweeps:
    """Sweeps racing each other and claims write each auto-return exactly once."""

    def test_sweeps_and_claims_at_once_write_one_auto_return_each(
        self, backend: tuple[str, Storage]
    ) -> None:
        """2 sweeping and 2 claiming processes over 6 overdue customers."""
        url, storage = backend
        place = office(storage)
        rep_a, rep_b = add_reps(place, 2)
        pool, customers = customer_pool(
            place, [rep_a, rep_b], customers=6, claim_limit=6, return_after_days=1
        )
        for customer in customers:
            place.pools.claim("SH", customer.id, user_id=rep_a.id)
        later = place.clock.advance(timedelta(days=2)).isoformat()
        ids = [c.id for c in customers]
        context = multiprocessing.get_context("spawn")
        with context.Manager() as manager, context.Pool(PROCESSES) as workers:
            start = manager.Barrier(PROCESSES)
            runs = [
                workers.apply_async(
                    _sweeper_or_claimer, ((url, place.tenant, rep_b.id, ids, n, later), start)
                )
                for n in range(PROCESSES)
            ]
            results = [run.get(timeout=TIMEOUT_S) for run in runs]
        assert max(r[2] for r in results) < min(r[3] for r in results), "runs did not overlap"
        _, _, events = pool_state(place, pool)
        auto = [e.subject_id for e in events if e.action is PoolAction.AUTO_RETURN]
        assert sorted(auto) == sorted(ids), results
        claimed = sum(r[1] for r in results if r[0] == "claim")
        claims = [e for e in events if e.action is PoolAction.CLAIM and e.user_id == rep_b.id]
        assert len(claims) == claimed
        assert place.pools.owned_count("SH", rep_b.id) == claimed
