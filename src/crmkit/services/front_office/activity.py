"""Follow-ups (跟进记录) and tasks; the last follow-up drives the pools' auto-return."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import attrs

from crmkit.domain import ValidationError
from crmkit.domain.front_office.customers import CUSTOMERS, Customer
from crmkit.domain.front_office.follow_ups import (
    FOLLOW_UPS,
    FollowUp,
    FollowUpKind,
    FollowUpSubject,
)
from crmkit.domain.front_office.leads import LEADS
from crmkit.domain.front_office.opportunities import OPPORTUNITIES
from crmkit.domain.front_office.people import TASKS, USERS, Task, TaskStatus
from crmkit.domain.front_office.pools import POOLS, holding
from crmkit.domain.ids import new_id, record_id
from crmkit.domain.record_query import Equals
from crmkit.domain.records import RecordType
from crmkit.domain.text import clean_text
from crmkit.domain.timestamps import utc_millis
from crmkit.services.boundary import checked_calls
from crmkit.services.ports import UnitOfWork
from crmkit.services.retry import retrying
from crmkit.services.tenant_service import TenantService

MAX_LATE_DAYS = 30


@checked_calls
class ActivityService(TenantService):
    """Follow-ups and tasks of one tenant."""

    def log_follow_up(
        self,
        subject: FollowUpSubject,
        subject_id: str,
        *,
        kind: FollowUpKind,
        user_id: str,
        outcome: str,
        at: datetime | None = None,
        next_step: tuple[str, datetime] | None = None,
    ) -> FollowUp:
        """Record a follow-up (now, or ``at`` in the past) of a lead, customer or opportunity.

        If the lead or customer (an opportunity's customer) is owned and not yet past its
        auto-return deadline, its last follow-up moves to ``at``; a follow-up cannot revive
        a record that already went back to its pool. ``next_step`` (title, due time)
        creates an open task for the user in the same unit of work.

        Raises:
            ValidationError: a bad subject, kind or outcome, or ``at`` in the future.
            NotFound: no such subject or user.
        """
        if not isinstance(subject, FollowUpSubject) or not isinstance(kind, FollowUpKind):
            raise ValidationError("a follow-up needs a FollowUpSubject and a FollowUpKind.")
        text = clean_text(outcome, "follow-up outcome", max_length=200)
        if at is not None and not isinstance(at, datetime):
            raise ValidationError(f"follow-up time must be a datetime, not {at!r}.")
        key = record_id(subject_id, f"{subject.value} id")

        def run() -> FollowUp:
            now = utc_millis(self._clock.now())
            when = now if at is None else utc_millis(at)
            if when > now:
                raise ValidationError(
                    f"follow-up time {when.isoformat()} is in the future; log it when it happens."
                )
            with self._uow() as uow:
                user = uow.records(USERS).get(user_id)
                pooled: Any
                if subject is FollowUpSubject.OPPORTUNITY:
                    opportunity = uow.records(OPPORTUNITIES).get(key)
                    pooled = uow.records(CUSTOMERS).get(opportunity.customer_id)
                else:
                    kind_type: RecordType[Any] = (
                        CUSTOMERS if subject is FollowUpSubject.CUSTOMER else LEADS
                    )
                    pooled = uow.records(kind_type).get(key)
                self._touch(uow, pooled, when, now)
                entry = FollowUp(new_id(), uow.tenant_id, subject, key, kind, user.id, when, text)
                stored = uow.records(FOLLOW_UPS).add(entry)
                if next_step is not None:
                    uow.records(TASKS).add(
                        self._task(
                            uow, next_step, user.id, subject=subject.value, subject_id=key, now=now
                        )
                    )
                uow.commit()
                return stored

        return retrying(run)

    def follow_ups(self, subject: FollowUpSubject, subject_id: str) -> list[FollowUp]:
        """The follow-ups of a subject, latest first (at most 500)."""
        key = record_id(subject_id, "subject id")
        with self._uow() as uow:
            found = uow.records(FOLLOW_UPS).find(
                Equals("subject_id", key), order_by="at", limit=500
            )
            return sorted(
                (f for f in found.items if f.subject_type is subject),
                key=lambda f: f.at,
                reverse=True,
            )

    def create_task(
        self,
        *,
        title: str,
        assignee_id: str,
        due_at: datetime,
        subject_type: str | None = None,
        subject_id: str | None = None,
    ) -> Task:
        """Create an open task for a user, optionally linked to a record.

        Raises:
            ValidationError: a bad title or due time.
            NotFound: no such user.
        """
        linked = (
            None if subject_type is None else clean_text(subject_type, "subject", max_length=32)
        )
        subject = None if subject_id is None else record_id(subject_id, "subject id")

        def make(uow: UnitOfWork) -> Task:
            user = uow.records(USERS).get(assignee_id)
            now = utc_millis(self._clock.now())
            return self._task(
                uow, (title, due_at), user.id, subject=linked, subject_id=subject, now=now
            )

        return self._add_record(TASKS, make)

    def finish_task(self, task_id: str, status: TaskStatus = TaskStatus.DONE) -> Task:
        """Mark an open task done or cancelled.

        Raises:
            NotFound: no such task.
            ValidationError: the task is not open, or ``status`` is open.
        """
        if status not in (TaskStatus.DONE, TaskStatus.CANCELLED):
            raise ValidationError("a task finishes as done or cancelled.")

        def change(uow: UnitOfWork) -> Task:
            task = uow.records(TASKS).get(task_id)
            if task.status is not TaskStatus.OPEN:
                raise ValidationError(
                    f"task {task.title!r} is already {task.status.value}; nothing to finish."
                )
            return attrs.evolve(task, status=status)

        return self._update_record(TASKS, change)

    @staticmethod
    def _task(
        uow: UnitOfWork,
        step: tuple[str, datetime],
        assignee: str,
        *,
        subject: str | None,
        subject_id: str | None,
        now: datetime,
    ) -> Task:
        if not isinstance(step, tuple) or len(step) != 2 or not isinstance(step[1], datetime):
            raise ValidationError("a task needs a title and a due time (a datetime).")
        title = clean_text(step[0], "task title", max_length=200)
        return Task(
            new_id(),
            uow.tenant_id,
            title,
            assignee,
            utc_millis(step[1]),
            TaskStatus.OPEN,
            subject,
            subject_id,
            now,
            {},
        )

    @staticmethod
    def _touch(uow: UnitOfWork, record: Any, when: datetime, now: datetime) -> None:
        if record.owner_id is None or record.owned_since is None or when < record.owned_since:
            return
        pool = uow.records(POOLS).get(record.pool_id) if record.pool_id else None
        if holding(record, pool, now).owner_id is None:
            return
        last = record.last_follow_up_at
        if last is None or when > last:
            kind: RecordType[Any] = CUSTOMERS if isinstance(record, Customer) else LEADS
            uow.records(kind).update(attrs.evolve(record, last_follow_up_at=when))
