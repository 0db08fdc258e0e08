"""审批流 Approval flow definitions: the steps, their approvers and timeouts, and the
flow (trigger and steps) as stored; instances live in :mod:`crmkit.domain.approvals`."""

from __future__ import annotations

import enum
import json
from datetime import datetime

import attrs

from crmkit.domain.conditions import Condition, condition_from_json, condition_to_json
from crmkit.domain.errors import ValidationError
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
