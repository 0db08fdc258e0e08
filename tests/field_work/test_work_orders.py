"""Work orders on every backend with a controlled clock: SLA, moves, reopen, idempotency."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from crmkit.domain import (
    DuplicateRecord,
    DuplicateRequest,
    InvalidStateTransition,
    NotFound,
    ValidationError,
)
from crmkit.domain.field_work.calendar import Priority
from crmkit.domain.field_work.errors import ReopenWindowClosed
from crmkit.domain.field_work.work_orders import WorkOrder, WorkOrderStatus
from crmkit.domain.front_office.contacts import CONTACTS, Contact
from crmkit.domain.front_office.people import USERS, Role, User
from crmkit.services import Page, Storage
from crmkit.testing.field_work import Field, field, snapshot

SHANGHAI = ZoneInfo("Asia/Shanghai")


def local(day: int, month: int, hour: int, minute: int = 0) -> datetime:
    """A Shanghai wall-clock time in 2026, as UTC."""
    return datetime(2026, month, day, hour, minute, tzinfo=SHANGHAI).astimezone(UTC)


def open_order(place: Field, key: str = "form-1", **changes: Any) -> WorkOrder:
    """A work order of the store, normal priority unless changed."""
    values: dict[str, Any] = {
        "request_key": key,
        "number": f"WO-{key}",
        "customer_id": place.store.id,
        "kind": "repair",
        "priority": Priority.NORMAL,
        "title": "Fridge broken",
        "calendar_code": "CN",
    }
    values.update(changes)
    return place.work_orders.create(**values)


def refused(place: Field, error: type[Exception], action: Any) -> Any:
    """Run ``action``, expect ``error``, and check nothing changed."""
    before = snapshot(place)
    with pytest.raises(error) as raised:
        action()
    assert snapshot(place) == before
    return raised.value


class TestSla:
    """Deadlines come from the priority's targets on the tenant's business calendar."""

    def test_over_a_weekend(self, storage: Storage) -> None:
        """Urgent at Friday 9 October 17:30: respond by Monday 09:30, resolve by Monday 12:30."""
        place = field(storage, local(9, 10, 17, 30))
        order = open_order(place, priority=Priority.URGENT)
        assert order.response_due == local(12, 10, 9, 30)
        assert order.resolution_due == local(12, 10, 12, 30)

    def test_over_a_holiday(self, storage: Storage) -> None:
        """Normal at Wednesday 30 September 17:00: respond by 6 October 12:00 after the holidays."""
        place = field(storage, local(30, 9, 17))
        order = open_order(place)
        assert order.response_due == local(6, 10, 12)
        assert order.resolution_due == local(7, 10, 17)

    def test_on_a_worked_sunday(self, storage: Storage) -> None:
        """High at Friday 25 September 17:00: respond by the worked Sunday 10:00."""
        place = field(storage, local(25, 9, 17))
        assert open_order(place, priority=Priority.HIGH).response_due == local(27, 9, 10)


class TestMoves:
    """Status moves only by the declared transitions."""

    def test_the_whole_life(self, storage: Storage) -> None:
        """Open, assigned, reassigned, in progress, resolved, closed; history and comments kept."""
        place = field(storage)
        other = add_user(place, "rep-2")
        open_order(place)
        place.work_orders.assign("WO-form-1", place.rep.id, by_id=other.id)
        place.work_orders.assign("WO-form-1", other.id, by_id=other.id)
        place.clock.advance(timedelta(minutes=5))
        started = place.work_orders.start("WO-form-1")
        assert started.responded_at == place.clock.now()
        place.work_orders.comment("WO-form-1", other.id, "Compressor replaced.")
        place.work_orders.resolve("WO-form-1")
        done = place.work_orders.close("WO-form-1")
        assert done.status is WorkOrderStatus.CLOSED
        assert [a.assignee_id for a in done.assignments] == [place.rep.id, other.id]
        assert [c.body for c in done.comments] == ["Compressor replaced."]

    def test_undeclared_moves_are_refused(self, storage: Storage) -> None:
        """Start before assigning, resolve before starting, close while open: refused."""
        place = field(storage)
        open_order(place)
        for move in (place.work_orders.start, place.work_orders.resolve, place.work_orders.close):
            refused(place, InvalidStateTransition, lambda m=move: m("WO-form-1"))
        refused(place, InvalidStateTransition, lambda: place.work_orders.reopen("WO-form-1"))
        place.work_orders.assign("WO-form-1", place.rep.id, by_id=place.rep.id)
        refused(
            place,
            InvalidStateTransition,
            lambda: place.work_orders.assign("WO-form-1", place.rep.id, by_id=place.rep.id),
        )
        refused(place, NotFound, lambda: place.work_orders.start("WO-none"))
        refused(
            place,
            NotFound,
            lambda: place.work_orders.assign("WO-form-1", "nobody", by_id=place.rep.id),
        )
        refused(
            place,
            ValidationError,
            lambda: place.work_orders.comment("WO-form-1", place.rep.id, " "),
        )

    def test_reopen_within_the_window(self, storage: Storage) -> None:
        """Reopening works 7 days after resolution, and is refused one minute later."""
        place = field(storage)
        open_order(place, "a")
        open_order(place, "b")
        for number in ("WO-a", "WO-b"):
            place.work_orders.assign(number, place.rep.id, by_id=place.rep.id)
            place.work_orders.start(number)
            place.work_orders.resolve(number)
        place.work_orders.close("WO-b")
        place.clock.advance(timedelta(days=7))
        assert place.work_orders.reopen("WO-a").status is WorkOrderStatus.IN_PROGRESS
        place.clock.advance(timedelta(minutes=1))
        error = refused(place, ReopenWindowClosed, lambda: place.work_orders.reopen("WO-b"))
        assert error.details["number"] == "WO-b"


class TestCreation:
    """A form submitted twice creates one work order."""

    def test_same_key_same_order(self, storage: Storage) -> None:
        """The second submission returns the first work order unchanged."""
        place = field(storage)
        first = open_order(place)
        place.clock.advance(timedelta(minutes=3))
        assert open_order(place) == first
        assert len(snapshot(place)["work_order"]) == 1

    def test_same_key_other_content_is_refused(self, storage: Storage) -> None:
        """The same key with another title raises DuplicateRequest."""
        place = field(storage)
        open_order(place)
        refused(place, DuplicateRequest, lambda: open_order(place, title="Light broken"))

    def test_bad_input_is_refused(self, storage: Storage) -> None:
        """Unknown customer, calendar, contact or product, a taken number, a bad priority."""
        place = field(storage)
        open_order(place)
        refused(place, NotFound, lambda: open_order(place, "k2", customer_id="nobody"))
        refused(place, NotFound, lambda: open_order(place, "k3", calendar_code="XX"))
        refused(place, DuplicateRecord, lambda: open_order(place, "k4", number="WO-form-1"))
        refused(place, ValidationError, lambda: open_order(place, "k5", priority="high"))
        refused(place, ValidationError, lambda: open_order(place, "k6", customer_id=7))
        refused(place, NotFound, lambda: open_order(place, "k7", contact_id="nobody"))
        refused(place, NotFound, lambda: open_order(place, "k8", product_id="nobody"))
        assert open_order(place, "k9", product_id="p-a").product_id == "p-a"

    def test_contact_of_another_customer_is_refused(self, storage: Storage) -> None:
        """A contact must belong to the work order's customer."""
        place = field(storage)
        contact = Contact.new(
            place.tenant, customer_id="someone-else", name="Li", now=place.clock.now()
        )
        with place.uow() as uow:
            uow.records(CONTACTS).add(contact)
            uow.commit()
        refused(place, ValidationError, lambda: open_order(place, contact_id=contact.id))
        mine = Contact.new(
            place.tenant, customer_id=place.store.id, name="Wang", now=place.clock.now()
        )
        with place.uow() as uow:
            uow.records(CONTACTS).add(mine)
            uow.commit()
        assert open_order(place, contact_id=mine.id).contact_id == mine.id


