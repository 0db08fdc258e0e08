"""工作流 Workflow rules: when an outbox event matches a condition, run actions.

A :class:`WorkflowRule` names the outbox event it reacts to (``sales_order.confirmed``,
``payment_plan.reminder``, ...), optionally the record the event is about (its *subject*:
a declared record type and the payload member holding the record's key), a condition
(:mod:`crmkit.domain.conditions`, stored as JSON) and ordered actions.

A condition reads the subject record's fields (``status``, ``custom.tier``) and the event's
payload members as ``event.<member>``, typed by :data:`EVENT_FIELDS` for crmkit's events.

Time-based rules on instalments reuse the receivables reminders: :func:`days_after_due`
makes a rule on ``payment_plan.reminder`` that fires for the reminder raised ``days``
after an instalment's due date (the plan must list that offset among its reminders).

Every firing of a rule on an event is recorded once as a :class:`WorkflowFiring`; every
call out through the application's notifier is a :class:`WorkflowCall` written with the
firing and delivered after it, keyed ``<position>.<rule id>.<action no>``.
"""

from __future__ import annotations

import enum
import hashlib
import json
import re
from collections.abc import Mapping
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

import attrs

from crmkit.domain.approvals import ApprovalEvent
from crmkit.domain.conditions import Compare, eq
from crmkit.domain.errors import ValidationError
from crmkit.domain.ids import TenantId
from crmkit.domain.outbox import EventName
from crmkit.domain.receivables.plans import REMINDER_EVENT
from crmkit.domain.records import FieldKind, RecordType, scalar, text

EVENT_PREFIX = "event."
CONDITION_MAX_LENGTH = 4000
MAX_ACTIONS = 10
MAX_DUE_DAYS = 3660

_ORDER_EVENT_FIELDS = {"order_id": FieldKind.TEXT, "number": FieldKind.TEXT,
                       "status": FieldKind.TEXT}  # fmt: skip
TIME_EVENT = "workflow.date_reached"
"""The event name of time rules' firings (a condition reads ``event.date_field``,
``event.date``, ``event.offset_days`` and ``event.due_on``)."""
EVENT_FIELDS: dict[str, dict[str, FieldKind]] = {
    TIME_EVENT: {
        "date_field": FieldKind.TEXT,
        "date": FieldKind.DATE,
        "offset_days": FieldKind.INTEGER,
        "due_on": FieldKind.DATE,
    },
    **{
        getattr(EventName, name): dict(_ORDER_EVENT_FIELDS)
        for name in vars(EventName)
        if name.isupper() and getattr(EventName, name).startswith("sales_order.")
    },
    REMINDER_EVENT: {
        "order_id": FieldKind.TEXT,
        "number": FieldKind.TEXT,
        "customer_id": FieldKind.TEXT,
        "instalment": FieldKind.INTEGER,
        "due_on": FieldKind.DATE,
        "offset_days": FieldKind.INTEGER,
        "left": FieldKind.DECIMAL,
        "currency": FieldKind.TEXT,
        "status": FieldKind.TEXT,
    },
    **{
        name: {
            **dict.fromkeys(
                (
                    "instance_id",
                    "flow_code",
                    "record_type",
                    "action",
                    "subject_id",
                    "subject_label",
                    "status",
                    "decision",
                    "user_id",
                    "on_behalf_of",
                    "note",
                ),
                FieldKind.TEXT,
            ),
            "step_no": FieldKind.INTEGER,
        }
        for name in (
            ApprovalEvent.REQUESTED,
            ApprovalEvent.APPROVED,
            ApprovalEvent.REJECTED,
            ApprovalEvent.ESCALATED,
        )
    },
}
"""The payload members a condition may read (as ``event.<member>``), per event name."""


class ActionKind(enum.Enum):
    """What an action of a workflow rule does."""

    CREATE_TASK = "create_task"
    """A follow-up task: ``target`` the assignee's user id, ``value`` the title template,
    ``days`` the days from the event until it is due; linked to the subject record."""
    SET_FIELD = "set_field"
    """``target`` a field of the subject record (``custom.<key>`` for a custom field),
    ``value`` the new value as text (``""`` empties a nullable field)."""
    NOTIFY = "notify"
    """A call to the application's notifier: ``target`` the channel, ``value`` the
    message template; at least once, with a stable key."""
    CREATE_PAYMENT_PLAN = "create_payment_plan"
    """A payment plan for the event's order (``event.order_id``): ``value`` the instalment
    percentages (``"50,50"``), ``days`` the days between due dates (the first is due
    ``days`` after the event)."""
    RETURN_TO_POOL = "return_to_pool"
    """Return the subject customer or lead to its pool (``value`` the reason template)."""


