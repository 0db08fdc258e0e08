"""审批流 Approval flows: who must approve a record's action before it takes effect.

An :class:`ApprovalFlow` has a trigger (a record type, an action and a condition on the
record's values) and ordered :class:`ApprovalStep` s. When an action is triggered, an
:class:`ApprovalInstance` holds the record: each step's approvers are resolved when the
step starts (a user, every active user of a role, or the submitter's manager ``levels`` up
the org chart), never including the submitter (no self-approval). A step passes when any
one (``ANY``) or every one (``ALL``) of its approvers approved; the last step's approval
lets the held action proceed in the same unit of work. One rejection ends the instance.
A step with a timeout escalates once (to ``escalate_to``) or is rejected when it expires.
Every decision is kept in the instance's ``history`` (the audit trail).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

import attrs

from crmkit.domain.approval_flows import (
    APPROVAL_FLOWS,
    MAX_CONDITION_JSON,
    MAX_STEPS,
    MAX_TIMEOUT_HOURS,
    ApprovalAction,
    ApprovalFlow,
    ApprovalStatus,
    ApprovalStep,
    ApproverKind,
    OnTimeout,
    StepMode,
    check_steps,
    condition_text,
)
from crmkit.domain.ids import TenantId
from crmkit.domain.lifecycle import require_status
from crmkit.domain.outbox import payload
from crmkit.domain.records import FieldKind, RecordType, scalar, text

__all__ = [
    "APPROVAL_DELEGATIONS",
    "APPROVAL_FLOWS",
    "APPROVAL_INSTANCES",
    "APPROVAL_TYPES",
    "MAX_CONDITION_JSON",
    "MAX_STEPS",
    "MAX_TIMEOUT_HOURS",
    "ApprovalAction",
    "ApprovalDelegation",
    "ApprovalEntry",
    "ApprovalEvent",
    "ApprovalFlow",
    "ApprovalInstance",
    "ApprovalStatus",
    "ApprovalStep",
    "ApproverKind",
    "OnTimeout",
    "StepMode",
    "approval_payload",
    "check_steps",
    "condition_text",
    "due",
]


@attrs.frozen
class ApprovalEntry:
    """One line of the audit trail: who did what on which step (``on_behalf_of``: the
    approver a delegate acted for)."""

    at: datetime
    action: ApprovalAction
    step_no: int
    user_id: str | None
    on_behalf_of: str | None = None
    note: str | None = None


@attrs.frozen
class ApprovalInstance:
    """One record held by one flow: where it stands, who may decide now, what happened.

    ``step_no`` counts from 1; ``approvers`` are the current step's approvers and
    ``approved_by`` those of them who approved it; ``due_at`` is when the current step
    times out (``None``: never); ``steps`` are the flow's steps as they were at submission.
    """

    id: str
    tenant_id: TenantId
    flow_id: str
    flow_code: str
    record_type: str
    action: str
    subject_id: str
    subject_label: str
    submitted_by: str | None
    status: ApprovalStatus
    step_no: int
    due_at: datetime | None
    escalated: bool
    reason: str | None
    created_at: datetime
    updated_at: datetime
    steps: tuple[ApprovalStep, ...]
    approvers: tuple[str, ...]
    approved_by: tuple[str, ...]
    history: tuple[ApprovalEntry, ...]
    version: int = 1

    @property
    def step(self) -> ApprovalStep:
        """The current step."""
        return self.steps[self.step_no - 1]

    @property
    def waiting_for(self) -> tuple[str, ...]:
        """The current step's approvers who have not approved yet."""
        return tuple(a for a in self.approvers if a not in self.approved_by)

    def _open(self, action: str) -> None:
        require_status("ApprovalInstance", self.id, self.status, (ApprovalStatus.PENDING,), action)

    def approved(
        self, approver: str, user: str, now: datetime, note: str | None
    ) -> ApprovalInstance:
        """The instance after ``user`` approved as ``approver`` (themself or the one they
        stand in for). A passed step leaves ``approvers`` for :meth:`advanced` to set."""
        self._open("approve")
        entry = ApprovalEntry(now, ApprovalAction.APPROVED, self.step_no, user,
                              None if user == approver else approver, note)  # fmt: skip
        return attrs.evolve(
            self,
            approved_by=(*self.approved_by, approver),
            history=(*self.history, entry),
            updated_at=now,
        )

    @property
    def step_passed(self) -> bool:
        """Whether the current step has the approvals it needs."""
        if self.step.mode is StepMode.ANY:
            return bool(self.approved_by)
        return not self.waiting_for

    @property
    def last_step(self) -> bool:
        """Whether the current step is the flow's last."""
        return self.step_no == len(self.steps)

    def advanced(self, approvers: Iterable[str], now: datetime) -> ApprovalInstance:
        """The instance at its next step, waiting for ``approvers``."""
        step = self.steps[self.step_no]
        return attrs.evolve(
            self,
            step_no=self.step_no + 1,
            approvers=tuple(approvers),
            approved_by=(),
            due_at=due(step, now),
            escalated=False,
            updated_at=now,
        )

    def finished(self, now: datetime) -> ApprovalInstance:
        """The instance approved (after its last step passed)."""
        return attrs.evolve(self, status=ApprovalStatus.APPROVED, due_at=None, updated_at=now)

    def rejected(
        self, user: str | None, reason: str, now: datetime, *, on_behalf_of: str | None = None,
        action: ApprovalAction = ApprovalAction.REJECTED,
    ) -> ApprovalInstance:  # fmt: skip
        """The instance rejected by ``user`` (``None``: by the clock) with ``reason``."""
        self._open("reject")
        entry = ApprovalEntry(now, action, self.step_no, user, on_behalf_of, reason)
        return attrs.evolve(
            self,
            status=ApprovalStatus.REJECTED,
            reason=reason,
            due_at=None,
            history=(*self.history, entry),
            updated_at=now,
        )

    def escalated_to(self, user: str, now: datetime) -> ApprovalInstance:
        """The current step, past its timeout, now waiting for ``user`` (once)."""
        self._open("escalate")
        step = self.step
        entry = ApprovalEntry(now, ApprovalAction.ESCALATED, self.step_no, None, None,
                              f"timed out; escalated to {user}")  # fmt: skip
        return attrs.evolve(
            self,
            approvers=(*self.approved_by, user) if step.mode is StepMode.ALL else (user,),
            escalated=True,
            due_at=due(step, now),
            history=(*self.history, entry),
            updated_at=now,
        )


