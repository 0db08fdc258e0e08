"""Steps of approval flows that run inside another command's unit of work: hold a record
for approval when a flow's condition matches, resolve a step's approvers from the org
chart, and find the instance holding a record."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Protocol, TypeVar

from crmkit.domain.approval_errors import ApprovalPending, NoApprover
from crmkit.domain.approvals import (
    APPROVAL_FLOWS,
    APPROVAL_INSTANCES,
    ApprovalAction,
    ApprovalEntry,
    ApprovalEvent,
    ApprovalFlow,
    ApprovalInstance,
    ApprovalStatus,
    ApprovalStep,
    ApproverKind,
    approval_payload,
    due,
)
from crmkit.domain.condition_json import record_values
from crmkit.domain.conditions import evaluate
from crmkit.domain.front_office.people import USERS, User
from crmkit.domain.ids import new_id
from crmkit.domain.record_query import Equals
from crmkit.domain.records import RecordType
from crmkit.services.order_steps import PendingEvent, claim_outbox, write_events
from crmkit.services.ports import UnitOfWork


class Numbered(Protocol):
    """A request users know by its number."""

    @property
    def id(self) -> str: ...

    @property
    def number(self) -> str: ...


N = TypeVar("N", bound=Numbered)

MAX_FLOWS = 200
MAX_ROLE_APPROVERS = 200
MAX_CHAIN = 50


def active_flows(uow: UnitOfWork, record_type: str, action: str) -> list[ApprovalFlow]:
    """The tenant's active flows of the trigger, in the order they are tried."""
    page = uow.records(APPROVAL_FLOWS).find(
        Equals("record_type", record_type),
        Equals("action", action),
        Equals("active", True),
        limit=MAX_FLOWS,
    )
    return sorted(page.items, key=lambda f: (f.priority, f.code))


def resolve_approvers(
    uow: UnitOfWork, flow_code: str, step_no: int, step: ApprovalStep, submitted_by: str | None
) -> tuple[str, ...]:
    """The user ids who approve ``step`` (never the submitter), in a stable order.

    Raises:
        NoApprover: nobody but the submitter (or nobody at all) can approve the step.
    """
    users = uow.records(USERS)
    found: list[User] = []
    if step.approver is ApproverKind.USER:
        found = [u for u in users.get_many([step.target or ""]).values() if u.active]
    elif step.approver is ApproverKind.ROLE:
        page = users.find(
            Equals("role", step.target), Equals("active", True), limit=MAX_ROLE_APPROVERS
        )
        found = list(page.items)
    elif submitted_by is not None:
        submitter = users.get_many([submitted_by]).get(submitted_by)
        chain = [] if submitter is None else _chain(uow, submitter, step.levels)
        if len(chain) == step.levels and chain[-1].active:
            found = [chain[-1]]
    approvers = tuple(sorted(u.id for u in found if u.id != submitted_by))
    if not approvers:
        raise NoApprover(
            f"step {step_no} of approval flow {flow_code!r} has no approver other than the "
            f"submitter ({step.approver.value} {step.target or f'{step.levels} level(s) up'}); "
            f"fix the flow, the users or the org chart.",
            field="steps",
        )
    return approvers


def _chain(uow: UnitOfWork, user: User, levels: int) -> list[User]:
    chain: list[User] = []
    current = user
    while current.manager_id is not None and len(chain) < min(levels, MAX_CHAIN):
        current = uow.records(USERS).get(current.manager_id)
        chain.append(current)
    return chain


def add_held_request(
    uow: UnitOfWork,
    now: datetime,
    kind: RecordType[N],
    trigger: tuple[str, str],
    request: N,
    *,
    submitted_by: str | None,
) -> N:
    """Store a new ``request`` of ``kind`` and hold it for approval under ``trigger``
    (record type, action) if a flow's condition matches it (see :func:`hold_for_approval`)."""
    stored = uow.records(kind).add(request)
    hold_for_approval(
        uow, now, record_type=trigger[0], action=trigger[1], subject_id=stored.id,
        subject_label=stored.number, submitted_by=submitted_by,
        values=record_values(kind, stored),
    )  # fmt: skip
    return stored


def hold_for_approval(
    uow: UnitOfWork,
    now: datetime,
    *,
    record_type: str,
    action: str,
    subject_id: str,
    subject_label: str,
    values: Mapping[str, object] | Callable[[], Mapping[str, object]],
    submitted_by: str | None,
) -> ApprovalInstance | None:
    """Start an approval instance for the record if an active flow's condition matches
    its ``values`` (the first matching flow applies); ``None`` if none matches.
    ``values`` may be a function giving them, called only if the tenant has an active
    flow of the trigger.

    Raises:
        NotFound: ``submitted_by`` names no user of the tenant.
        NoApprover: the flow's first step has no approver but the submitter.
    """
    if submitted_by is not None:
        uow.records(USERS).get(submitted_by)
    flows = active_flows(uow, record_type, action)
    if not flows:
        return None
    given = values() if callable(values) else values
    for flow in flows:
        if not evaluate(flow.condition, given, now=now):
            continue
        first = flow.steps[0]
        approvers = resolve_approvers(uow, flow.code, 1, first, submitted_by)
        instance = ApprovalInstance(
            id=new_id(), tenant_id=uow.tenant_id, flow_id=flow.id, flow_code=flow.code,
            record_type=record_type, action=action, subject_id=subject_id,
            subject_label=subject_label[:64], submitted_by=submitted_by,
            status=ApprovalStatus.PENDING, step_no=1, due_at=due(first, now), escalated=False,
            reason=None, created_at=now, updated_at=now, steps=flow.steps,
            approvers=approvers, approved_by=(),
            history=(ApprovalEntry(now, ApprovalAction.SUBMITTED, 1, submitted_by, None,
                                   flow.name[:200]),),
        )  # fmt: skip
        stored = uow.records(APPROVAL_INSTANCES).add(instance)
        claim_outbox(uow)
        write_events(uow, [decision_event(stored)], now)
        return stored
    return None


def open_instance(uow: UnitOfWork, record_type: str, subject_id: str) -> ApprovalInstance | None:
    """The pending approval instance holding the record, if any."""
    page = uow.records(APPROVAL_INSTANCES).find(
        Equals("subject_id", subject_id), Equals("status", ApprovalStatus.PENDING), limit=20
    )
    found = [i for i in page.items if i.record_type == record_type]
    return found[0] if found else None


def refuse_if_held(
    uow: UnitOfWork, record_type: str, subject_id: str, entity: str, label: str
) -> None:
    """Refuse a direct approve or reject of a record that an approval flow holds.

    Raises:
        ApprovalPending: a pending approval instance holds the record.
    """
    held = open_instance(uow, record_type, subject_id)
    if held is not None:
        raise ApprovalPending(entity, label, held.id)


_EVENT_OF = {
    ApprovalAction.APPROVED: ApprovalEvent.APPROVED,
    ApprovalAction.REJECTED: ApprovalEvent.REJECTED,
    ApprovalAction.TIMED_OUT: ApprovalEvent.REJECTED,
    ApprovalAction.ESCALATED: ApprovalEvent.ESCALATED,
    ApprovalAction.SUBMITTED: ApprovalEvent.REQUESTED,
}


def decision_event(inst: ApprovalInstance) -> PendingEvent:
    """The outbox event of the decision that last changed ``inst`` (its last trail line)."""
    entry = inst.history[-1]
    return PendingEvent(_EVENT_OF[entry.action], inst.id, approval_payload(inst, entry))
