"""Work orders (工单): service requests with SLA deadlines and declared status moves."""

from __future__ import annotations

import enum
import hashlib
from datetime import datetime, timedelta

import attrs

from crmkit.domain.errors import InvalidStateTransition, ValidationError
from crmkit.domain.field_work.calendar import BusinessCalendar, Priority
from crmkit.domain.field_work.errors import ReopenWindowClosed
from crmkit.domain.ids import TenantId
from crmkit.domain.lifecycle import require_status
from crmkit.domain.records import FieldKind, RecordType, scalar, text
from crmkit.domain.text import clean_optional_text, clean_text
from crmkit.domain.timestamps import utc_millis

MAX_COMMENTS = 200
MAX_ASSIGNMENTS = 100


class WorkOrderStatus(enum.Enum):
    """Where a work order stands."""

    OPEN = "open"
    ASSIGNED = "assigned"
    IN_PROGRESS = "in_progress"
    RESOLVED = "resolved"
    CLOSED = "closed"


S = WorkOrderStatus
TRANSITIONS: dict[str, dict[WorkOrderStatus, WorkOrderStatus]] = {
    "assign": {S.OPEN: S.ASSIGNED, S.ASSIGNED: S.ASSIGNED, S.IN_PROGRESS: S.ASSIGNED},
    "start": {S.ASSIGNED: S.IN_PROGRESS},
    "resolve": {S.IN_PROGRESS: S.RESOLVED},
    "close": {S.RESOLVED: S.CLOSED},
    "reopen": {S.RESOLVED: S.IN_PROGRESS, S.CLOSED: S.IN_PROGRESS},
}
"""The declared status moves: action -> (from -> to). Nothing else moves a work order."""

OPEN_STATUSES = (S.OPEN, S.ASSIGNED, S.IN_PROGRESS)
"""Statuses in which the resolution deadline runs."""


@attrs.frozen
class Assignment:
    """Who was given the work order, by whom and when."""

    assignee_id: str
    by_id: str
    at: datetime


@attrs.frozen
class Comment:
    """A comment on a work order."""

    author_id: str
    at: datetime
    body: str


