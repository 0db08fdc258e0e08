"""Checking workflow rule actions when a rule is saved, and applying them in the unit of
work of the event they fire on (see :mod:`crmkit.domain.workflows`)."""

from __future__ import annotations

import enum
import json
from collections.abc import Sequence
from datetime import datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

import attrs

from crmkit.domain import ConcurrencyConflict, CrmkitError, StorageError, ValidationError
from crmkit.domain.conditions import (
    CUSTOM_PREFIX,
    InvalidCondition,
    condition_fields,
    condition_from_json,
    condition_to_json,
)
from crmkit.domain.custom_fields import CUSTOM_FIELD_DEFINITIONS
from crmkit.domain.front_office.customers import CUSTOMERS
from crmkit.domain.front_office.leads import LEADS
from crmkit.domain.front_office.people import TASKS, USERS, Task, TaskStatus
from crmkit.domain.front_office.pools import POOL_EVENTS, POOLS, PoolAction, PoolEvent
from crmkit.domain.ids import new_id
from crmkit.domain.outbox import OutboxEvent
from crmkit.domain.receivables.plans import MAX_INSTALMENTS, PAYMENT_PLANS
from crmkit.domain.records import CUSTOM_FIELD, TENANT_FIELD, VERSION_FIELD, FieldKind, RecordType
from crmkit.domain.text import clean_text
from crmkit.domain.workflows import (
    CONDITION_MAX_LENGTH,
    EVENT_FIELDS,
    EVENT_PREFIX,
    MAX_ACTIONS,
    MAX_DUE_DAYS,
    WORKFLOW_CALLS,
    ActionKind,
    CallStatus,
    RuleAction,
    WorkflowCall,
    WorkflowRule,
    field_value,
    render,
)
from crmkit.services.front_office.pool_support import released
from crmkit.services.ports import UnitOfWork
from crmkit.services.receivables.plans import new_plan

POOLED_TYPES = ("customer", "lead")


def rule_fields(uow: UnitOfWork, event: str, subject: RecordType[Any] | None) -> dict[str, Any]:
    """The fields a rule's condition may read: the subject's and ``event.<member>``."""
    fields: dict[str, Any] = {EVENT_PREFIX + k: v for k, v in EVENT_FIELDS.get(event, {}).items()}
    if subject is not None:
        definitions = uow.records(CUSTOM_FIELD_DEFINITIONS).find(limit=200).items
        fields.update(condition_fields(subject, definitions))
    return fields


def check_actions(
    uow: UnitOfWork, actions: Sequence[object], event: str, subject: RecordType[Any] | None
) -> tuple[RuleAction, ...]:
    """The actions, checked for a rule on ``event`` about ``subject``.

    Raises:
        ValidationError: not 1 to 10 actions, or an action that cannot work here.
        NotFound: a task's assignee is no user.
    """
    if isinstance(actions, str | bytes) or not 1 <= len(actions) <= MAX_ACTIONS:
        raise ValidationError(f"a workflow rule has 1 to {MAX_ACTIONS} actions.", field="actions")
    checked: list[RuleAction] = []
    for n, action in enumerate(actions, 1):
        if not isinstance(action, RuleAction) or not isinstance(action.kind, ActionKind):
            raise ValidationError(f"action {n} is not a RuleAction.", field="actions")
        checked.append(_check(uow, n, action, event, subject))
    return tuple(checked)


def _check(
    uow: UnitOfWork, n: int, action: RuleAction, event: str, subject: RecordType[Any] | None
) -> RuleAction:
    what = f"action {n} ({action.kind.value})"
    if not isinstance(action.target, str) or not isinstance(action.value, str):
        raise ValidationError(f"{what}: target and value are text.", field="actions")
    if isinstance(action.days, bool) or not isinstance(action.days, int):
        raise ValidationError(f"{what}: days is a whole number.", field="actions")
    kind = action.kind
    if kind is ActionKind.CREATE_TASK:
        user = uow.records(USERS).get(action.target)
        title = clean_text(action.value, f"{what} title", max_length=200)
        _days(what, action.days, 0, MAX_DUE_DAYS)
        return attrs.evolve(action, target=user.id, value=title)
    if kind is ActionKind.NOTIFY:
        channel = clean_text(action.target, f"{what} channel", max_length=64)
        message = clean_text(action.value, f"{what} message", max_length=500)
        return attrs.evolve(action, target=channel, value=message)
    if kind is ActionKind.CREATE_PAYMENT_PLAN:
        if "order_id" not in EVENT_FIELDS.get(event, {}):
            raise ValidationError(
                f"{what}: event {event!r} names no order; plan payments on an order event.",
                field="actions",
            )
        percents(action.value, what)
        _days(what, action.days, 1, 365)
        return action
    if subject is None:
        raise ValidationError(
            f"{what} changes the event's record: give the rule a subject_type.", field="actions"
        )
    if kind is ActionKind.RETURN_TO_POOL:
        if subject.scope not in POOLED_TYPES:
            raise ValidationError(
                f"{what}: only customers and leads return to a pool, not {subject.entity}.",
                field="actions",
            )
        return attrs.evolve(
            action, value=clean_text(action.value, f"{what} reason", max_length=200)
        )
    new_value(uow, subject, action, what)
    return action


