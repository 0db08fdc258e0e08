"""工作流 WorkflowService: workflow rules, the rule consumer of the outbox, and delivery of
calls out through the application's notifier.

**Exactly once inside crmkit.** :meth:`WorkflowService.run` handles one outbox event per
unit of work: it fires every matching active rule (a :class:`WorkflowFiring` each), applies
their actions and moves the consumer's position past the event, and commits all of that
together. A consumer that crashes before the commit handles the event again from scratch;
one that crashes after it never sees the event again. Two consumers racing on one tenant
conflict on the position, and the loser retries.

**Time rules** (:meth:`WorkflowService.define_time_rule`) are run by
:meth:`WorkflowService.run_due`, once per (rule, record, date value): see
:mod:`crmkit.services.workflow_timers`.

**At least once outside.** A ``notify`` action writes a :class:`WorkflowCall` in that unit
of work; :meth:`WorkflowService.deliver` hands pending calls to the :class:`Notifier` in
key order (event position, rule, action) and marks each sent afterwards, so a crash in
between delivers it again with the same key: the application drops repeats by key.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import date, datetime
from typing import Any, Protocol, runtime_checkable

import attrs

from crmkit.domain import (
    DuplicateRecord,
    NotFound,
    ValidationError,
)
from crmkit.domain.conditions import (
    check_condition,
    condition_from_json,
    evaluate,
    record_values,
)
from crmkit.domain.ids import new_id, record_id
from crmkit.domain.outbox import ConsumerPosition, OutboxEvent
from crmkit.domain.record_query import Equals
from crmkit.domain.records import RecordType
from crmkit.domain.text import clean_text
from crmkit.domain.timestamps import utc_millis
from crmkit.domain.workflows import (
    TIME_EVENT,
    WORKFLOW_CALLS,
    WORKFLOW_FIRINGS,
    WORKFLOW_RULES,
    CallStatus,
    RuleAction,
    WorkflowCall,
    WorkflowFiring,
    WorkflowRule,
    event_values,
    firing_id,
)
from crmkit.services.boundary import checked_calls
from crmkit.services.ports import UnitOfWork
from crmkit.services.retry import retrying
from crmkit.services.tenant_service import MAX_LISTED, TenantService
from crmkit.services.workflow_actions import (
    Firing,
    RuleFailed,
    apply_all,
    check_actions,
    rule_fields,
    stored_condition,
)
from crmkit.services.workflow_actions import (
    subject_type as named_subject,
)
from crmkit.services.workflow_timers import check_trigger, scan

CONSUMER = "crmkit.workflows"
"""The outbox consumer name of the workflow rules."""
MAX_BATCH = 1000
MAX_RULES = 200


@attrs.frozen
class Notice:
    """A call out through the notifier; ``key`` is stable across repeats."""

    key: str
    channel: str
    message: str
    rule_id: str
    record_key: str | None


@runtime_checkable
class Notifier(Protocol):
    """What the application implements to receive a workflow rule's ``notify`` actions."""

    def notify(self, notice: Notice) -> None:
        """Send ``notice``; may be called again with the same ``notice.key`` after a crash
        (drop repeats by key). Raise to stop delivery; it resumes with this notice."""
        ...