@attrs.frozen
class RuleAction:
    """One action of a workflow rule (see :class:`ActionKind` for each kind's parts).

    Templates (titles, messages, reasons) may use ``{position}``, ``{rule}``, ``{key}``
    (the record's key), ``{event.<member>}`` and the subject's fields by name.
    """

    kind: ActionKind
    target: str = ""
    value: str = ""
    days: int = 0


def create_task(assignee_id: str, title: str, *, due_in_days: int = 1) -> RuleAction:
    """An action creating a follow-up task for ``assignee_id``."""
    return RuleAction(ActionKind.CREATE_TASK, assignee_id, title, due_in_days)


def set_field(field: str, value: object) -> RuleAction:
    """An action setting ``field`` of the subject record to ``value``."""
    shown = value.isoformat() if isinstance(value, date) else str(value)
    if isinstance(value, bool):
        shown = "true" if value else "false"
    return RuleAction(ActionKind.SET_FIELD, field, "" if value is None else shown)


def notify(channel: str, message: str) -> RuleAction:
    """An action calling the application's notifier on ``channel`` with ``message``."""
    return RuleAction(ActionKind.NOTIFY, channel, message)


def create_payment_plan(percents: tuple[Decimal, ...], *, days_apart: int) -> RuleAction:
    """An action planning the event's order in instalments of ``percents``."""
    return RuleAction(
        ActionKind.CREATE_PAYMENT_PLAN, "", ",".join(str(p) for p in percents), days_apart
    )


def return_to_pool(reason: str) -> RuleAction:
    """An action returning the subject customer or lead to its pool."""
    return RuleAction(ActionKind.RETURN_TO_POOL, "", reason)


@attrs.frozen
class WorkflowRule:
    """A workflow rule (see the module doc); ``condition`` is its JSON text (``None``:
    every event)."""

    id: str
    tenant_id: TenantId
    name: str
    event: str
    subject_type: str | None
    subject_key: str | None
    """The payload member holding the subject's key (``None``: the event's aggregate id)."""
    condition: str | None
    actions: tuple[RuleAction, ...]
    active: bool
    created_at: datetime
    version: int = 1
    date_field: str | None = None
    """A time rule's date field of the subject (``custom.<key>`` for a custom field);
    ``None`` for a rule on an outbox event."""
    offset_days: int | None = None
    """A time rule fires ``offset_days`` after the date field's value (negative: before)."""

    @property
    def timed(self) -> bool:
        """Whether this is a time rule (run by ``run_due``, not by events)."""
        return self.date_field is not None


def time_firing_id(rule_id: str, record_key: str, on: date) -> str:
    """The key of the firing of time rule ``rule_id`` for a record's date value ``on``:
    one per (rule, record, date value)."""
    digest = hashlib.sha256(f"{rule_id}|{record_key}|{on.isoformat()}".encode()).hexdigest()
    return f"t.{digest[:40]}"


def days_after_due(days: int) -> tuple[str, Compare]:
    """The event and condition of a rule firing ``days`` after an instalment's due date:
    the ``payment_plan.reminder`` raised for that offset (negative: before). Combine the
    condition with others through ``All``."""
    return REMINDER_EVENT, eq(EVENT_PREFIX + "offset_days", days)


class CallStatus(enum.Enum):
    """Whether a call out has been delivered to the notifier."""

    PENDING = "pending"
    SENT = "sent"


@attrs.frozen
class WorkflowFiring:
    """Rule ``rule_id`` fired on the event at ``position`` (written once per pair, in the
    unit of work that applies its actions and moves the consumer's position)."""

    id: str
    tenant_id: TenantId
    rule_id: str
    position: int
    event: str
    record_key: str | None
    fired_at: datetime
    outcome: str
    """``done``, or ``failed: <why>`` when an action was refused (then none of the rule's
    actions took effect)."""
    version: int = 1


def firing_id(position: int, rule_id: str) -> str:
    """The key of the firing of ``rule_id`` on the event at ``position``."""
    return f"{position:012d}.{rule_id}"


@attrs.frozen
class WorkflowCall:
    """A call out through the notifier; ``id`` is its stable key, in event order."""

    id: str
    tenant_id: TenantId
    rule_id: str
    channel: str
    message: str
    record_key: str | None
    status: CallStatus
    created_at: datetime
    sent_at: datetime | None
    version: int = 1


