"""Business calendars and work orders: SLA deadlines, declared moves, queries."""

from __future__ import annotations

from datetime import timedelta

from crmkit.domain import (
    DuplicateRecord,
    DuplicateRequest,
    NotFound,
    ProductId,
    ValidationError,
)
from crmkit.domain.field_work.calendar import BUSINESS_CALENDARS, BusinessCalendar, Priority
from crmkit.domain.field_work.work_orders import (
    OPEN_STATUSES,
    WORK_ORDERS,
    WorkOrder,
    id_for_request,
)
from crmkit.domain.front_office.contacts import CONTACTS
from crmkit.domain.front_office.customers import CUSTOMERS
from crmkit.domain.front_office.people import USERS
from crmkit.domain.ids import record_id
from crmkit.domain.record_query import Between, Equals, OneOf
from crmkit.domain.text import clean_optional_text, clean_text
from crmkit.domain.timestamps import utc_millis
from crmkit.services.boundary import checked_calls
from crmkit.services.pagination import Page
from crmkit.services.ports import UnitOfWork
from crmkit.services.retry import retrying
from crmkit.services.tenant_service import TenantService

PAGE = 50
MAX_HOURS = 24 * 366
SAME_REQUEST = (
    "customer_id",
    "contact_id",
    "product_id",
    "order_ref",
    "kind",
    "priority",
    "title",
    "calendar_code",
)
"""What a repeated request must match to be the same request."""