def due(step: ApprovalStep, now: datetime) -> datetime | None:
    """When ``step``, started ``now``, times out."""
    return None if step.timeout_hours is None else now + timedelta(hours=step.timeout_hours)


APPROVAL_INSTANCES: RecordType[ApprovalInstance] = RecordType(
    ApprovalInstance,
    entity="ApprovalInstance",
    name="approval_instance",
    fields=(
        text("id", 32),
        text("flow_id", 32, indexed=True),
        text("flow_code", 32),
        text("record_type", 32, indexed=True),
        text("action", 32),
        text("subject_id", 32, indexed=True),
        text("subject_label", 64),
        text("submitted_by", 32, nullable=True, indexed=True),
        text("status", 16, indexed=True),
        scalar("step_no", FieldKind.INTEGER),
        scalar("due_at", FieldKind.DATETIME, nullable=True, indexed=True),
        scalar("escalated", FieldKind.BOOLEAN),
        text("reason", 500, nullable=True),
        scalar("created_at", FieldKind.DATETIME, indexed=True),
        scalar("updated_at", FieldKind.DATETIME),
    ),
    nested=("steps", "approvers", "approved_by", "history"),
)


@attrs.frozen
class ApprovalDelegation:
    """While ``user_id`` is away (``starts_at`` <= now < ``ends_at``), ``delegate_id`` may
    decide in their place; the audit trail names both."""

    id: str
    tenant_id: TenantId
    user_id: str
    delegate_id: str
    starts_at: datetime
    ends_at: datetime
    created_at: datetime
    version: int = 1

    def covers(self, now: datetime) -> bool:
        """Whether the delegation is in force at ``now``."""
        return self.starts_at <= now < self.ends_at


APPROVAL_DELEGATIONS: RecordType[ApprovalDelegation] = RecordType(
    ApprovalDelegation,
    entity="ApprovalDelegation",
    name="approval_delegation",
    fields=(
        text("id", 32),
        text("user_id", 32, indexed=True),
        text("delegate_id", 32, indexed=True),
        scalar("starts_at", FieldKind.DATETIME),
        scalar("ends_at", FieldKind.DATETIME, indexed=True),
        scalar("created_at", FieldKind.DATETIME),
    ),
)

APPROVAL_TYPES: tuple[RecordType[Any], ...] = (
    APPROVAL_FLOWS,
    APPROVAL_INSTANCES,
    APPROVAL_DELEGATIONS,
)
"""The approval record types; one migration (``0011_approvals``) creates their tables."""


class ApprovalEvent:
    """The stable names of the outbox events of approval decisions (workflow rules react
    to these); the aggregate is the approval instance."""

    REQUESTED = "approval.requested"
    APPROVED = "approval.approved"
    """One approver approved; ``status`` is ``approved`` when that finished the instance."""
    REJECTED = "approval.rejected"
    """An approver rejected, or the step timed out (``decision`` ``timed_out``)."""
    ESCALATED = "approval.escalated"


def approval_payload(inst: ApprovalInstance, entry: ApprovalEntry) -> str:
    """The event payload of ``inst`` after the decision ``entry`` (its last trail line)."""
    return payload(
        instance_id=inst.id,
        flow_code=inst.flow_code,
        record_type=inst.record_type,
        action=inst.action,
        subject_id=inst.subject_id,
        subject_label=inst.subject_label,
        status=inst.status.value,
        decision=entry.action.value,
        step_no=entry.step_no,
        user_id=entry.user_id,
        on_behalf_of=entry.on_behalf_of,
        note=entry.note,
    )