class TestQueries:
    """Overdue, due within N hours, by assignee."""

    def test_queries_follow_the_clock(self, storage: Storage) -> None:
        """Monday 28 September 09:00: urgent due 13:00, normal due Tuesday 18:00."""
        place = field(storage, local(28, 9, 9))
        open_order(place, "u", priority=Priority.URGENT)
        open_order(place, "n")
        place.work_orders.assign("WO-n", place.rep.id, by_id=place.rep.id)
        assert numbers(place.work_orders.due_within(4)) == ["WO-u"]
        assert numbers(place.work_orders.due_within(33)) == ["WO-u", "WO-n"]
        assert numbers(place.work_orders.assigned_to(place.rep.id)) == ["WO-n"]
        place.clock.set(local(28, 9, 13))
        assert numbers(place.work_orders.overdue()) == []
        place.clock.set(local(28, 9, 13, 1))
        assert numbers(place.work_orders.overdue()) == ["WO-u"]
        place.work_orders.assign("WO-u", place.rep.id, by_id=place.rep.id)
        place.work_orders.start("WO-u")
        place.work_orders.resolve("WO-u")
        assert numbers(place.work_orders.overdue()) == []
        refused(place, ValidationError, lambda: place.work_orders.due_within(0))


def numbers(page: Page[WorkOrder]) -> list[str]:
    """The numbers of a page's work orders."""
    return [o.number for o in page.items]


def add_user(place: Field, login: str) -> User:
    """Store another active rep."""
    user = User.new(place.tenant, login=login, name=login, role=Role.REP, now=place.clock.now())
    with place.uow() as uow:
        uow.records(USERS).add(user)
        uow.commit()
    return user