@checked_calls
class WorkOrderService(TenantService):
    """Work orders (工单) of one tenant, with SLA deadlines on declared business calendars."""

    def add_calendar(self, calendar: BusinessCalendar) -> BusinessCalendar:
        """Store a business calendar built with :meth:`BusinessCalendar.new`.

        Raises:
            ValidationError: not a BusinessCalendar.
            WrongTenant: it belongs to another tenant.
            DuplicateRecord: the tenant has a calendar with this code.
        """
        if not isinstance(calendar, BusinessCalendar):
            raise ValidationError("add_calendar takes a BusinessCalendar.")
        return self._add_record(BUSINESS_CALENDARS, lambda uow: calendar)

    def create(
        self,
        *,
        request_key: str,
        number: str,
        customer_id: str,
        kind: str,
        priority: Priority,
        title: str,
        calendar_code: str,
        contact_id: str | None = None,
        product_id: str | None = None,
        order_ref: str | None = None,
    ) -> WorkOrder:
        """Open a work order; the same ``request_key`` again returns the first one.

        Raises:
            ValidationError: a bad id, key, number, text or priority; the contact is not
                the customer's.
            NotFound: no such customer, contact, product or calendar.
            DuplicateRequest: the key was used for a different work order.
            DuplicateRecord: another work order has this number.
        """
        key = clean_text(request_key, "work order request key", max_length=128)
        code = clean_text(number, "work order number", max_length=32)
        customer = record_id(customer_id, "customer id")
        contact = None if contact_id is None else record_id(contact_id, "contact id")
        product = None if product_id is None else record_id(product_id, "product id")
        reference = clean_optional_text(order_ref, "order reference", max_length=64)
        calendar_key = clean_text(calendar_code, "calendar code", max_length=32)

        def run() -> WorkOrder:
            with self._uow() as uow:
                found = uow.records(WORK_ORDERS).get_many([id_for_request(key)])
                if found:
                    return _same(next(iter(found.values())), wanted)
                uow.records(CUSTOMERS).get(customer)
                if contact is not None and uow.records(CONTACTS).get(contact).customer_id != (
                    customer
                ):
                    raise ValidationError(
                        f"contact {contact!r} is not a contact of customer {customer!r}."
                    )
                if product is not None and not uow.products.get_many([ProductId(product)]):
                    raise NotFound("Product", "id", product, uow.tenant_id)
                calendar = _calendar(uow, calendar_key)
                order = WorkOrder.new(
                    uow.tenant_id,
                    number=code,
                    request_key=key,
                    customer_id=customer,
                    kind=kind,
                    priority=priority,
                    title=title,
                    calendar=calendar,
                    now=self._clock.now(),
                    contact_id=contact,
                    product_id=product,
                    order_ref=reference,
                )
                _same(order, wanted)
                stored = uow.records(WORK_ORDERS).add(order)
                uow.commit()
            return stored

        wanted: dict[str, object] = {
            "customer_id": customer,
            "contact_id": contact,
            "product_id": product,
            "order_ref": reference,
            "kind": clean_text(kind, f"type of work order {code!r}", max_length=32),
            "priority": priority,
            "title": clean_text(title, f"title of work order {code!r}", max_length=200),
            "calendar_code": calendar_key,
        }
        try:
            return retrying(run)
        except DuplicateRecord as error:
            if error.details.get("key") != "id":
                raise
            return retrying(run)  # the same key was submitted at the same moment

    def assign(self, number: str, assignee_id: str, *, by_id: str) -> WorkOrder:
        """Give the work order to an active user (again: reassign), recorded in its history.

        Raises:
            ValidationError: a bad number or id, or the assignee is not active.
            NotFound: no such work order or user.
            InvalidStateTransition: it is resolved or closed, or already the assignee's.
        """
        assignee = record_id(assignee_id, "assignee id")
        by = record_id(by_id, "user id")

        def change(uow: UnitOfWork) -> WorkOrder:
            order = _by_number(uow, number)
            user = uow.records(USERS).get(assignee)
            uow.records(USERS).get(by)
            if not user.active:
                raise ValidationError(
                    f"user {user.login!r} is not active; assign work order "
                    f"{order.number!r} to an active user."
                )
            return order.assigned(assignee, by, utc_millis(self._clock.now()))

        return self._update_record(WORK_ORDERS, change)

    def start(self, number: str) -> WorkOrder:
        """The assignee starts work (the first start is the response).

        Raises:
            NotFound: no such work order.
            InvalidStateTransition: it is not assigned.
        """
        return self._move(number, "start")

    def resolve(self, number: str) -> WorkOrder:
        """Raises: NotFound; InvalidStateTransition: it is not in progress."""
        return self._move(number, "resolve")

    def close(self, number: str) -> WorkOrder:
        """Raises: NotFound; InvalidStateTransition: it is not resolved."""
        return self._move(number, "close")

    def reopen(self, number: str) -> WorkOrder:
        """Reopen a resolved or closed work order within its calendar's reopen days.

        Raises:
            NotFound: no such work order.
            InvalidStateTransition: it is not resolved or closed.
            ReopenWindowClosed: the reopen window has passed.
        """

        def change(uow: UnitOfWork) -> WorkOrder:
            order = _by_number(uow, number)
            calendar = _calendar(uow, order.calendar_code)
            return order.reopened(calendar, utc_millis(self._clock.now()))

        return self._update_record(WORK_ORDERS, change)

    def comment(self, number: str, author_id: str, body: str) -> WorkOrder:
        """Add a comment by a user.

        Raises:
            ValidationError: a bad id or an empty comment.
            NotFound: no such work order or user.
        """
        author = record_id(author_id, "author id")

        def change(uow: UnitOfWork) -> WorkOrder:
            order = _by_number(uow, number)
            uow.records(USERS).get(author)
            return order.commented(author, body, utc_millis(self._clock.now()))

        return self._update_record(WORK_ORDERS, change)

    def get(self, number: str) -> WorkOrder:
        """The work order with this number.

        Raises:
            NotFound: no such work order.
        """
        with self._uow() as uow:
            return _by_number(uow, number)

    def overdue(self, *, after: str | None = None) -> Page[WorkOrder]:
        """Unresolved work orders past their resolution deadline, earliest deadline first."""
        now = utc_millis(self._clock.now())
        return self._find(
            OneOf("status", [s.value for s in OPEN_STATUSES]),
            Between("resolution_due", None, now - timedelta(milliseconds=1)),
            after=after,
        )

    def due_within(self, hours: int, *, after: str | None = None) -> Page[WorkOrder]:
        """Unresolved work orders whose resolution deadline falls in the next ``hours``.

        Raises:
            ValidationError: hours not a whole number 1..8784.
        """
        if type(hours) is not int or not 1 <= hours <= MAX_HOURS:
            raise ValidationError(f"hours must be a whole number 1..{MAX_HOURS}.")
        now = utc_millis(self._clock.now())
        return self._find(
            OneOf("status", [s.value for s in OPEN_STATUSES]),
            Between("resolution_due", now, now + timedelta(hours=hours)),
            after=after,
        )

    def assigned_to(self, assignee_id: str, *, after: str | None = None) -> Page[WorkOrder]:
        """The user's unresolved work orders, earliest deadline first."""
        assignee = record_id(assignee_id, "assignee id")
        return self._find(
            Equals("assignee_id", assignee),
            OneOf("status", [s.value for s in OPEN_STATUSES]),
            after=after,
        )

    def _find(self, *filters: object, after: str | None) -> Page[WorkOrder]:
        with self._uow() as uow:
            return uow.records(WORK_ORDERS).find(
                *filters, order_by="resolution_due", after=after, limit=PAGE
            )

    def _move(self, number: str, action: str) -> WorkOrder:
        def change(uow: UnitOfWork) -> WorkOrder:
            return _by_number(uow, number).moved(action, utc_millis(self._clock.now()))

        return self._update_record(WORK_ORDERS, change)


def _same(order: WorkOrder, wanted: dict[str, object]) -> WorkOrder:
    differs = [name for name in SAME_REQUEST if getattr(order, name) != wanted[name]]
    if differs:
        raise DuplicateRequest(order.request_key, order.tenant_id, f"differs in {differs}")
    return order


def _calendar(uow: UnitOfWork, code: str) -> BusinessCalendar:
    return uow.records(BUSINESS_CALENDARS).get_by("code", code)


def _by_number(uow: UnitOfWork, number: object) -> WorkOrder:
    code = clean_text(number, "work order number", max_length=32)
    return uow.records(WORK_ORDERS).get_by("number", code)
