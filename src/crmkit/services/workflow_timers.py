"""Time rules of workflows: "``N`` days after a record's date field" (see
:meth:`crmkit.services.workflows.WorkflowService.run_due`).

A time rule names a record type, a date (or datetime) field of it, custom fields included,
and an offset in days. The scan fires it once per (rule, record, date value) whose due day
(the value plus the offset) has come and is not before the day the rule was saved: each
firing is a :class:`~crmkit.domain.workflows.WorkflowFiring` keyed by
:func:`~crmkit.domain.workflows.time_firing_id`, written in the unit of work that applies
the actions, so a crash before the commit fires again from scratch and one after it never
does; two scans racing on one firing conflict on its key and one of them skips it. A
record whose date changes fires again for the new date.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from crmkit.domain import (
    DuplicateRecord,
    NotFound,
)
from crmkit.domain.conditions import CUSTOM_PREFIX, condition_from_json, evaluate, record_values
from crmkit.domain.errors import ValidationError
from crmkit.domain.outbox import OutboxEvent, payload
from crmkit.domain.record_query import Between, Equals
from crmkit.domain.records import FieldKind, RecordType
from crmkit.domain.workflows import (
    MAX_DUE_DAYS,
    TIME_EVENT,
    WORKFLOW_FIRINGS,
    WORKFLOW_RULES,
    WorkflowFiring,
    WorkflowRule,
    event_values,
    time_firing_id,
)
from crmkit.services.ports import UnitOfWork
from crmkit.services.retry import retrying
from crmkit.services.workflow_actions import Firing, apply_all, rule_fields

MAX_RULES = 200
FIRING_BATCH = 500
DATE_KINDS = (FieldKind.DATE, FieldKind.DATETIME)


def check_trigger(uow: UnitOfWork, subject: RecordType[Any], field: str, offset: object) -> None:
    """Check a time rule's date field of ``subject`` and its offset in days.

    Raises:
        ValidationError: no date or datetime field of that name, or a bad offset.
    """
    kind = rule_fields(uow, TIME_EVENT, subject).get(field)
    if kind not in DATE_KINDS:
        raise ValidationError(
            f"{subject.entity} has no date field {field!r}; name a date or datetime field "
            f"(custom.<key> for a custom one).",
            field="date_field",
        )
    if isinstance(offset, bool) or not isinstance(offset, int) or abs(offset) > MAX_DUE_DAYS:
        raise ValidationError(
            f"offset_days is -{MAX_DUE_DAYS} to {MAX_DUE_DAYS}.", field="offset_days"
        )


def due_candidates(uow: UnitOfWork, as_of: date) -> Iterator[tuple[WorkflowRule, str, date]]:
    """Every (time rule, record key, date value) due by ``as_of`` (fired or not)."""
    rules = uow.records(WORKFLOW_RULES).find(Equals("event", TIME_EVENT), limit=MAX_RULES)
    for rule in sorted(rules.items, key=lambda r: (r.created_at, r.id)):
        subject = None if rule.subject_type is None else RecordType.named(rule.subject_type)
        if not rule.active or not rule.timed or subject is None:
            continue
        offset = timedelta(days=rule.offset_days or 0)
        since = rule.created_at.date()
        for record in _dated(
            uow, subject, rule, _shifted(since, -offset), _shifted(as_of, -offset)
        ):
            on = date_value(subject, record, rule)
            if on is not None and since <= on + offset <= as_of:
                yield rule, getattr(record, subject.key), on


def _dated(
    uow: UnitOfWork, subject: RecordType[Any], rule: WorkflowRule, first: date, last: date
) -> Iterator[Any]:
    """The records of ``subject`` whose date field may fall on ``first`` to ``last``: found
    through the field's index (a declared indexed field or a custom one), else every record.
    """
    field = rule.date_field or ""
    declared = next((f for f in subject.fields if f.name == field), None)
    records = uow.records(subject)
    if not (field.startswith(CUSTOM_PREFIX) or (declared is not None and declared.indexed)):
        return records.every()
    if first > last:
        return iter(())
    low: date = first
    high: date = last
    if rule_fields(uow, TIME_EVENT, subject).get(field) is FieldKind.DATETIME:
        low = datetime.combine(first, time(), UTC)
        high = datetime.combine(_shifted(last, timedelta(days=1)), time(), UTC)  # and filtered
    return records.every(Between(field, low, high))


def _shifted(day: date, by: timedelta) -> date:
    """``day + by``, held to the calendar's first and last day."""
    try:
        return day + by
    except OverflowError:
        return date.max if by > timedelta(0) else date.min


