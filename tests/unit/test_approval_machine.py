"""A stateful test of approval instances: refunds held by a three-step flow, decided by any
user in any order, timed out by the clock, against a plain model of the flow."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import attrs
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule

from crmkit.adapters.clock import FixedClock
from crmkit.adapters.memory import InMemoryStorage
from crmkit.domain import Money, TenantId
from crmkit.domain.approval_errors import NotAnApprover, SelfApproval
from crmkit.domain.approvals import (
    ApprovalAction,
    ApprovalStatus,
    ApprovalStep,
    ApproverKind,
    StepMode,
)
from crmkit.domain.conditions import gt
from crmkit.domain.errors import InvalidStateTransition
from crmkit.domain.front_office.people import Role, User
from crmkit.domain.receivables.refunds import RefundStatus
from crmkit.services import UnitOfWork
from crmkit.services.accounts import CustomerAccountService
from crmkit.services.approvals import ApprovalService
from crmkit.services.front_office.people import DirectoryService
from crmkit.services.orders import OrderService
from crmkit.services.receivables.refunds import RefundService

T0 = datetime(2026, 6, 1, 9, 0, tzinfo=UTC)
TENANT = TenantId("machine")
USERS = ("rep", "m1", "m2", "m3", "d")
STEPS = (
    ApprovalStep(ApproverKind.MANAGER),
    ApprovalStep(ApproverKind.ROLE, "manager", mode=StepMode.ALL),
    ApprovalStep(ApproverKind.USER, "m3", timeout_hours=24),
)
STATUS = {
    ApprovalStatus.PENDING: RefundStatus.REQUESTED,
    ApprovalStatus.APPROVED: RefundStatus.APPROVED,
    ApprovalStatus.REJECTED: RefundStatus.REJECTED,
}


@attrs.define
class Model:
    """What the flow should say about one instance."""

    step: int = 1
    approved: set[str] = attrs.field(factory=set)
    status: ApprovalStatus = ApprovalStatus.PENDING
    decisions: int = 0
    due: datetime | None = None


class ApprovalMachine(RuleBasedStateMachine):
    """Refunds submitted by the rep; m1 (the rep's manager), then every manager, then m3."""

    def __init__(self) -> None:
        super().__init__()
        storage = InMemoryStorage()
        self.clock = FixedClock(T0)

        def uow() -> UnitOfWork:
            return storage.unit_of_work(TENANT)

        people = DirectoryService(uow, self.clock)
        self.ids: dict[str, str] = {}
        for login, role, manager in (("m2", Role.MANAGER, None), ("m1", Role.MANAGER, "m2"),
                                     ("m3", Role.MANAGER, None), ("rep", Role.REP, "m1"),
                                     ("d", Role.REP, None)):  # fmt: skip
            user = User.new(TENANT, login=login, name=login, role=role, now=T0,
                            manager_id=self.ids.get(manager or ""))  # fmt: skip
            self.ids[login] = people.add_user(user).id
        accounts = CustomerAccountService(uow, self.clock)
        account = accounts.open_account("C1", "CNY")
        accounts.deposit(account.id, Money("1000000", "CNY"), key="dep")
        rules = OrderService(uow, self.clock).confirm_rules
        self.approvals = ApprovalService(uow, self.clock, order_rules=rules)
        self.refunds = RefundService(uow, self.clock)
        self.approvals.define_flow("R", "Refunds", record_type="refund", action="request",
                                   condition=gt("amount", Decimal(1)), steps=STEPS)  # fmt: skip
        self.model: dict[str, Model] = {}
        self.subjects: dict[str, str] = {}
        self.delegated: set[str] = set()
        self.n = 0

    def _waiting(self, model: Model) -> set[str]:
        approvers = {1: {"m1"}, 2: {"m1", "m2", "m3"}, 3: {"m3"}}[model.step]
        return approvers - model.approved

    @rule()
    def submit(self) -> None:
        """The rep requests a refund; the flow holds it at step 1."""
        self.n += 1
        rep = self.ids["rep"]
        amount = Money("10", "CNY")
        refund = self.refunds.request_refund("C1", amount, reason="r", key=f"r{self.n}",
                                             requested_by=rep)  # fmt: skip
        [inst] = self.approvals.instances_of("refund", refund.id)
        self.model[inst.id] = Model()
        self.subjects[inst.id] = refund.id

    @rule(data=st.data(), login=st.sampled_from(USERS), approve=st.booleans())
    def decide(self, data: st.DataObject, login: str, approve: bool) -> None:
        """Any user approves or rejects any instance; the model says what must happen."""
        if not self.model:
            return
        inst_id = data.draw(st.sampled_from(sorted(self.model)))
        model = self.model[inst_id]
        waiting = self._waiting(model)
        acting_as = login if login in waiting else None
        if acting_as is None and login == "d" and "m1" in self.delegated and "m1" in waiting:
            acting_as = "m1"
        self.n += 1
        key = f"d{self.n}"
        try:
            if approve:
                self.approvals.approve(inst_id, self.ids[login], key=key)
            else:
                self.approvals.reject(inst_id, self.ids[login], "no", key=key)
        except InvalidStateTransition:
            assert model.status is not ApprovalStatus.PENDING
            return
        except SelfApproval:
            assert login == "rep"
            assert model.status is ApprovalStatus.PENDING
            return
        except NotAnApprover:
            assert acting_as is None
            assert login != "rep"
            return
        assert model.status is ApprovalStatus.PENDING
        assert acting_as is not None
        model.decisions += 1
        if not approve:
            model.status = ApprovalStatus.REJECTED
            return
        model.approved.add(acting_as)
        mode = STEPS[model.step - 1].mode
        if mode is StepMode.ANY or not self._waiting(model):
            if model.step == len(STEPS):
                model.status = ApprovalStatus.APPROVED
            else:
                model.step += 1
                model.approved = set()

    @rule()
    def m1_goes_away(self) -> None:
        """m1 delegates to d for a long while."""
        if "m1" not in self.delegated:
            self.approvals.delegate(self.ids["m1"], self.ids["d"], starts_at=T0,
                                    ends_at=T0 + timedelta(days=3650))  # fmt: skip
            self.delegated.add("m1")

    @rule(hours=st.integers(1, 30))
    def time_passes(self, hours: int) -> None:
        """The clock moves; step 3 rejects an instance 24 hours after it started."""
        self.clock.advance(timedelta(hours=hours))
        for inst in self.approvals.process_timeouts(limit=500):
            model = self.model[inst.id]
            assert model.step == len(STEPS)
            assert model.status is ApprovalStatus.PENDING
            model.status = ApprovalStatus.REJECTED
            model.decisions += 1
        for inst_id in self.model:
            due = self.approvals.get_instance(inst_id).due_at
            assert due is None or due > self.clock.now()

    @invariant()
    def stored_instances_match_the_model(self) -> None:
        """Status, step, approvals, trail and the refund's status agree with the model."""
        for inst_id, model in self.model.items():
            inst = self.approvals.get_instance(inst_id)
            assert inst.status is model.status
            assert inst.step_no == model.step
            by_login = {v: k for k, v in self.ids.items()}
            if model.status is ApprovalStatus.PENDING:
                assert {by_login[a] for a in inst.approved_by} == model.approved
                assert {by_login[a] for a in inst.waiting_for} == self._waiting(model)
                assert (inst.due_at is not None) == (model.step == len(STEPS))
            else:
                assert inst.due_at is None
            assert len(inst.history) == 1 + model.decisions
            assert inst.history[0].action is ApprovalAction.SUBMITTED
            assert self.ids["rep"] not in inst.approvers
            refund = self.refunds.get_refund(self.subjects[inst_id])
            assert refund.status is STATUS[model.status]


ApprovalMachine.TestCase.settings = settings(max_examples=25, stateful_step_count=25, deadline=None)
TestApprovalMachine = ApprovalMachine.TestCase