def render(template: str, values: Mapping[str, object]) -> str:
    """``template`` with each ``{name}`` replaced by ``values[name]`` (unknown names are
    left as they are); no format specs or attribute access."""

    def one(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in values:
            return match.group(0)
        value = values[name]
        return "" if value is None else str(getattr(value, "value", value))

    return re.sub(r"\{([\w.]+)\}", one, template)


def event_values(event: str, data: Mapping[str, Any]) -> dict[str, object]:
    """The payload ``data`` of ``event`` as ``event.<member>`` values, typed by
    :data:`EVENT_FIELDS` (members of events it does not know stay as JSON gives them)."""
    kinds = EVENT_FIELDS.get(event, {})
    values: dict[str, object] = {}
    for member, raw in data.items():
        if member == "schema_version":
            continue
        values[EVENT_PREFIX + member] = _typed(kinds.get(member), raw)
    return values


def _typed(kind: FieldKind | None, raw: object) -> object:
    try:
        if kind is FieldKind.DECIMAL and isinstance(raw, str | int):
            return Decimal(raw)
        if kind is FieldKind.DATE and isinstance(raw, str):
            return date.fromisoformat(raw)
        if kind is FieldKind.DATETIME and isinstance(raw, str):
            return datetime.fromisoformat(raw)
    except (ValueError, InvalidOperation):
        return None
    return raw


def field_value(  # noqa: PLR0911 - one return per field kind
    kind: FieldKind, raw: str, nullable: bool, what: str
) -> object:
    """The value of the text ``raw`` for a field of ``kind`` (``set_field`` actions).

    Raises:
        ValidationError: ``raw`` is not a value of that kind.
    """
    if raw == "":
        if nullable:
            return None
        if kind is not FieldKind.TEXT:
            raise ValidationError(f"{what} cannot be emptied; give a value.")
    try:
        if kind is FieldKind.INTEGER:
            return int(raw)
        if kind is FieldKind.DECIMAL:
            return Decimal(raw)
        if kind is FieldKind.BOOLEAN:
            if raw not in ("true", "false"):
                raise ValueError(raw)
            return raw == "true"
        if kind is FieldKind.DATE:
            return date.fromisoformat(raw)
        if kind is FieldKind.DATETIME:
            moment = datetime.fromisoformat(raw)
            if moment.utcoffset() is None:
                raise ValueError(raw)
            return moment
    except (ValueError, InvalidOperation):
        raise ValidationError(
            f"{what} takes a {kind.value} value; {json.dumps(raw)} is not one.",
            field="value",
        ) from None
    return raw


WORKFLOW_RULES: RecordType[WorkflowRule] = RecordType(
    WorkflowRule,
    entity="WorkflowRule",
    name="workflow_rule",
    fields=(
        text("id", 32),
        text("name", 200),
        text("event", 64, indexed=True),
        text("subject_type", 64, nullable=True),
        text("subject_key", 64, nullable=True),
        text("condition", CONDITION_MAX_LENGTH, nullable=True),
        scalar("active", FieldKind.BOOLEAN),
        scalar("created_at", FieldKind.DATETIME),
        text("date_field", 64, nullable=True),
        scalar("offset_days", FieldKind.INTEGER, nullable=True),
    ),
    unique=(("name",),),
    nested=("actions",),
)
WORKFLOW_FIRINGS: RecordType[WorkflowFiring] = RecordType(
    WorkflowFiring,
    entity="WorkflowFiring",
    name="workflow_firing",
    fields=(
        text("id", 80),
        text("rule_id", 32, indexed=True),
        scalar("position", FieldKind.INTEGER, indexed=True),
        text("event", 64),
        text("record_key", 64, nullable=True, indexed=True),
        scalar("fired_at", FieldKind.DATETIME),
        text("outcome", 300),
    ),
)
WORKFLOW_CALLS: RecordType[WorkflowCall] = RecordType(
    WorkflowCall,
    entity="WorkflowCall",
    name="workflow_call",
    fields=(
        text("id", 80),
        text("rule_id", 32),
        text("channel", 64),
        text("message", 500),
        text("record_key", 64, nullable=True),
        text("status", 16, indexed=True),
        scalar("created_at", FieldKind.DATETIME),
        scalar("sent_at", FieldKind.DATETIME, nullable=True),
    ),
)