def new_value(uow: UnitOfWork, subject: RecordType[Any], action: RuleAction, what: str) -> object:
    """The value a ``set_field`` action writes (an enum member for an enum field).

    Raises:
        ValidationError: no such settable field, or a value it cannot hold.
    """
    kind, nullable = settable(uow, subject, action.target, what)
    value = field_value(kind, action.value, nullable, what)
    if action.target.startswith(CUSTOM_PREFIX) and value is not None:
        key = action.target.removeprefix(CUSTOM_PREFIX)
        definitions = uow.records(CUSTOM_FIELD_DEFINITIONS).find(limit=200).items
        for definition in definitions:
            if (
                definition.record_type == subject.scope
                and definition.key == key
                and (definition.choices and value not in definition.choices)
            ):
                raise ValidationError(
                    f"{what}: {action.target} is one of {list(definition.choices)}, not {value!r}.",
                    field="actions",
                )
    members = _enum_of(subject, action.target)
    if members is None or value is None:
        return value
    try:
        return members(value)
    except ValueError:
        raise ValidationError(
            f"{what}: {action.target} is one of {[m.value for m in members]}, not {value!r}.",
            field="actions",
        ) from None


def _enum_of(subject: RecordType[Any], name: str) -> type[enum.Enum] | None:
    hint = subject.attribute_types().get(name)
    for candidate in getattr(hint, "__args__", (hint,)):
        if isinstance(candidate, type) and issubclass(candidate, enum.Enum):
            return candidate
    return None


def settable(
    uow: UnitOfWork, subject: RecordType[Any], name: str, what: str
) -> tuple[FieldKind, bool]:
    """The kind of the subject's field ``name`` and whether it may be emptied.

    Raises:
        ValidationError: the subject has no such field, or it is its key or fixed.
    """
    if name.startswith(CUSTOM_PREFIX) and subject.custom_fields:
        fields = condition_fields(
            subject, uow.records(CUSTOM_FIELD_DEFINITIONS).find(limit=200).items
        )
        if name in fields:
            return fields[name], True
    declared = {f.name: f for f in subject.fields}
    fixed = {field for field, _ in subject.fixed}
    if name not in declared or name in {subject.key, TENANT_FIELD, VERSION_FIELD, *fixed}:
        raise ValidationError(
            f"{what}: {subject.entity} has no field {name!r} a rule may set.", field="actions"
        )
    return declared[name].kind, declared[name].nullable


def percents(raw: str, what: str) -> list[Decimal]:
    """The instalment percentages of a payment plan action (they must sum to 100).

    Raises:
        ValidationError: not 1 to 60 positive numbers summing to 100.
    """
    try:
        parts = [Decimal(p) for p in raw.split(",")]
    except InvalidOperation:
        parts = []
    if not 1 <= len(parts) <= MAX_INSTALMENTS or any(not p.is_finite() or p <= 0 for p in parts):
        parts = []
    if sum(parts, Decimal(0)) != 100:
        raise ValidationError(
            f"{what}: percentages are 1 to {MAX_INSTALMENTS} positive numbers summing to 100, "
            f"like '50,50'.",
            field="actions",
        )
    return parts


def _days(what: str, days: int, low: int, high: int) -> None:
    if not low <= days <= high:
        raise ValidationError(f"{what}: days is {low} to {high}, got {days}.", field="actions")


@attrs.frozen
class Firing:
    """What the actions of one rule on one event see."""

    rule: WorkflowRule
    event: OutboxEvent
    subject: RecordType[Any] | None
    key: str | None
    values: dict[str, object]
    now: datetime
    tag: str = ""
    """The firing's prefix of call keys (``""``: the event position, 12 digits)."""


def apply_all(uow: UnitOfWork, firing: Firing) -> str | None:
    """Apply the actions of the firing's rule in order, in ``uow``: why the first refused
    one was refused (its number, kind and error), or ``None`` once all are applied.

    Raises:
        ConcurrencyConflict, StorageError: as an action raised it (the firing is not
            recorded as failed: the unit of work is retried, or the command fails).
    """
    for n, action in enumerate(firing.rule.actions, 1):
        try:
            apply(uow, firing, n, action)
        except (ConcurrencyConflict, StorageError):
            raise
        except CrmkitError as error:
            return f"action {n} ({action.kind.value}): {error}"
    return None