@checked_calls
class WorkflowService(TenantService):
    """Workflow rules (工作流) of one tenant and the consumer that runs them."""

    def define_rule(
        self,
        name: str,
        *,
        event: str,
        actions: Sequence[RuleAction],
        condition: object = None,
        subject_type: str | None = None,
        subject_key: str | None = None,
    ) -> WorkflowRule:
        """Save an active rule run on each ``event`` whose ``condition`` holds.

        ``subject_type`` names the declared record type the event is about (``customer``,
        ``lead``, ``payment_plan``, ...) and ``subject_key`` the payload member holding its
        key (``None``: the event's aggregate id); the condition reads its fields and
        ``event.<member>``.

        Raises:
            ValidationError: a bad name, event, subject or action.
            InvalidCondition: the condition names an unknown field or compares wrongly.
            NotFound: a task's assignee is no user.
            DuplicateRecord: a rule of that name exists.
        """
        on = clean_text(event, "event name", max_length=64)
        if on == TIME_EVENT:
            raise ValidationError(
                f"{on!r} is the event of time rules; save one with define_time_rule.",
                field="event",
            )
        member = (
            None if subject_key is None else clean_text(subject_key, "subject key", max_length=64)
        )
        subject = None if subject_type is None else named_subject(subject_type)
        return self._save(name, on, actions, condition, subject=subject, member=member)

    def define_time_rule(
        self,
        name: str,
        *,
        record_type: str,
        date_field: str,
        offset_days: int,
        actions: Sequence[RuleAction],
        condition: object = None,
    ) -> WorkflowRule:
        """Save an active time rule: :meth:`run_due` fires it once per record of
        ``record_type`` and value of its ``date_field`` (``custom.<key>`` for a custom
        field), ``offset_days`` after that date (negative: before), if its condition holds
        then; due days before the rule was saved are not fired.

        Raises:
            ValidationError: a bad name, record type, date field, offset or action.
            InvalidCondition: the condition names an unknown field or compares wrongly.
            NotFound: a task's assignee is no user.
            DuplicateRecord: a rule of that name exists.
        """
        subject = named_subject(record_type)
        field = clean_text(date_field, "date field", max_length=64)
        return self._save(
            name, TIME_EVENT, actions, condition, subject=subject, timer=(field, offset_days)
        )

    def _save(
        self,
        name: str,
        on: str,
        actions: Sequence[RuleAction],
        condition: object,
        *,
        subject: RecordType[Any] | None,
        member: str | None = None,
        timer: tuple[str, int] | None = None,
    ) -> WorkflowRule:
        title = clean_text(name, "workflow rule name", max_length=200)
        text = None if condition is None else stored_condition(condition)
        with self._uow() as uow:
            if timer is not None and subject is not None:
                check_trigger(uow, subject, *timer)
            if text is not None:
                check_condition(
                    condition_from_json(json.loads(text)), rule_fields(uow, on, subject)
                )
            checked = check_actions(uow, actions, on, subject)
            rule = WorkflowRule(
                new_id(), uow.tenant_id, title, on, None if subject is None else subject.scope,
                member, text, checked, True, utc_millis(self._clock.now()),
                date_field=None if timer is None else timer[0],
                offset_days=None if timer is None else timer[1],
            )  # fmt: skip
            stored = uow.records(WORKFLOW_RULES).add(rule)
            uow.commit()
        return stored

    def run_due(self, as_of: date | None = None, *, limit: int = 100) -> int:
        """Fire the time rules due by the day ``as_of`` (default: today by the clock, UTC),
        each (rule, record, date value) once in its own unit of work; returns how many
        fired now (at most ``limit``: call again while it returns ``limit``).

        Raises:
            ValidationError: ``as_of`` is not a date, or ``limit`` is not 1 to 1000.
        """
        if isinstance(limit, bool) or not isinstance(limit, int) or not 1 <= limit <= MAX_BATCH:
            raise ValidationError(f"limit is 1 to {MAX_BATCH}.", field="limit")
        now = utc_millis(self._clock.now())
        if as_of is None:
            as_of = now.date()
        if isinstance(as_of, datetime) or not isinstance(as_of, date):
            raise ValidationError("as_of must be a date (not a datetime).", field="as_of")
        return scan(self._uow, now, as_of, limit)

    def set_active(self, rule_id: str, active: bool) -> WorkflowRule:
        """Switch a rule on or off (off: later events do not fire it).

        Raises:
            NotFound: no such rule.
            ValidationError: ``active`` is not a bool.
        """
        if not isinstance(active, bool):
            raise ValidationError("active must be True or False.", field="active")
        key = record_id(rule_id, "rule id")

        return self._update_record(
            WORKFLOW_RULES,
            lambda uow: attrs.evolve(uow.records(WORKFLOW_RULES).get(key), active=active),
        )

    def rules(self) -> list[WorkflowRule]:
        """Every rule of the tenant (at most 200), by name."""
        with self._uow() as uow:
            found = uow.records(WORKFLOW_RULES).find(limit=MAX_RULES).items
        return sorted(found, key=lambda r: r.name)

    def firings(self, rule_id: str) -> list[WorkflowFiring]:
        """The firings of a rule (the first 500), in event order."""
        key = record_id(rule_id, "rule id")
        return self._listed(WORKFLOW_FIRINGS, Equals("rule_id", key), order_by="position")

    def pending_calls(self) -> list[WorkflowCall]:
        """Calls out not delivered yet (the first 500), in delivery order."""
        return self._listed(WORKFLOW_CALLS, Equals("status", CallStatus.PENDING.value))

    def position(self) -> int:
        """The outbox position up to which the rules have run."""
        with self._uow() as uow:
            found = uow.outbox_consumers.get(CONSUMER)
        return 0 if found is None else found.position

    def run(self, limit: int = 100) -> int:
        """Run the rules on up to ``limit`` outbox events after the consumer's position,
        one unit of work per event; returns how many events were handled.

        Raises:
            ValidationError: ``limit`` is not 1 to 1000.
        """
        if isinstance(limit, bool) or not isinstance(limit, int) or not 1 <= limit <= MAX_BATCH:
            raise ValidationError(f"limit is 1 to {MAX_BATCH}.", field="limit")
        handled = 0
        while handled < limit:
            try:
                done = retrying(self._next)
            except DuplicateRecord:
                continue  # another consumer handled the event first: read on
            if not done:
                break
            handled += 1
        return handled

    def deliver(self, notifier: Notifier, limit: int = 100) -> int:
        """Hand up to ``limit`` pending calls to ``notifier`` in order, marking each sent
        after it returns; returns how many were delivered. An error from the notifier
        propagates and that call stays pending.

        Raises:
            ValidationError: ``limit`` is not 1 to 500, or ``notifier`` has no ``notify``.
        """
        if isinstance(limit, bool) or not isinstance(limit, int) or not 1 <= limit <= MAX_LISTED:
            raise ValidationError(f"limit is 1 to {MAX_LISTED}.", field="limit")
        if not callable(getattr(notifier, "notify", None)):
            raise ValidationError("notifier must have a notify(notice) method.", field="notifier")
        sent = 0
        for call in self.pending_calls()[:limit]:
            notifier.notify(Notice(call.id, call.channel, call.message, call.rule_id,
                                   call.record_key))  # fmt: skip
            retrying(lambda call=call: self._mark_sent(call.id))  # type: ignore[misc]
            sent += 1
        return sent

    def _mark_sent(self, call_id: str) -> None:
        with self._uow() as uow:
            calls = uow.records(WORKFLOW_CALLS)
            call = calls.get(call_id)
            if call.status is CallStatus.PENDING:
                now = utc_millis(self._clock.now())
                calls.update(attrs.evolve(call, status=CallStatus.SENT, sent_at=now))
                uow.commit()

    def _next(self) -> bool:
        failed: dict[tuple[int, str], str] = {}
        while True:
            try:
                return self._handle(failed)
            except RuleFailed as failure:
                failed[failure.position, failure.rule_id] = failure.reason

    def _handle(self, failed: dict[tuple[int, str], str]) -> bool:
        with self._uow() as uow:
            found = uow.outbox_consumers.get(CONSUMER)
            events = uow.outbox.after(0 if found is None else found.position, 1)
            if not events:
                return False
            event = events[0]
            now = utc_millis(self._clock.now())
            rules = uow.records(WORKFLOW_RULES).find(Equals("event", event.name), limit=MAX_RULES)
            for rule in sorted(rules.items, key=lambda r: (r.created_at, r.id)):
                if rule.active and not rule.timed:
                    self._fire(uow, rule, event, now, failed.get((event.position, rule.id)))
            if found is None:
                uow.outbox_consumers.add(ConsumerPosition(uow.tenant_id, CONSUMER,
                                                          event.position, now))  # fmt: skip
            else:
                uow.outbox_consumers.update(attrs.evolve(found, position=event.position,
                                                         updated_at=now))  # fmt: skip
            uow.commit()
            return True

    def _fire(
        self,
        uow: UnitOfWork,
        rule: WorkflowRule,
        event: OutboxEvent,
        now: Any,
        failure: str | None,
    ) -> None:
        data = event.data()
        values: dict[str, object] = {**event_values(event.name, data), "position": event.position,
                                     "rule": rule.name}  # fmt: skip
        subject = None if rule.subject_type is None else RecordType.named(rule.subject_type)
        key: str | None = None
        if rule.subject_type is not None:
            raw = data.get(rule.subject_key) if rule.subject_key else event.aggregate_id
            if subject is None or not isinstance(raw, str) or not raw:
                return
            try:
                record = uow.records(subject).get(raw)
            except (NotFound, ValidationError):
                return  # the event is not about a record of this type
            key = raw
            values.update(record_values(subject, record))
        values["key"] = key
        if rule.condition:
            condition = condition_from_json(json.loads(rule.condition))
            if not evaluate(condition, values, now=now):
                return
        outcome = "done" if failure is None else f"failed: {failure}"[:300]
        firing = WorkflowFiring(firing_id(event.position, rule.id), uow.tenant_id, rule.id,
                                event.position, event.name, key, now, outcome)  # fmt: skip
        uow.records(WORKFLOW_FIRINGS).add(firing)
        if failure is not None:
            return
        refused = apply_all(uow, Firing(rule, event, subject, key, values, now))
        if refused is not None:
            raise RuleFailed(event.position, rule.id, refused)
