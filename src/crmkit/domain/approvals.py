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

import enum
import json
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

import attrs

from crmkit.domain.conditions import Condition, condition_from_json, condition_to_json
from crmkit.domain.errors import InvalidStateTransition, ValidationError
from crmkit.domain.ids import TenantId
from crmkit.domain.records import FieldKind, RecordType, scalar, text

MAX_STEPS = 10
MAX_CONDITION_JSON = 4000
MAX_TIMEOUT_HOURS = 24 * 365


class ApproverKind(enum.Enum):
    """Who approves a step."""

    USER = "user"
    """The user ``target`` (a user id)."""
    ROLE = "role"
    """Every active user whose role is ``target`` (a role value, e.g. ``"manager"``)."""
    MANAGER = "manager"
    """The submitter's manager, ``levels`` up the org chart (1: the direct manager)."""


class StepMode(enum.Enum):
    """How many of a step's approvers must approve."""

    ANY = "any"
    ALL = "all"


class OnTimeout(enum.Enum):
    """What happens when a step's timeout passes."""

    ESCALATE = "escalate"
    """Once: the approvers still to decide are replaced by ``escalate_to``, with a new
    timeout; when that one passes too, the instance is rejected."""
    REJECT = "reject"


class ApprovalStatus(enum.Enum):
    """Where an approval instance stands."""

    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"


class ApprovalAction(enum.Enum):
    """An entry of the audit trail."""

    SUBMITTED = "submitted"
    APPROVED = "approved"
    REJECTED = "rejected"
    ESCALATED = "escalated"
    TIMED_OUT = "timed_out"


@attrs.frozen
class ApprovalStep:
    """One step of a flow (see :class:`ApproverKind`, :class:`StepMode`, :class:`OnTimeout`)."""

    approver: ApproverKind
    target: str | None = None
    levels: int = 1
    mode: StepMode = StepMode.ANY
    timeout_hours: int | None = None
    on_timeout: OnTimeout = OnTimeout.REJECT
    escalate_to: str | None = None

    def check(self, where: str) -> None:
        """Raises ValidationError when the step is inconsistent (``where`` names it)."""
        kinds = (
            isinstance(self.approver, ApproverKind)
            and isinstance(self.mode, StepMode)
            and isinstance(self.on_timeout, OnTimeout)
        )
        if not kinds:
            raise ValidationError(f"{where}: approver, mode and on_timeout must be the enums.")
        if (self.approver is ApproverKind.MANAGER) != (self.target is None):
            raise ValidationError(
                f"{where}: a user or role step names its target (a user id or a role); a "
                f"manager step names none.",
                field="target",
            )
        if self.target is not None and not (
            isinstance(self.target, str) and 0 < len(self.target) <= 32
        ):
            raise ValidationError(
                f"{where}: the target must be 1 to 32 characters.", field="target"
            )
        if (
            not isinstance(self.levels, int)
            or isinstance(self.levels, bool)
            or not 1 <= self.levels <= 10
        ):
            raise ValidationError(f"{where}: levels must be 1 to 10.", field="levels")
        hours = self.timeout_hours
        if hours is not None and (
            not isinstance(hours, int)
            or isinstance(hours, bool)
            or not 0 < hours <= MAX_TIMEOUT_HOURS
        ):
            raise ValidationError(
                f"{where}: timeout_hours must be 1 to {MAX_TIMEOUT_HOURS}.", field="timeout_hours"
            )
        escalating = self.on_timeout is OnTimeout.ESCALATE
        if escalating != (self.escalate_to is not None) or (escalating and hours is None):
            raise ValidationError(
                f"{where}: an escalating step has a timeout and names escalate_to (a user id); "
                f"other steps name none.",
                field="escalate_to",
            )


@attrs.frozen
class ApprovalFlow:
    """审批流 A flow: when ``condition`` holds for a record of ``record_type`` at ``action``,
    the record waits for ``steps``. ``code`` is unique in the tenant; among several
    matching active flows the lowest ``priority`` (then code) applies."""

    id: str
    tenant_id: TenantId
    code: str
    name: str
    record_type: str
    action: str
    condition_json: str
    priority: int
    active: bool
    created_at: datetime
    updated_at: datetime
    steps: tuple[ApprovalStep, ...]
    version: int = 1

    @property
    def condition(self) -> Condition:
        """The trigger's condition."""
        return condition_from_json(json.loads(self.condition_json))


def condition_text(condition: Condition) -> str:
    """``condition`` as the compact JSON a flow stores.

    Raises:
        ValidationError: the JSON is longer than a flow keeps.
    """
    encoded = json.dumps(condition_to_json(condition), separators=(",", ":"), sort_keys=True)
    if len(encoded) > MAX_CONDITION_JSON:
        raise ValidationError(
            f"the condition is {len(encoded)} characters as JSON; a flow keeps at most "
            f"{MAX_CONDITION_JSON}. Simplify it.",
            field="condition",
        )
    return encoded


def check_steps(steps: object, flow: str) -> tuple[ApprovalStep, ...]:
    """The flow's steps, checked (1 to :data:`MAX_STEPS`)."""
    if not isinstance(steps, list | tuple) or not 0 < len(steps) <= MAX_STEPS:
        raise ValidationError(
            f"approval flow {flow!r} needs 1 to {MAX_STEPS} steps.", field="steps"
        )
    for n, step in enumerate(steps, 1):
        if not isinstance(step, ApprovalStep):
            raise ValidationError(
                f"step {n} of approval flow {flow!r} must be an ApprovalStep.", field="steps"
            )
        step.check(f"step {n} of approval flow {flow!r}")
    return tuple(steps)


APPROVAL_FLOWS: RecordType[ApprovalFlow] = RecordType(
    ApprovalFlow,
    entity="ApprovalFlow",
    name="approval_flow",
    fields=(
        text("id", 32),
        text("code", 32, indexed=True),
        text("name", 200),
        text("record_type", 32, indexed=True),
        text("action", 32, indexed=True),
        text("condition_json", MAX_CONDITION_JSON),
        scalar("priority", FieldKind.INTEGER),
        scalar("active", FieldKind.BOOLEAN, indexed=True),
        scalar("created_at", FieldKind.DATETIME),
        scalar("updated_at", FieldKind.DATETIME),
    ),
    unique=(("code",),),
    nested=("steps",),
)


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
        if self.status is not ApprovalStatus.PENDING:
            raise InvalidStateTransition("ApprovalInstance", self.id, self.status.value, action)

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