def date_value(subject: RecordType[Any], record: object, rule: WorkflowRule) -> date | None:
    """The value of the rule's date field on ``record`` as a day (``None``: empty)."""
    value = record_values(subject, record).get(rule.date_field or "")
    if isinstance(value, datetime):
        return value.date()
    return value if isinstance(value, date) else None


def fire_due(  # noqa: PLR0911 - one return per reason not to fire
    uow: UnitOfWork, rule_id: str, key: str, on: date, *, now: datetime, failure: str | None
) -> bool:
    """Fire time rule ``rule_id`` for record ``key`` and date value ``on`` in ``uow`` (not
    committed); ``False`` if it has fired already, is off, or no longer applies.

    Raises:
        TimeRuleFailed: an action was refused (roll back; fire again with ``failure``).
    """
    firing_key = time_firing_id(rule_id, key, on)
    firings = uow.records(WORKFLOW_FIRINGS)
    try:
        firings.get(firing_key)
    except NotFound:
        pass
    else:
        return False
    rule = uow.records(WORKFLOW_RULES).get(rule_id)
    subject = None if rule.subject_type is None else RecordType.named(rule.subject_type)
    if not rule.active or subject is None:
        return False
    try:
        record = uow.records(subject).get(key)
    except (NotFound, ValidationError):
        return False
    if date_value(subject, record, rule) != on:
        return False  # the date changed since the scan read it
    offset = rule.offset_days or 0
    data = payload(date_field=rule.date_field, date=on.isoformat(), offset_days=offset,
                   due_on=(on + timedelta(days=offset)).isoformat())  # fmt: skip
    event = OutboxEvent(uow.tenant_id, 0, TIME_EVENT, key, data, now)
    values: dict[str, object] = {**event_values(TIME_EVENT, event.data()), "position": 0,
                                 "rule": rule.name, "key": key}  # fmt: skip
    values.update(record_values(subject, record))
    if rule.condition and not evaluate(
        condition_from_json(json.loads(rule.condition)), values, now=now
    ):
        return False
    outcome = "done" if failure is None else f"failed: {failure}"[:300]
    firings.add(WorkflowFiring(firing_key, uow.tenant_id, rule.id, 0, TIME_EVENT, key, now,
                               outcome))  # fmt: skip
    if failure is not None:
        return True
    refused = apply_all(uow, Firing(rule, event, subject, key, values, now, tag=firing_key))
    if refused is not None:
        raise TimeRuleFailed(refused)
    return True


class TimeRuleFailed(Exception):
    """An action of a time rule was refused: the unit of work is rolled back and the
    firing recorded as failed."""


def fire_one(
    unit_of_work: Callable[[], UnitOfWork], rule_id: str, key: str, on: date, now: datetime
) -> bool:
    """Fire one due (rule, record, date value) in its own unit of work (see :func:`fire_due`)."""
    failure: str | None = None
    while True:
        try:
            with unit_of_work() as uow:
                fired = fire_due(uow, rule_id, key, on, now=now, failure=failure)
                if fired:
                    uow.commit()
                return fired
        except TimeRuleFailed as refused:
            failure = str(refused)


def scan(unit_of_work: Callable[[], UnitOfWork], now: datetime, as_of: date, limit: int) -> int:
    """Fire up to ``limit`` due time rules by ``as_of``, one unit of work each; returns
    how many fired."""
    with unit_of_work() as uow:
        due = unfired(uow, [(rule.id, key, on) for rule, key, on in due_candidates(uow, as_of)])
    fired = 0
    for rule_id, key, on in due:
        if fired >= limit:
            break
        try:
            done = retrying(lambda: fire_one(unit_of_work, rule_id, key, on, now))  # noqa: B023
        except DuplicateRecord:
            continue  # another scan fired it first
        fired += done
    return fired


def unfired(uow: UnitOfWork, due: list[tuple[str, str, date]]) -> list[tuple[str, str, date]]:
    """The candidates whose firing is not stored yet, looked up in batches of ids (a scan
    past a window fired already costs a few reads, not a unit of work per candidate)."""
    firings = uow.records(WORKFLOW_FIRINGS)
    left: list[tuple[str, str, date]] = []
    for start in range(0, len(due), FIRING_BATCH):
        keyed = {time_firing_id(*c): c for c in due[start : start + FIRING_BATCH]}
        stored = firings.get_many(keyed)
        left += [c for key, c in keyed.items() if key not in stored]
    return left
