"""Contract: approval flows hold orders, refunds and invoice requests for the right
approvers, and every outcome is one unit of work, on every backend."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from decimal import Decimal
from typing import Any

import attrs
import pytest

from crmkit.domain import CrmkitError, Money, TenantId, ValidationError
from crmkit.domain.approval_errors import ApprovalPending, NotAnApprover, SelfApproval
from crmkit.domain.approvals import (
    ApprovalAction,
    ApprovalStatus,
    ApprovalStep,
    ApproverKind,
    OnTimeout,
    StepMode,
)
from crmkit.domain.conditions import InvalidCondition, gt
from crmkit.domain.errors import InvalidStateTransition
from crmkit.domain.front_office.people import Role, User
from crmkit.domain.inventory.errors import InsufficientStock
from crmkit.domain.outbox import EventName
from crmkit.domain.receivables.invoices import InvoiceStatus
from crmkit.domain.receivables.refunds import RefundStatus
from crmkit.domain.sales_order import SalesOrder, SalesOrderStatus
from crmkit.services import Storage
from crmkit.services.approvals import ApprovalService
from crmkit.services.front_office.people import DirectoryService
from crmkit.services.orders import OrderLineInput
from crmkit.services.receivables.invoices import InvoiceService
from crmkit.services.receivables.refunds import RefundService
from crmkit.testing.order_support import CUSTOMER, T0, OrderWorld, check_world, open_world
from crmkit.testing.state import State, tenant_state
from crmkit.testing.tenants import units_of

ORDER = ("sales_order", "confirm")
TWO_MANAGERS = (ApprovalStep(ApproverKind.MANAGER), ApprovalStep(ApproverKind.MANAGER, levels=2))


@attrs.frozen
class ApprovalWorld:
    """An order world with an org chart (rep -> m1 -> m2, and a colleague ``d``) and the
    approval and refund services."""

    world: OrderWorld
    approvals: ApprovalService
    refunds: RefundService
    invoices: InvoiceService
    rep: str
    m1: str
    m2: str
    d: str

    def state(self) -> State:
        """Everything the tenant stored."""
        return tenant_state(self.world.storage, self.world.tenant)

    def draft(self, quantity: int, discount: int) -> SalesOrder:
        """A draft order of ``quantity`` of the first product at a line ``discount`` %."""
        line = OrderLineInput(self.world.products[0].id, quantity, discount_percent=discount)
        made = self.world.orders.create_order(
            CUSTOMER, [line], currency="CNY", key=f"c{quantity}-{discount}"
        )
        return made.order

    def pending(self, quantity: int = 2, discount: int = 25) -> tuple[SalesOrder, str]:
        """An order confirmed by the rep and held by a flow, and its instance id."""
        order = self.draft(quantity, discount)
        held = self.world.orders.confirm(order.id, key=f"k-{order.id}", submitted_by=self.rep)
        assert held.order.status is SalesOrderStatus.PENDING_APPROVAL
        [instance] = self.approvals.instances_of("sales_order", order.id)
        return held.order, instance.id


def approval_world(
    storage: Storage, *, prepayment: str = "5000.00", credit_limit: str | None = None
) -> ApprovalWorld:
    """A fresh :class:`ApprovalWorld` on ``storage`` (account as in ``open_world``)."""
    world = open_world(storage, products=1, prepayment=prepayment, credit_limit=credit_limit)
    tenant: TenantId = world.tenant
    unit_of_work = units_of(storage, tenant)
    people = DirectoryService(unit_of_work, world.clock)
    m2 = people.add_user(User.new(tenant, login="m2", name="M Two", role=Role.MANAGER, now=T0))
    m1 = people.add_user(
        User.new(tenant, login="m1", name="M One", role=Role.MANAGER, now=T0, manager_id=m2.id)
    )
    rep = people.add_user(
        User.new(tenant, login="rep", name="Rep", role=Role.REP, now=T0, manager_id=m1.id)
    )
    d = people.add_user(User.new(tenant, login="d", name="Deputy", role=Role.REP, now=T0))
    approvals = ApprovalService(unit_of_work, world.clock, order_rules=world.orders.confirm_rules)
    refunds = RefundService(unit_of_work, world.clock)
    invoices = InvoiceService(unit_of_work, world.clock)
    return ApprovalWorld(world, approvals, refunds, invoices, rep.id, m1.id, m2.id, d.id)


def refused(aw: ApprovalWorld, error: type[CrmkitError], action: Callable[[], object]) -> None:
    """``action`` raises ``error`` and the tenant's stored state is the same after."""
    before = aw.state()
    with pytest.raises(error):
        action()
    assert aw.state() == before


