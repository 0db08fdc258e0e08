"""Two approvers of one step decide at the same moment in separate processes (PostgreSQL,
MariaDB, MongoDB): no decision is lost, each is in the audit trail once, and the held
action (the order's confirmation) runs exactly once."""

from __future__ import annotations

import multiprocessing
from collections import Counter
from pathlib import Path

import pytest

from crmkit import open_storage
from crmkit.domain.outbox import EventName
from crmkit.domain.sales_order import SalesOrderStatus
from crmkit.process import (
    ApprovalAction,
    ApprovalEvent,
    ApprovalStatus,
    ApprovalStep,
    ApproverKind,
    StepMode,
    gt,
)
from crmkit.services import Storage
from crmkit.testing.contracts.approvals import approval_world
from tests.concurrency.approval_workers import approver
from tests.concurrency.test_workflow_processes import crash_url

__all__ = ["crash_url"]  # the shared fixture, imported for pytest

RUNS = {"postgres": 2, "mariadb": 2, "mongo": 1}


@pytest.mark.parametrize("mode", [StepMode.ALL, StepMode.ANY])
class TestRacingApprovers:
    """Both managers approve at once."""

    def test_the_held_action_runs_once(
        self, crash_url: tuple[str, str], mode: StepMode, tmp_path: Path
    ) -> None:
        """ALL: both decisions count and the order confirms once; ANY: one decision wins,
        the other is refused as too late, and the order confirms once."""
        kind, url = crash_url
        storage: Storage = open_storage(url, upgrade_schema=True)
        context = multiprocessing.get_context("spawn")
        try:
            aw = approval_world(storage)
            step = ApprovalStep(ApproverKind.ROLE, target="manager", mode=mode)
            aw.approvals.define_flow("DISC", "Big discount", record_type="sales_order",
                                     action="confirm", condition=gt("max_line_discount_percent",
                                     20), steps=(step,))  # fmt: skip
            tenant = aw.world.tenant
            for run in range(RUNS[kind]):
                order, inst = aw.pending(run + 1)
                go = context.Event()
                outs = {user: tmp_path / f"{run}-{user}.txt" for user in (aw.m1, aw.m2)}
                workers = [
                    context.Process(target=approver,
                                    args=(url, tenant, (inst, user), go, str(out)))
                    for user, out in outs.items()
                ]  # fmt: skip
                for process in workers:
                    process.start()
                go.set()
                for process in workers:
                    process.join(180)
                    assert process.exitcode == 0
                results = sorted(out.read_text() for out in outs.values())
                done = aw.approvals.get_instance(inst)
                approved = [e.user_id for e in done.history if e.action is ApprovalAction.APPROVED]
                with storage.unit_of_work(tenant) as uow:
                    events = uow.outbox.after(0, 10_000)
                confirmed = [
                    e
                    for e in events
                    if e.name == EventName.CONFIRMED and e.aggregate_id == order.id
                ]
                decisions = Counter(e.data()["user_id"] for e in events
                                    if e.name == ApprovalEvent.APPROVED
                                    and e.aggregate_id == inst)  # fmt: skip
                assert done.status is ApprovalStatus.APPROVED
                assert aw.world.orders.get_order(order.id).status is SalesOrderStatus.CONFIRMED
                assert len(confirmed) == 1
                if mode is StepMode.ALL:
                    assert results == ["ok", "ok"]
                    assert sorted(str(u) for u in approved) == sorted([aw.m1, aw.m2])
                else:
                    assert results[1] == "ok"
                    assert results[0] != "ok"
                    assert len(approved) == 1
                assert decisions == Counter(approved)
        finally:
            storage.close()
