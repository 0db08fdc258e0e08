"""Field work in several OS processes at once (PostgreSQL, MariaDB, MongoDB).

Four processes submit the same work-order form (one request key) and then race to check in
one visit: exactly one work order exists and every process got it back; exactly one
check-in wins, the others see the visit already checked in.
"""

from __future__ import annotations

import multiprocessing
import time
from typing import Any

from crmkit import SystemClock, open_storage
from crmkit.domain import InvalidStateTransition, TenantId
from crmkit.domain.field_work.calendar import Priority
from crmkit.domain.field_work.visits import VisitStatus
from crmkit.services import Storage
from crmkit.services.field_work.visits import VisitService
from crmkit.services.field_work.work_orders import WorkOrderService
from crmkit.testing.field_work import AT_STORE_POINT, field, snapshot

PROCESSES = 4
TIMEOUT_S = 120


def _worker(job: tuple[str, str, str, str], start: Any) -> tuple[str, str, float, float]:
    """Submit the form, then try to check the visit in; report what happened."""
    url, tenant, store_id, visit_id = job
    storage = open_storage(url)
    try:

        def uow() -> Any:
            return storage.unit_of_work(TenantId(tenant))

        orders = WorkOrderService(uow, SystemClock())
        visits = VisitService(uow, SystemClock())
        start.wait(TIMEOUT_S)
        began = time.monotonic()
        order = orders.create(
            request_key="form-1",
            number="WO-1",
            customer_id=store_id,
            kind="repair",
            priority=Priority.HIGH,
            title="Fridge warm",
            calendar_code="CN",
        )
        try:
            visits.check_in(visit_id, **AT_STORE_POINT)
            outcome = "checked_in"
        except InvalidStateTransition:
            outcome = "already"
        return order.id, outcome, began, time.monotonic()
    finally:
        storage.close()


class TestConcurrentFieldWork:
    """One form submitted by four processes makes one work order; one check-in wins."""

    def test_one_work_order_and_one_check_in(self, backend: tuple[str, Storage]) -> None:
        """Four processes: the same order id everywhere, one stored; one check-in."""
        url, storage = backend
        place = field(storage, SystemClock().now())
        visit = place.visits.plan(
            customer_id=place.store.id,
            rep_id=place.rep.id,
            visit_type="audit",
            planned_at=place.clock.now(),
        )
        job = (url, place.tenant, place.store.id, visit.id)
        context = multiprocessing.get_context("spawn")
        with context.Manager() as manager, context.Pool(PROCESSES) as workers:
            start = manager.Barrier(PROCESSES)
            runs = [workers.apply_async(_worker, (job, start)) for _ in range(PROCESSES)]
            results = [run.get(timeout=TIMEOUT_S) for run in runs]
        assert max(r[2] for r in results) < min(r[3] for r in results), "runs did not overlap"
        stored = snapshot(place)
        assert [o.id for o in stored["work_order"]] == [results[0][0]]
        assert {r[0] for r in results} == {results[0][0]}
        outcomes = sorted(r[1] for r in results)
        assert outcomes == ["already"] * (PROCESSES - 1) + ["checked_in"], outcomes
        (checked,) = stored["visit"]
        assert checked.status is VisitStatus.CHECKED_IN
