"""审批流 ApprovalService: define approval flows, decide held records, delegate, time out.

A flow is triggered inside the command that would take effect (an order confirm, a refund
or invoice request: see :mod:`crmkit.services.approval_steps`); this service is where its
approvers decide. Approving the last step runs the held action in the same unit of work;
if that action fails, nothing is recorded, the approval included.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime

import attrs

from crmkit.domain.approval_errors import NotAnApprover, SelfApproval
from crmkit.domain.approval_triggers import check_trigger
from crmkit.domain.approvals import (
    APPROVAL_DELEGATIONS,
    APPROVAL_FLOWS,
    APPROVAL_INSTANCES,
    ApprovalAction,
    ApprovalDelegation,
    ApprovalFlow,
    ApprovalInstance,
    ApprovalStatus,
    ApprovalStep,
    OnTimeout,
    check_steps,
    condition_text,
)
from crmkit.domain.conditions import InvalidCondition, is_condition
from crmkit.domain.errors import ValidationError
from crmkit.domain.front_office.people import USERS
from crmkit.domain.ids import new_id, record_id
from crmkit.domain.outbox import OutboxEvent
from crmkit.domain.record_query import Between, Equals
from crmkit.domain.text import clean_optional_text, clean_text
from crmkit.domain.timestamps import utc_millis
from crmkit.services.approval_actions import HeldAction, held_actions
from crmkit.services.approval_steps import decision_event, resolve_approvers
from crmkit.services.boundary import checked_calls
from crmkit.services.idempotency import run_once
from crmkit.services.order_confirm import ConfirmRules
from crmkit.services.order_steps import PendingEvent, claim_outbox, write_events
from crmkit.services.ports import Clock, UnitOfWork
from crmkit.services.retry import retrying
from crmkit.services.tenant_service import MAX_LISTED, TenantService


@attrs.frozen
class ApprovalOutcome:
    """A decision's result: the instance as the decision left it, and the events the held
    action wrote (an order's confirmation or rejection events)."""

    instance: ApprovalInstance
    events: tuple[OutboxEvent, ...]


Decide = Callable[[UnitOfWork, datetime, ApprovalInstance, list[PendingEvent]], ApprovalInstance]


@checked_calls
class ApprovalService(TenantService):
    """The approval flows and instances of one tenant (see the module docstring)."""

    def __init__(
        self, unit_of_work: Callable[[], UnitOfWork], clock: Clock, *, order_rules: ConfirmRules
    ) -> None:
        super().__init__(unit_of_work, clock)
        self._actions = held_actions(order_rules)

    # -- flows --------------------------------------------------------------------------

    def define_flow(
        self,
        code: str,
        name: str,
        *,
        record_type: str,
        action: str,
        condition: object,
        steps: Sequence[ApprovalStep],
        priority: int = 100,
    ) -> ApprovalFlow:
        """Save a new active flow; its condition is checked against the trigger's fields.

        Raises:
            InvalidCondition: an unknown trigger, field, or a value of the wrong type.
            ValidationError: a step, code, name or priority breaks its rule.
            DuplicateRecord: the code is taken.
        """
        the_code = clean_text(code, "approval flow code", max_length=32)
        if not is_condition(condition):
            raise InvalidCondition(
                f"the condition of approval flow {the_code!r} must be a condition (see "
                f"crmkit.process), not {type(condition).__name__}.",
                field="condition",
            )
        check_trigger(record_type, action, condition)
        if not isinstance(priority, int) or isinstance(priority, bool) or not 0 <= priority < 10**6:
            raise ValidationError("approval flow priority must be 0 to 999999.", field="priority")
        flow_steps = check_steps(steps, the_code)

        def make(uow: UnitOfWork) -> ApprovalFlow:
            now = self._now()
            return ApprovalFlow(
                id=new_id(), tenant_id=uow.tenant_id, code=the_code,
                name=clean_text(name, "approval flow name", max_length=200),
                record_type=record_type, action=action, condition_json=condition_text(condition),
                priority=priority, active=True, created_at=now, updated_at=now, steps=flow_steps,
            )  # fmt: skip

        return self._add_record(APPROVAL_FLOWS, make)

    def set_flow_active(self, code: str, active: bool) -> ApprovalFlow:
        """Switch a flow on or off (instances already started keep their steps).

        Raises:
            NotFound: no such flow.
        """
        the_code = clean_text(code, "approval flow code", max_length=32)

        def change(uow: UnitOfWork) -> ApprovalFlow:
            flow = self._flow(uow, the_code)
            return attrs.evolve(flow, active=bool(active), updated_at=self._now())

        return self._update_record(APPROVAL_FLOWS, change)

    def flows(self) -> list[ApprovalFlow]:
        """The tenant's flows, by code (at most 500)."""
        return self._listed(APPROVAL_FLOWS, order_by="code")

    # -- delegation ---------------------------------------------------------------------

    def delegate(
        self, user_id: str, delegate_id: str, *, starts_at: datetime, ends_at: datetime
    ) -> ApprovalDelegation:
        """Let ``delegate_id`` decide in ``user_id``'s place from ``starts_at`` until
        ``ends_at`` (while the user is away).

        Raises:
            NotFound: either user does not exist.
            ValidationError: the period is empty, or a user delegates to themself.
        """
        user, delegate = record_id(user_id, "user id"), record_id(delegate_id, "delegate id")
        start, end = utc_millis(starts_at), utc_millis(ends_at)
        if user == delegate or end <= start:
            raise ValidationError(
                "a delegation names another user and ends after it starts.", field="ends_at"
            )

        def make(uow: UnitOfWork) -> ApprovalDelegation:
            uow.records(USERS).get(user)
            uow.records(USERS).get(delegate)
            return ApprovalDelegation(
                new_id(), uow.tenant_id, user, delegate, start, end, self._now()
            )

        return self._add_record(APPROVAL_DELEGATIONS, make)

    # -- decisions ----------------------------------------------------------------------

    def approve(
        self, instance_id: str, user_id: str, *, key: str, note: str | None = None
    ) -> ApprovalOutcome:
        """Approve the instance's current step as ``user_id`` (an approver of it, or a
        delegate of one). When that passes the last step, the held action proceeds in
        the same unit of work; if it fails, nothing is recorded.

        Raises:
            NotFound: no such instance.
            InvalidStateTransition: the instance is no longer pending.
            SelfApproval: the user submitted the record.
            NotAnApprover: the user may not decide the current step.
            NoApprover: the next step has no approver but the submitter.
            CrmkitError: whatever the held action raises (e.g. InsufficientStock).
            DuplicateRequest: ``key`` was used for another request.
        """
        the_id, user = record_id(instance_id, "approval id"), record_id(user_id, "user id")
        remark = clean_optional_text(note, "approval note", max_length=200)

        def decide(
            uow: UnitOfWork, now: datetime, inst: ApprovalInstance, events: list[PendingEvent]
        ) -> ApprovalInstance:
            approver = self._approver(uow, inst, user, now)
            inst = inst.approved(approver, user, now, remark)
            if not inst.step_passed:
                return inst
            if inst.last_step:
                self._action(inst).approve(uow, now, inst, key, events)
                return inst.finished(now)
            step = inst.steps[inst.step_no]
            approvers = resolve_approvers(
                uow, inst.flow_code, inst.step_no + 1, step, inst.submitted_by
            )
            return inst.advanced(approvers, now)

        content = {"i": the_id, "u": user, "n": remark}
        return self._decision(key, "approval.approve", content, the_id, decide)

    def reject(self, instance_id: str, user_id: str, reason: str, *, key: str) -> ApprovalOutcome:
        """Reject the instance as ``user_id`` (an approver of the current step, or a
        delegate of one): the record goes back (an order to draft, a refund or invoice
        request to rejected) with ``reason``.

        Raises:
            NotFound, InvalidStateTransition, SelfApproval, NotAnApprover,
                DuplicateRequest: as :meth:`approve`.
            ValidationError: no reason given.
        """
        the_id, user = record_id(instance_id, "approval id"), record_id(user_id, "user id")
        why = clean_text(reason, "rejection reason", max_length=500)

        def decide(
            uow: UnitOfWork, now: datetime, inst: ApprovalInstance, events: list[PendingEvent]
        ) -> ApprovalInstance:
            approver = self._approver(uow, inst, user, now)
            behalf = None if approver == user else approver
            inst = inst.rejected(user, why, now, on_behalf_of=behalf)
            self._action(inst).reject(uow, now, inst, why, events)
            return inst

        content = {"i": the_id, "u": user, "w": why}
        return self._decision(key, "approval.reject", content, the_id, decide)

    def process_timeouts(self, *, limit: int = 100) -> list[ApprovalInstance]:
        """Escalate or reject the pending instances whose step timed out by the clock,
        each in its own unit of work; returns them as changed (oldest due first; up to
        ``limit`` per call: call again while it returns ``limit`` instances).

        Raises:
            ValidationError: ``limit`` is not 1 to 500.
        """
        if not isinstance(limit, int) or isinstance(limit, bool) or not 0 < limit <= MAX_LISTED:
            raise ValidationError(f"limit must be 1 to {MAX_LISTED}.", field="limit")
        now = self._now()
        with self._uow() as uow:
            page = uow.records(APPROVAL_INSTANCES).find(
                Equals("status", ApprovalStatus.PENDING), Between("due_at", high=now), limit=limit
            )
            items = sorted(page.items, key=lambda i: (i.due_at or now, i.id))
            due_ids = [i.id for i in items]
        changed = []
        for the_id in due_ids:
            result = retrying(lambda the_id=the_id: self._time_out(the_id))  # type: ignore[misc]
            if result is not None:
                changed.append(result)
        return changed

    # -- reads --------------------------------------------------------------------------

    def get_instance(self, instance_id: str) -> ApprovalInstance:
        """The approval instance ``instance_id``, with its audit trail.

        Raises:
            NotFound: no such instance.
        """
        return self._record(APPROVAL_INSTANCES, instance_id)

    def instances_of(self, record_type: str, subject_id: str) -> list[ApprovalInstance]:
        """Every approval instance of a record, oldest first."""
        the_id = record_id(subject_id, "record id")
        listed = self._listed(APPROVAL_INSTANCES, Equals("subject_id", the_id))
        found = [i for i in listed if i.record_type == record_type]
        return sorted(found, key=lambda i: (i.created_at, i.id))

    def waiting_for(self, user_id: str) -> list[ApprovalInstance]:
        """The pending instances ``user_id`` may decide now (as an approver or a delegate),
        oldest first (among the 500 oldest pending)."""
        user = record_id(user_id, "user id")
        now = self._now()
        with self._uow() as uow:
            stands_for = {user, *self._principals(uow, user, now)}
            page = uow.records(APPROVAL_INSTANCES).find(
                Equals("status", ApprovalStatus.PENDING), order_by="created_at", limit=MAX_LISTED
            )
        return [
            i
            for i in page.items
            if i.submitted_by != user and stands_for.intersection(i.waiting_for)
        ]

    # -- machinery ----------------------------------------------------------------------

    def _now(self) -> datetime:
        return utc_millis(self._clock.now())

    @staticmethod
    def _flow(uow: UnitOfWork, code: str) -> ApprovalFlow:
        return uow.records(APPROVAL_FLOWS).get_by("code", code)

    def _action(self, inst: ApprovalInstance) -> HeldAction:
        return self._actions[(inst.record_type, inst.action)]

    @staticmethod
    def _principals(uow: UnitOfWork, delegate: str, now: datetime) -> set[str]:
        """The users ``delegate`` stands in for at ``now``."""
        page = uow.records(APPROVAL_DELEGATIONS).find(
            Equals("delegate_id", delegate), Between("ends_at", low=now), limit=MAX_LISTED
        )
        return {d.user_id for d in page.items if d.covers(now)}

    def _approver(self, uow: UnitOfWork, inst: ApprovalInstance, user: str, now: datetime) -> str:
        """Whom ``user`` decides as: themself, or the approver they stand in for."""
        if inst.status is ApprovalStatus.PENDING and user == inst.submitted_by:
            raise SelfApproval(
                f"user {user!r} submitted {inst.record_type} {inst.subject_label} and cannot "
                f"approve or reject it; its approvers decide.",
                field="user_id",
            )
        waiting = inst.waiting_for
        if inst.status is not ApprovalStatus.PENDING or user in waiting:
            return user
        for principal in sorted(self._principals(uow, user, now)):
            if principal in waiting:
                return principal
        raise NotAnApprover(
            f"user {user!r} cannot decide step {inst.step_no} of approval {inst.id} for "
            f"{inst.record_type} {inst.subject_label}; it waits for {list(waiting)}.",
            field="user_id",
        )

    def _decision(
        self, key: str, operation: str, content: Mapping[str, object], the_id: str, decide: Decide
    ) -> ApprovalOutcome:

        def replayed(uow: UnitOfWork, done: str) -> ApprovalOutcome:
            result = json.loads(done)
            positions = result["positions"]
            events = uow.outbox.after(positions[0] - 1, len(positions)) if positions else []
            inst = uow.records(APPROVAL_INSTANCES).get(result["instance"])
            return ApprovalOutcome(inst, tuple(events))

        def run(uow: UnitOfWork) -> tuple[ApprovalOutcome, str, datetime]:
            now = self._now()
            pending: list[PendingEvent] = []
            inst = decide(uow, now, uow.records(APPROVAL_INSTANCES).get(the_id), pending)
            stored = uow.records(APPROVAL_INSTANCES).update(inst)
            write_events(uow, [decision_event(stored)], now)
            written = write_events(uow, pending, now)
            result = {"instance": stored.id, "positions": [e.position for e in written]}
            return ApprovalOutcome(stored, written), json.dumps(result), now

        the_key = record_id(key, "request key")
        return run_once(
            self._uow, the_key, operation, content, run, replayed=replayed, before=claim_outbox
        )

    def _time_out(self, the_id: str) -> ApprovalInstance | None:
        with self._uow() as uow:
            claim_outbox(uow)
            now = self._now()
            inst = uow.records(APPROVAL_INSTANCES).get(the_id)
            if (
                inst.status is not ApprovalStatus.PENDING
                or inst.due_at is None
                or inst.due_at > now
            ):
                return None
            step = inst.step
            events: list[PendingEvent] = []
            target = step.escalate_to
            if (
                step.on_timeout is OnTimeout.ESCALATE
                and not inst.escalated
                and target is not None
                and target != inst.submitted_by
            ):
                inst = inst.escalated_to(target, now)
            else:
                why = f"step {inst.step_no} timed out"
                inst = inst.rejected(None, why, now, action=ApprovalAction.TIMED_OUT)
                self._action(inst).reject(uow, now, inst, why, events)
            stored = uow.records(APPROVAL_INSTANCES).update(inst)
            write_events(uow, [decision_event(stored), *events], now)
            uow.commit()
            return stored
