"""Records the hostile-input contract needs for the approval, workflow and process services."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from crmkit.domain import Money, new_id
from crmkit.domain.approvals import ApprovalStep, ApproverKind
from crmkit.domain.conditions import gt
from crmkit.domain.front_office.people import USERS, Role, User
from crmkit.domain.processes import ProcessStage, StageTask, Transition
from crmkit.domain.workflows import notify
from crmkit.services.workflows import Notice
from crmkit.tenant_services import TenantServices
from crmkit.testing.contracts.support import T0
from crmkit.testing.hostile_seeds import Seeded

FUTURE = T0 + timedelta(days=30)


class _QuietNotifier:
    """A notifier that drops every notice."""

    def notify(self, notice: Notice) -> None:
        """Drop ``notice``."""


def seed_process(services: TenantServices) -> Seeded:
    """A user, a workflow rule, a process and two instances (one with its task done)."""
    rep = services.directory.add_user(
        User.new(services.tenant_id, login="process-rep", name="Rep", role=Role.REP, now=T0)
    )
    rule = services.workflows.define_rule(
        "Tell", event="sales_order.created", actions=[notify("sms", "{event.number} created")]
    )
    stages = (ProcessStage("a", "A", (StageTask("Call", "rep"),)), ProcessStage("b", "B"))
    moves = (Transition("a", "b"),)
    services.processes.define("deal", "Deal", stages, moves)
    busy = services.processes.start("deal", "CUST-1")
    ready = services.processes.start("deal", "CUST-1")
    services.processes.complete_task(ready.id, 1, user_id=rep.id)
    # instance_id and user_id name approval records for other calls: set per call here
    return Seeded(
        {"rule_id": rule.id, "process_code": "deal", "task_no": 1},
        {
            "define_rule": {"actions": [notify("sms", "hello")], "condition": None},
            "define": {"code": "other", "stages": stages, "transitions": moves},
            "deliver": {"notifier": _QuietNotifier()},
            "complete_task": {"instance_id": busy.id, "user_id": rep.id},
            "advance": {"instance_id": ready.id, "to_stage": "b", "user_id": rep.id},
            "get": {"instance_id": busy.id},
        },
    )


def seed_approvals(services: TenantServices) -> Seeded:
    """A manager and a rep (the rep's refunds over 5 wait for the manager), a flow, and a
    refund held by it."""
    # stored through the approval service's unit of work: the users need no pool or team
    with services.approvals._uow() as uow:
        boss = (
            uow.records(USERS)
            .add(User.new(uow.tenant_id, login="boss", name="Boss", role=Role.MANAGER, now=T0))
            .id
        )
        rep = (
            uow.records(USERS)
            .add(
                User.new(
                    uow.tenant_id, login="rep", name="Rep", role=Role.REP, now=T0, manager_id=boss
                )
            )
            .id
        )
        uow.commit()
    step = ApprovalStep(ApproverKind.USER, boss)
    flow = services.approvals.define_flow(
        "BIG-REFUND", "Big refunds", record_type="refund", action="request",
        condition=gt("amount", Decimal(5)), steps=(step,),
    )  # fmt: skip
    held = services.refunds.request_refund(
        "CUST-1", Money("6", "EUR"), reason="big", key=new_id(), requested_by=rep
    )
    [instance] = services.approvals.instances_of("refund", held.id)
    by_condition = {"condition": gt("amount", Decimal(1000)), "record_type": "refund",
                    "action": "request", "steps": (step,)}  # fmt: skip
    return Seeded(
        {"instance_id": instance.id, "user_id": boss, "delegate_id": rep, "subject_id": held.id},
        {
            "define_flow": by_condition,
            "set_flow_active": {"code": flow.code},
            "delegate": {"starts_at": T0, "ends_at": FUTURE},
            "instances_of": {"record_type": "refund"},
        },
    )
