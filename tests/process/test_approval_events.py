"""Approval decisions write outbox events in their unit of work, and workflow rules react
to them (every backend)."""

from __future__ import annotations

from decimal import Decimal

from crmkit.process import ApprovalEvent, WorkflowService, eq, gt, notify
from crmkit.services import Storage
from crmkit.testing.contracts.approvals import TWO_MANAGERS, approval_world


class TestApprovalEvents:
    """Each decision is one event, in the decision's unit of work."""

    def test_each_decision_writes_its_event_and_a_rule_fires_on_the_final_one(
        self, storage: Storage
    ) -> None:
        """Requested, approved twice (the second finishing the instance), then a rejection;
        a rule on ``approval.approved`` with status ``approved`` fires once."""
        aw = approval_world(storage)
        aw.approvals.define_flow("DISC", "Big discount", record_type="sales_order",
                                 action="confirm", condition=gt("max_line_discount_percent",
                                 Decimal(20)), steps=TWO_MANAGERS)  # fmt: skip
        world = aw.world
        rules = WorkflowService(lambda: storage.unit_of_work(world.tenant), world.clock)
        rule = rules.define_rule(
            "Approved", event=ApprovalEvent.APPROVED, condition=eq("event.status", "approved"),
            actions=[notify("sms", "{event.subject_label} approved by {event.user_id}")],
        )  # fmt: skip
        order, inst = aw.pending()
        aw.approvals.approve(inst, aw.m1, key="a1")
        aw.approvals.approve(inst, aw.m2, key="a2")
        aw.approvals.approve(inst, aw.m2, key="a2")  # a replay writes nothing more
        other, second = aw.pending(3, 30)
        aw.approvals.reject(second, aw.m1, "too generous", key="r1")
        with storage.unit_of_work(world.tenant) as uow:
            events = [e for e in uow.outbox.after(0, 500) if e.name.startswith("approval.")]
        assert [(e.name, e.aggregate_id, e.data()["status"], e.data()["user_id"])
                for e in events] == [
            (ApprovalEvent.REQUESTED, inst, "pending", aw.rep),
            (ApprovalEvent.APPROVED, inst, "pending", aw.m1),
            (ApprovalEvent.APPROVED, inst, "approved", aw.m2),
            (ApprovalEvent.REQUESTED, second, "pending", aw.rep),
            (ApprovalEvent.REJECTED, second, "rejected", aw.m1),
        ]  # fmt: skip
        assert events[-1].data()["note"] == "too generous"
        assert {e.data()["subject_id"] for e in events} == {order.id, other.id}
        while rules.run(limit=100):
            pass
        [firing] = rules.firings(rule.id)
        assert firing.position == events[2].position
        [call] = rules.pending_calls()
        assert call.message == f"{order.number} approved by {aw.m2}"
