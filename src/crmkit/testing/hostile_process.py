"""Records the hostile-input contract needs for the workflow and process services."""

from __future__ import annotations

import attrs

from crmkit.bootstrap import TenantServices
from crmkit.domain.front_office.people import Role, User
from crmkit.domain.processes import ProcessStage, StageTask, Transition
from crmkit.domain.workflows import notify
from crmkit.services.front_office.people import DirectoryService
from crmkit.services.workflows import Notice


class _QuietNotifier:
    """A notifier that drops every notice."""

    def notify(self, notice: Notice) -> None:
        """Drop ``notice``."""


@attrs.frozen
class Seeded:
    """Seeded values by parameter name, and per call where a name means another record."""

    by_name: dict[str, object]
    by_call: dict[str, dict[str, object]]


def seed_process(services: TenantServices) -> Seeded:
    """A user, a workflow rule, a process and two instances (one with its task done)."""
    # the users live in the front office, which TenantServices does not carry
    uow, clock = services.processes._uow, services.processes._clock
    directory = DirectoryService(uow, clock)
    rep = directory.add_user(
        User.new(
            services.tenant_id, login="process-rep", name="Rep", role=Role.REP, now=clock.now()
        )
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