@attrs.frozen
class WorkOrder:
    """A service request of a customer; ``number`` is unique, and the id is derived from the
    creating request's idempotency key (:func:`id_for_request`), so one key makes one order."""

    id: str
    tenant_id: TenantId
    number: str
    request_key: str
    customer_id: str
    contact_id: str | None
    product_id: str | None
    order_ref: str | None
    kind: str
    priority: Priority
    title: str
    status: WorkOrderStatus
    assignee_id: str | None
    calendar_code: str
    response_due: datetime
    resolution_due: datetime
    responded_at: datetime | None
    resolved_at: datetime | None
    closed_at: datetime | None
    created_at: datetime
    assignments: tuple[Assignment, ...]
    comments: tuple[Comment, ...]
    version: int = 1

    @classmethod
    def new(
        cls,
        tenant_id: TenantId,
        *,
        number: str,
        request_key: str,
        customer_id: str,
        kind: str,
        priority: Priority,
        title: str,
        calendar: BusinessCalendar,
        now: datetime,
        contact_id: str | None = None,
        product_id: str | None = None,
        order_ref: str | None = None,
    ) -> WorkOrder:
        """An open work order with its SLA deadlines from ``calendar``.

        Raises:
            ValidationError: a text breaks its rule, or the priority is not a Priority.
        """
        if not isinstance(priority, Priority):
            raise ValidationError(f"priority of work order {number!r} must be a Priority.")
        now = utc_millis(now)
        target = calendar.target(priority)
        return cls(
            id=id_for_request(request_key),
            tenant_id=tenant_id,
            number=number,
            request_key=request_key,
            customer_id=customer_id,
            contact_id=contact_id,
            product_id=product_id,
            order_ref=clean_optional_text(order_ref, "order reference", max_length=64),
            kind=clean_text(kind, f"type of work order {number!r}", max_length=32),
            priority=priority,
            title=clean_text(title, f"title of work order {number!r}", max_length=200),
            status=S.OPEN,
            assignee_id=None,
            calendar_code=calendar.code,
            response_due=calendar.add_working_minutes(now, target.response_minutes),
            resolution_due=calendar.add_working_minutes(now, target.resolution_minutes),
            responded_at=None,
            resolved_at=None,
            closed_at=None,
            created_at=now,
            assignments=(),
            comments=(),
        )

    def moved(self, action: str, now: datetime) -> WorkOrder:
        """The work order after ``action`` (not assign, not reopen: see their methods).

        Raises:
            InvalidStateTransition: no declared move of ``action`` from its status.
        """
        status = self._target(action)
        changes: dict[str, object] = {"status": status}
        if action == "start" and self.responded_at is None:
            changes["responded_at"] = utc_millis(now)
        if action == "resolve":
            changes["resolved_at"] = utc_millis(now)
        if action == "close":
            changes["closed_at"] = utc_millis(now)
        return attrs.evolve(self, **changes)  # type: ignore[arg-type]

    def assigned(self, assignee_id: str, by_id: str, now: datetime) -> WorkOrder:
        """The work order given to ``assignee_id``, recorded in its assignment history.

        Raises:
            InvalidStateTransition: it is resolved or closed, or the assignee is the same.
        """
        status = self._target("assign")
        if assignee_id == self.assignee_id or len(self.assignments) >= MAX_ASSIGNMENTS:
            raise InvalidStateTransition("WorkOrder", self.number, self.status.value, "reassign")
        entry = Assignment(assignee_id, by_id, utc_millis(now))
        return attrs.evolve(
            self, status=status, assignee_id=assignee_id, assignments=(*self.assignments, entry)
        )

    def reopened(self, calendar: BusinessCalendar, now: datetime) -> WorkOrder:
        """The work order back in progress.

        Raises:
            InvalidStateTransition: it is not resolved or closed.
            ReopenWindowClosed: more than the calendar's reopen days since resolution.
        """
        status = self._target("reopen")
        assert self.resolved_at is not None
        until = self.resolved_at + timedelta(days=calendar.reopen_days)
        if now > until:
            raise ReopenWindowClosed(self.number, until)
        return attrs.evolve(self, status=status, resolved_at=None, closed_at=None)

    def commented(self, author_id: str, body: object, now: datetime) -> WorkOrder:
        """The work order with a comment added.

        Raises:
            ValidationError: an empty or too long comment, or too many comments.
        """
        text_ = clean_text(body, f"comment on work order {self.number!r}", max_length=2000)
        if len(self.comments) >= MAX_COMMENTS:
            raise ValidationError(
                f"work order {self.number!r} has {MAX_COMMENTS} comments, the most it keeps."
            )
        comment = Comment(author_id, utc_millis(now), text_)
        return attrs.evolve(self, comments=(*self.comments, comment))

    def is_overdue(self, now: datetime) -> bool:
        """Not resolved by its resolution deadline."""
        return self.status in OPEN_STATUSES and now > self.resolution_due

    def _target(self, action: str) -> WorkOrderStatus:
        moves = TRANSITIONS.get(action, {})
        require_status("WorkOrder", self.number, self.status, moves, action)
        return moves[self.status]


def id_for_request(request_key: str) -> str:
    """The id of the work order created by the request with this idempotency key."""
    return hashlib.sha256(request_key.encode()).hexdigest()[:32]


WORK_ORDERS: RecordType[WorkOrder] = RecordType(
    WorkOrder,
    entity="WorkOrder",
    name="work_order",
    fields=(
        text("id", 32),
        text("number", 32, indexed=True),
        text("request_key", 128, indexed=True),
        text("customer_id", 32, indexed=True),
        text("contact_id", 32, nullable=True),
        text("product_id", 32, nullable=True),
        text("order_ref", 64, nullable=True),
        text("kind", 32, indexed=True),
        text("priority", 16, indexed=True),
        text("title", 200),
        text("status", 16, indexed=True),
        text("assignee_id", 32, nullable=True, indexed=True),
        text("calendar_code", 32),
        scalar("response_due", FieldKind.DATETIME, indexed=True),
        scalar("resolution_due", FieldKind.DATETIME, indexed=True),
        scalar("responded_at", FieldKind.DATETIME, nullable=True),
        scalar("resolved_at", FieldKind.DATETIME, nullable=True),
        scalar("closed_at", FieldKind.DATETIME, nullable=True),
        scalar("created_at", FieldKind.DATETIME),
    ),
    unique=(("number",),),
    nested=("assignments", "comments"),
)