class ApprovalFlowContract:
    """Approval flows behave the same on every storage."""

    def test_a_big_discount_needs_two_managers_in_order(self, storage: Storage) -> None:
        """Discount > 20 %: pending, the rep's manager then theirs approve, and the order
        confirms in the unit of work of the last approval; a small discount confirms."""
        aw = approval_world(storage)
        cond = gt("max_line_discount_percent", Decimal(20))
        aw.approvals.define_flow("DISC", "Big discount", record_type="sales_order",
                                 action="confirm", condition=cond, steps=TWO_MANAGERS)  # fmt: skip
        small = aw.draft(1, 10)
        done = aw.world.orders.confirm(small.id, key="small", submitted_by=aw.rep)
        assert done.order.status is SalesOrderStatus.CONFIRMED
        order, inst = aw.pending()
        assert not aw.world.accounts.holds_of_order(aw.world.account_id, order.id)
        assert aw.approvals.get_instance(inst).approvers == (aw.m1,)
        assert [i.id for i in aw.approvals.waiting_for(aw.m1)] == [inst]
        refused(aw, NotAnApprover, lambda: aw.approvals.approve(inst, aw.m2, key="early"))
        refused(aw, SelfApproval, lambda: aw.approvals.approve(inst, aw.rep, key="self"))
        first = aw.approvals.approve(inst, aw.m1, key="a1", note="ok by me")
        assert first.instance.step_no == 2
        assert first.instance.approvers == (aw.m2,)
        assert first.events == ()
        assert aw.world.orders.get_order(order.id).status is SalesOrderStatus.PENDING_APPROVAL
        last = aw.approvals.approve(inst, aw.m2, key="a2")
        assert last.instance.status is ApprovalStatus.APPROVED
        confirmed = aw.world.orders.get_order(order.id)
        assert confirmed.status is SalesOrderStatus.CONFIRMED
        assert confirmed.approved
        assert EventName.CONFIRMED in [e.name for e in last.events]
        assert aw.world.accounts.holds_of_order(aw.world.account_id, order.id)
        trail = [(e.action, e.user_id) for e in last.instance.history]
        assert trail == [
            (ApprovalAction.SUBMITTED, aw.rep),
            (ApprovalAction.APPROVED, aw.m1),
            (ApprovalAction.APPROVED, aw.m2),
        ]
        again = aw.approvals.approve(inst, aw.m2, key="a2")
        assert again.instance == last.instance
        assert again.events == last.events
        check_world(aw.world.state())

    def test_a_rejection_changes_only_the_status_and_the_audit_trail(
        self, storage: Storage
    ) -> None:
        """Rejected at step 2: the order is a draft again, with the reason in the trail
        and the event; nothing else stored changes."""
        aw = approval_world(storage)
        aw.approvals.define_flow("DISC", "Big discount", record_type="sales_order",
                                 action="confirm", condition=gt("max_line_discount_percent", 20),
                                 steps=TWO_MANAGERS)  # fmt: skip
        order, inst = aw.pending()
        original = aw.draft(2, 25)  # the create's key again: the draft as it was created
        assert original.id == order.id
        aw.approvals.approve(inst, aw.m1, key="a1")
        before = aw.state()
        refused(aw, ValidationError, lambda: aw.approvals.reject(inst, aw.m2, " ", key="r0"))
        out = aw.approvals.reject(inst, aw.m2, "discount too deep", key="r1")
        after = aw.state()
        changed = {name for name in set(before) | set(after) if before.get(name) != after.get(name)}
        allowed = ("sales_order", "approval_instance", "outbox", "counter")
        kept = {"requests", "crmkit_processed_request", "crmkit_processed_requests"}
        assert all(n in kept or any(w in n for w in allowed) for n in changed), changed
        draft = aw.world.orders.get_order(order.id)
        assert draft.status is SalesOrderStatus.DRAFT
        same = attrs.evolve(draft, updated_at=original.updated_at, version=original.version)
        assert same == original  # back where it came from: only status fields moved
        assert out.instance.status is ApprovalStatus.REJECTED
        assert out.instance.reason == "discount too deep"
        assert [e.name for e in out.events] == [EventName.APPROVAL_REJECTED]
        refused(aw, InvalidStateTransition, lambda: aw.approvals.approve(inst, aw.m2, key="x"))
        check_world(aw.world.state())

    def test_a_failing_held_action_records_nothing(self, storage: Storage) -> None:
        """The last approval of an order that cannot be reserved raises and keeps nothing."""
        aw = approval_world(storage)
        aw.approvals.define_flow("DISC", "Big discount", record_type="sales_order",
                                 action="confirm", condition=gt("max_line_discount_percent", 20),
                                 steps=(ApprovalStep(ApproverKind.MANAGER),))  # fmt: skip
        _, inst = aw.pending(quantity=400)
        refused(aw, InsufficientStock, lambda: aw.approvals.approve(inst, aw.m1, key="a1"))
        assert aw.approvals.get_instance(inst).approved_by == ()

    def test_the_order_service_cannot_bypass_a_flow(self, storage: Storage) -> None:
        """Approving or rejecting a flow-held order directly raises ApprovalPending."""
        aw = approval_world(storage)
        aw.approvals.define_flow("DISC", "Big discount", record_type="sales_order",
                                 action="confirm", condition=gt("max_line_discount_percent", 20),
                                 steps=TWO_MANAGERS)  # fmt: skip
        order, _ = aw.pending()
        refused(aw, ApprovalPending, lambda: aw.world.orders.approve(order.id, key="byp"))
        refused(aw, ApprovalPending, lambda: aw.world.orders.reject(order.id, "no", key="r"))

    def test_credit_beyond_a_share_of_the_limit_routes_to_every_manager(
        self, storage: Storage
    ) -> None:
        """The old hook's credit rule as a flow: all managers (a role) must approve."""
        aw = approval_world(storage, prepayment="0", credit_limit="100.00")
        world = aw.world
        step = ApprovalStep(ApproverKind.ROLE, "manager", mode=StepMode.ALL)
        cond = gt("credit_used_percent", 50)
        aw.approvals.define_flow("CREDIT", "Credit", record_type="sales_order",
                                 action="confirm", condition=cond, steps=(step,))  # fmt: skip
        order, inst = aw.pending(quantity=5, discount=0)  # 56.50 of credit > 50 % of 100
        assert set(aw.approvals.get_instance(inst).approvers) == {aw.m1, aw.m2}
        aw.approvals.approve(inst, aw.m2, key="a2")
        assert world.orders.get_order(order.id).status is SalesOrderStatus.PENDING_APPROVAL
        aw.approvals.approve(inst, aw.m1, key="a1")
        assert world.orders.get_order(order.id).status is SalesOrderStatus.CONFIRMED
        check_world(world.state())

    def test_a_timeout_escalates_once_then_rejects(self, storage: Storage) -> None:
        """Past 24 h the step goes to m2; 24 h later the order is rejected back to draft."""
        aw = approval_world(storage)
        step = ApprovalStep(ApproverKind.MANAGER, timeout_hours=24,
                            on_timeout=OnTimeout.ESCALATE, escalate_to=aw.m2)  # fmt: skip
        aw.approvals.define_flow("DISC", "Big discount", record_type="sales_order",
                                 action="confirm", condition=gt("max_line_discount_percent", 20),
                                 steps=(step,))  # fmt: skip
        order, inst = aw.pending()
        assert aw.approvals.process_timeouts() == []
        aw.world.clock.advance(timedelta(hours=25))
        [escalated] = aw.approvals.process_timeouts()
        assert escalated.approvers == (aw.m2,)
        refused(aw, NotAnApprover, lambda: aw.approvals.approve(inst, aw.m1, key="late"))
        aw.world.clock.advance(timedelta(hours=25))
        [timed_out] = aw.approvals.process_timeouts()
        assert timed_out.status is ApprovalStatus.REJECTED
        assert timed_out.history[-1].action is ApprovalAction.TIMED_OUT
        assert aw.world.orders.get_order(order.id).status is SalesOrderStatus.DRAFT

    def test_a_delegate_decides_while_the_approver_is_away(self, storage: Storage) -> None:
        """d stands in for m1 during the delegation; the trail names both; the submitter
        never approves, not even as a delegate."""
        aw = approval_world(storage)
        aw.approvals.define_flow("DISC", "Big discount", record_type="sales_order",
                                 action="confirm", condition=gt("max_line_discount_percent", 20),
                                 steps=(ApprovalStep(ApproverKind.MANAGER),))  # fmt: skip
        order, inst = aw.pending()
        refused(aw, NotAnApprover, lambda: aw.approvals.approve(inst, aw.d, key="d0"))
        aw.approvals.delegate(aw.m1, aw.d, starts_at=T0, ends_at=T0 + timedelta(days=7))
        aw.approvals.delegate(aw.m1, aw.rep, starts_at=T0, ends_at=T0 + timedelta(days=7))
        refused(aw, SelfApproval, lambda: aw.approvals.approve(inst, aw.rep, key="self"))
        assert [i.id for i in aw.approvals.waiting_for(aw.d)] == [inst]
        out = aw.approvals.approve(inst, aw.d, key="d1")
        assert out.instance.history[-1].on_behalf_of == aw.m1
        assert aw.world.orders.get_order(order.id).status is SalesOrderStatus.CONFIRMED

    def test_refunds_wait_for_their_flow_and_rejection_is_final(self, storage: Storage) -> None:
        """A refund over 500 waits for m1; approved it can be paid; rejected it says why."""
        aw = approval_world(storage)
        aw.approvals.define_flow("REFUND", "Big refund", record_type="refund", action="request",
                                 condition=gt("amount", Decimal(500)),
                                 steps=(ApprovalStep(ApproverKind.USER, aw.m1),))  # fmt: skip
        small = aw.refunds.request_refund("C-ACME", Money("10", "CNY"), reason="r", key="s",
                                          requested_by=aw.rep)  # fmt: skip
        assert aw.approvals.instances_of("refund", small.id) == []
        big = aw.refunds.request_refund("C-ACME", Money("600", "CNY"), reason="r", key="b",
                                        requested_by=aw.rep)  # fmt: skip
        [inst] = aw.approvals.instances_of("refund", big.id)
        refused(aw, ApprovalPending, lambda: aw.refunds.approve(big.id, key="direct"))
        aw.approvals.approve(inst.id, aw.m1, key="ok")
        assert aw.refunds.get_refund(big.id).status is RefundStatus.APPROVED
        other = aw.refunds.request_refund("C-ACME", Money("700", "CNY"), reason="r", key="o")
        [held] = aw.approvals.instances_of("refund", other.id)
        aw.approvals.reject(held.id, aw.m1, "no proof", key="no")
        rejected = aw.refunds.get_refund(other.id)
        assert (rejected.status, rejected.rejection_reason) == (RefundStatus.REJECTED, "no proof")

    def test_invoice_requests_wait_and_a_rejection_frees_the_amount(self, storage: Storage) -> None:
        """An invoice request over 20 waits for m1; rejected, its amount is invoiceable again."""
        aw = approval_world(storage)
        invoices = aw.invoices
        aw.approvals.define_flow("INV", "Invoices", record_type="invoice_request",
                                 action="request", condition=gt("amount", Decimal(20)),
                                 steps=(ApprovalStep(ApproverKind.USER, aw.m1),))  # fmt: skip
        order = aw.world.confirmed(3).order
        aw.world.orders.deliver(order.id, {1: 3}, key="ship")
        left = invoices.invoiceable(order.id)
        request = invoices.request_invoice(order.id, left, key="inv", requested_by=aw.rep)
        [inst] = aw.approvals.instances_of("invoice_request", request.id)
        refused(aw, ApprovalPending, lambda: invoices.approve(request.id, key="direct"))
        refused(aw, ApprovalPending, lambda: invoices.reject(request.id, "x", key="direct"))
        assert invoices.invoiceable(order.id) == 0
        aw.approvals.reject(inst.id, aw.m1, "wrong title", key="no")
        rejected = invoices.get_invoice_request(request.id)
        assert (rejected.status, rejected.rejection_reason) == (
            InvoiceStatus.REJECTED,
            "wrong title",
        )
        assert invoices.invoiceable(order.id) == left
        again = invoices.request_invoice(order.id, left, key="inv2", requested_by=aw.rep)
        [second] = aw.approvals.instances_of("invoice_request", again.id)
        aw.approvals.approve(second.id, aw.m1, key="yes")
        assert invoices.get_invoice_request(again.id).status is InvoiceStatus.APPROVED

    def test_invalid_flows_are_refused_and_change_nothing(self, storage: Storage) -> None:
        """Unknown fields, wrong value types, unknown triggers and bad steps are refused."""
        aw = approval_world(storage)
        one = (ApprovalStep(ApproverKind.MANAGER),)
        cases: list[tuple[type[CrmkitError], dict[str, object]]] = [
            (InvalidCondition, {"condition": gt("discount", 20)}),
            (InvalidCondition, {"condition": gt("total", "20")}),
            (InvalidCondition, {"action": "ship"}),
            (InvalidCondition, {"condition": "total > 20"}),
            (ValidationError, {"steps": ()}),
            (ValidationError, {"steps": (ApprovalStep(ApproverKind.USER),)}),
        ]
        for error, change in cases:
            given: dict[str, Any] = {"record_type": "sales_order", "action": "confirm",
                                     "condition": gt("total", 20), "steps": one}  # fmt: skip
            given |= change

            def define(g: dict[str, Any] = given) -> object:
                return aw.approvals.define_flow("F", "F", **g)

            refused(aw, error, define)