def apply(uow: UnitOfWork, firing: Firing, n: int, action: RuleAction) -> None:
    """Apply action ``n`` of a rule in ``uow``.

    Raises:
        CrmkitError: the action cannot be applied (the caller records the rule as failed).
    """
    rule, event, values = firing.rule, firing.event, firing.values
    kind = action.kind
    if kind is ActionKind.CREATE_TASK:
        user = uow.records(USERS).get(action.target)
        title = clean_text(render(action.value, values)[:200], "task title", max_length=200)
        due = event.occurred_at + timedelta(days=action.days)
        subject = None if firing.subject is None else firing.subject.scope
        task = Task(new_id(), uow.tenant_id, title, user.id, due, TaskStatus.OPEN, subject,
                    firing.key, firing.now, {})  # fmt: skip
        uow.records(TASKS).add(task)
    elif kind is ActionKind.NOTIFY:
        call_id = f"{firing.tag or f'{event.position:012d}'}.{rule.id}.{n:02d}"
        message = render(action.value, values).strip()[:500] or "-"
        uow.records(WORKFLOW_CALLS).add(
            WorkflowCall(
                call_id,
                uow.tenant_id,
                rule.id,
                action.target,
                message,
                firing.key,
                CallStatus.PENDING,
                firing.now,
                None,
            )
        )
    elif kind is ActionKind.CREATE_PAYMENT_PLAN:
        order_id = str(values.get(EVENT_PREFIX + "order_id") or "")
        parts = percents(action.value, "payment plan action")
        start = event.occurred_at.date()
        dues = [start + timedelta(days=action.days * (i + 1)) for i in range(len(parts))]
        plan = new_plan(uow, order_id, dues, parts, True, (-3, 0, 7), firing.now)
        uow.records(PAYMENT_PLANS).add(plan)
    elif kind is ActionKind.RETURN_TO_POOL:
        _return(uow, firing, render(action.value, values)[:200])
    else:
        _set(uow, firing, action)


def _set(uow: UnitOfWork, firing: Firing, action: RuleAction) -> None:
    subject, key = firing.subject, firing.key
    assert subject is not None  # checked when the rule was saved
    assert key is not None
    records: Any = uow.records(subject)
    record = records.get(key)
    value = new_value(uow, subject, action, "set_field action")
    if action.target.startswith(CUSTOM_PREFIX) and action.target not in {
        f.name for f in subject.fields
    }:
        custom = dict(getattr(record, CUSTOM_FIELD))
        name = action.target.removeprefix(CUSTOM_PREFIX)
        if value is None:
            custom.pop(name, None)
        else:
            custom[name] = value
        records.update(attrs.evolve(record, **{CUSTOM_FIELD: custom}))
        return
    records.update(attrs.evolve(record, **{action.target: value}))


def _return(uow: UnitOfWork, firing: Firing, reason: str) -> None:
    assert firing.subject is not None  # checked when the rule was saved
    assert firing.key is not None
    record_type: RecordType[Any] = CUSTOMERS if firing.subject.scope == "customer" else LEADS
    records: Any = uow.records(record_type)
    record: Any = records.get(firing.key)
    if record.owner_id is None or record.pool_id is None:
        return  # nobody holds it: nothing to return
    pool = uow.records(POOLS).get(record.pool_id)
    owner = record.owner_id
    returned: Any = records.update(released(record, None, firing.now))
    uow.records(POOL_EVENTS).add(
        PoolEvent(
            new_id(),
            uow.tenant_id,
            pool.id,
            pool.kind,
            returned.id,
            PoolAction.RETURN,
            owner,
            None,
            reason or "workflow rule",
            firing.now,
            returned.version,
        )
    )


def condition_json(condition: object) -> dict[str, object]:
    """The JSON of a condition handed in, checked by reading it back.

    Raises:
        InvalidCondition: it is not a well-formed condition.
    """
    try:
        data = condition_to_json(condition)  # type: ignore[arg-type]
    except (AttributeError, TypeError, ValueError, KeyError, RecursionError):
        raise InvalidCondition(
            f"the condition must be a condition node (eq, gt, All, ...), not "
            f"{type(condition).__name__}.",
            field="condition",
        ) from None
    condition_from_json(data)
    return data


def stored_condition(condition: object) -> str:
    """The JSON text of a rule's condition, as stored.

    Raises:
        InvalidCondition: not a well-formed condition, or over 4000 characters as JSON.
    """
    text = json.dumps(condition_json(condition))
    if len(text) > CONDITION_MAX_LENGTH:
        raise InvalidCondition(
            f"the condition is too long (over {CONDITION_MAX_LENGTH} characters as JSON).",
            field="condition",
        )
    return text


def subject_type(scope: object) -> RecordType[Any]:
    name = clean_text(scope, "subject type", max_length=64)
    found = RecordType.named(name)
    if found is None:
        raise ValidationError(
            f"no record type {name!r} is declared; name one like 'customer' or 'lead'.",
            field="subject_type",
        )
    return found


class RuleFailed(Exception):
    """An action of a rule was refused: the event's unit of work is rolled back and run
    again with the rule recorded as failed."""

    def __init__(self, position: int, rule_id: str, reason: str) -> None:
        super().__init__(reason)
        self.position = position
        self.rule_id = rule_id
        self.reason = reason
