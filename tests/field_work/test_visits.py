"""Visits on every backend with a controlled clock: check-in window, radius, steps, templates."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from decimal import Decimal
from typing import Any

import attrs
import pytest

from crmkit.domain import InvalidStateTransition, NotFound, ValidationError
from crmkit.domain.errors import CrmkitError
from crmkit.domain.field_work.errors import (
    OutsideRadius,
    StepInvalid,
    StepOutOfOrder,
    StepsMissing,
    VisitMissed,
)
from crmkit.domain.field_work.shelf import ShelfLine
from crmkit.domain.field_work.templates import Step, StepKind
from crmkit.domain.field_work.visits import Visit, VisitStatus, distance_metres
from crmkit.domain.front_office.customers import CUSTOMERS
from crmkit.domain.front_office.people import USERS
from crmkit.services import Storage
from crmkit.testing.field_work import STORE_POINT, T0, Field, field, snapshot

AT_STORE = {"latitude": STORE_POINT.latitude, "longitude": STORE_POINT.longitude}
NEAR = {"latitude": Decimal("31.231900"), "longitude": STORE_POINT.longitude}
"""0.0015 degrees of latitude north of the store: about 167 m."""
FAR = {"latitude": Decimal("31.232400"), "longitude": STORE_POINT.longitude}
"""0.002 degrees north: about 222 m, outside the 200 m radius."""


def refused(place: Field, error: type[CrmkitError], action: Callable[[], Any]) -> CrmkitError:
    """Run ``action``, expect ``error``, and check nothing changed."""
    before = snapshot(place)
    with pytest.raises(error) as raised:
        action()
    assert snapshot(place) == before
    return raised.value


def planned(place: Field, minutes_from_now: int = 0) -> Visit:
    """A visit of the rep to the store planned ``minutes_from_now``."""
    return place.visits.plan(
        customer_id=place.store.id,
        rep_id=place.rep.id,
        visit_type="audit",
        planned_at=place.clock.now() + timedelta(minutes=minutes_from_now),
    )


class TestCheckInWindow:
    """A visit is missed one minute after its planned start plus the grace period."""

    def test_check_in_at_the_last_moment(self, storage: Storage) -> None:
        """At planned start + 30 minutes grace the visit can still be checked in."""
        place = field(storage)
        visit = planned(place)
        place.clock.advance(timedelta(minutes=30))
        done = place.visits.check_in(visit.id, **AT_STORE)
        assert done.status is VisitStatus.CHECKED_IN
        assert done.checked_in_at == T0 + timedelta(minutes=30)
        assert done.distance_metres == 0

    def test_missed_by_one_minute(self, storage: Storage) -> None:
        """One minute later the check-in is refused with VisitMissed and nothing changes."""
        place = field(storage)
        visit = planned(place)
        place.clock.advance(timedelta(minutes=31))
        error = refused(place, VisitMissed, lambda: place.visits.check_in(visit.id, **AT_STORE))
        assert error.details["visit"] == visit.id

    def test_mark_missed_sweeps_only_overdue_visits(self, storage: Storage) -> None:
        """The sweep marks the visit missed at start + 31 min, not at start + 30 min."""
        place = field(storage)
        visit = planned(place)
        later = planned(place, 60)
        place.clock.advance(timedelta(minutes=30))
        assert place.visits.mark_missed() == []
        place.clock.advance(timedelta(minutes=1))
        marked = place.visits.mark_missed()
        assert [v.id for v in marked] == [visit.id]
        statuses = {v.id: v.status for v in place.visits.visits_of(place.store.id)}
        assert statuses == {visit.id: VisitStatus.MISSED, later.id: VisitStatus.PLANNED}


class TestRadius:
    """The check-in must be within the visit type's radius of the store's map point."""

    def test_distance_is_great_circle(self) -> None:
        """0.0015 degrees of latitude is about 167 m; one degree about 111.2 km."""
        assert (
            distance_metres(
                **AT_STORE, other_latitude=NEAR["latitude"], other_longitude=NEAR["longitude"]
            )
            == 167
        )
        assert distance_metres(Decimal(0), Decimal(0), Decimal(1), Decimal(0)) == 111195

    def test_inside_radius(self, storage: Storage) -> None:
        """167 m from the store is inside 200 m."""
        place = field(storage)
        done = place.visits.check_in(planned(place).id, **NEAR)
        assert done.distance_metres == 167

    def test_outside_radius_is_refused(self, storage: Storage) -> None:
        """222 m from the store is refused with OutsideRadius naming the store's code."""
        place = field(storage)
        visit = planned(place)
        error = refused(place, OutsideRadius, lambda: place.visits.check_in(visit.id, **FAR))
        assert error.details == {
            "visit": visit.id,
            "customer": "S-001",
            "distance": 222,
            "radius": 200,
        }

    def test_float_location_is_refused(self, storage: Storage) -> None:
        """A float latitude is refused."""
        place = field(storage)
        visit = planned(place)
        refused(
            place,
            ValidationError,
            lambda: place.visits.check_in(visit.id, latitude=31.2, longitude=Decimal(121)),  # type: ignore[arg-type]
        )


class TestSteps:
    """Steps are filled in order, each checked against its template step."""

    def test_a_whole_visit(self, storage: Storage) -> None:
        """Check in, form, shelf check, check out: completed with every entry recorded."""
        place = field(storage)
        visit = place.visits.check_in(planned(place).id, **AT_STORE)
        place.visits.fill_step(visit.id, "talk", {"mood": "good", "orders": "12.50"})
        check = place.visits.record_shelf_check(
            visit.id, "count", [ShelfLine("p-1", 2, Decimal("10"))]
        )
        place.clock.advance(timedelta(minutes=20))
        done = place.visits.check_out(visit.id)
        assert done.status is VisitStatus.COMPLETED
        assert [e.step_code for e in done.entries] == ["arrive", "talk", "count", "leave"]
        assert done.entries[1].values[1].value == "12.5"
        assert check.visit_id == visit.id
        assert check.customer_id == place.store.id

    def test_rejections_change_nothing(self, storage: Storage) -> None:
        """Out of order, bad values, an unknown step, an early check-out: all refused."""
        place = field(storage)
        visit = place.visits.check_in(planned(place).id, **AT_STORE)
        lines = [ShelfLine("p-1", 2, Decimal("10"))]
        refused(
            place, StepOutOfOrder, lambda: place.visits.record_shelf_check(visit.id, "count", lines)
        )
        refused(
            place, StepInvalid, lambda: place.visits.fill_step(visit.id, "talk", {"mood": "meh"})
        )
        refused(place, StepInvalid, lambda: place.visits.fill_step(visit.id, "talk", {"x": "1"}))
        refused(place, StepInvalid, lambda: place.visits.fill_step(visit.id, "talk", {}))
        refused(
            place,
            StepInvalid,
            lambda: place.visits.fill_step(visit.id, "talk", {"mood": "good", "orders": "many"}),
        )
        refused(place, StepInvalid, lambda: place.visits.fill_step(visit.id, "nope", {}))
        refused(place, StepsMissing, lambda: place.visits.check_out(visit.id))
        refused(place, InvalidStateTransition, lambda: place.visits.check_in(visit.id, **AT_STORE))
        refused(place, NotFound, lambda: place.visits.check_out("no-such-visit"))
        refused(place, ValidationError, lambda: place.visits.cancel(visit.id, "  "))

    def test_bad_shelf_lines_change_nothing(self, storage: Storage) -> None:
        """A float quantity, a product twice or not in the catalog: refused, step undone."""
        place = field(storage)
        visit = place.visits.check_in(planned(place).id, **AT_STORE)
        place.visits.fill_step(visit.id, "talk", {"mood": "bad"})
        twice = [ShelfLine("p-1", 1, Decimal(1)), ShelfLine("p-1", 1, Decimal(2))]
        refused(
            place,
            ValidationError,
            lambda: place.visits.record_shelf_check(visit.id, "count", twice),
        )
        floats = [ShelfLine("p-1", 1, 1.5)]  # type: ignore[arg-type]
        refused(
            place,
            ValidationError,
            lambda: place.visits.record_shelf_check(visit.id, "count", floats),
        )
        unknown = [ShelfLine("p-1", 1, Decimal(1)), ShelfLine("not-sold", 1, Decimal(1))]
        error = refused(
            place,
            NotFound,
            lambda: place.visits.record_shelf_check(visit.id, "count", unknown),
        )
        assert error.details["value"] == "not-sold"

    def test_cancel_with_reason(self, storage: Storage) -> None:
        """A planned visit is cancelled with its reason; cancelling again is refused."""
        place = field(storage)
        visit = planned(place)
        done = place.visits.cancel(visit.id, "Store closed for renovation")
        assert done.status is VisitStatus.CANCELLED
        assert done.cancel_reason == "Store closed for renovation"
        refused(place, InvalidStateTransition, lambda: place.visits.cancel(visit.id, "again"))


class TestTemplateVersions:
    """A visit keeps the template version it was planned with."""

    def test_template_changed_during_a_visit(self, storage: Storage) -> None:
        """Version 2 drops the form and the radius; the running visit still follows version 1."""
        place = field(storage)
        visit = place.visits.check_in(planned(place).id, **AT_STORE)
        short = (
            Step("arrive", "Check in", StepKind.CHECK_IN),
            Step("leave", "Out", StepKind.CHECK_OUT),
        )
        second = place.visits.define_template(
            "audit", name="Quick audit", steps=short, grace_minutes=0
        )
        assert second.version_no == 2
        assert place.visits.template("audit").version_no == 2
        refused(place, StepsMissing, lambda: place.visits.check_out(visit.id))
        place.visits.fill_step(visit.id, "talk", {"mood": "good"})
        fresh = planned(place)
        assert fresh.template_version == 2
        assert visit.template_version == 1
        place.visits.record_shelf_check(visit.id, "count", [ShelfLine("p", 0, Decimal(0))])
        assert place.visits.check_out(visit.id).status is VisitStatus.COMPLETED
        # version 2 has no radius: a far check-in of the new visit is accepted
        assert place.visits.check_in(fresh.id, **FAR).status is VisitStatus.CHECKED_IN

    def test_a_bad_template_is_refused(self, storage: Storage) -> None:
        """A template without a check-in first is refused and no version is stored."""
        place = field(storage)
        steps = (Step("leave", "Out", StepKind.CHECK_OUT),)
        refused(
            place,
            ValidationError,
            lambda: place.visits.define_template("audit", name="x", steps=steps, grace_minutes=0),
        )


class TestQueries:
    """A rep's day plan, visits per customer, completion rate per rep and period."""

    def test_day_plan_and_completion_rate(self, storage: Storage) -> None:
        """Three visits today, one tomorrow; one completed, one cancelled: rate 50.00 %."""
        place = field(storage)
        first, second, third = planned(place), planned(place, 120), planned(place, 240)
        planned(place, 24 * 60)
        place.visits.check_in(first.id, **AT_STORE)
        place.visits.fill_step(first.id, "talk", {"mood": "good"})
        place.visits.record_shelf_check(first.id, "count", [ShelfLine("p", 1, Decimal(3))])
        place.visits.check_out(first.id)
        place.visits.cancel(third.id, "Rep ill")
        day = place.visits.day_plan(place.rep.id, T0.date(), "Asia/Shanghai")
        assert [v.id for v in day] == [first.id, second.id, third.id]
        rate = place.visits.completion_rate(place.rep.id, T0, T0 + timedelta(hours=12))
        assert rate == Decimal("50.00")
        assert len(place.visits.visits_of(place.store.id)) == 4


class TestPlanning:
    """A visit is planned only for a stored customer, an active rep and a known visit type."""

    def test_bad_plans_change_nothing(self, storage: Storage) -> None:
        """Unknown customer, rep or type, a naive time, an inactive rep: refused."""
        place = field(storage)
        good: dict[str, Any] = {
            "customer_id": place.store.id,
            "rep_id": place.rep.id,
            "visit_type": "audit",
            "planned_at": T0,
        }
        for change, error in (
            ({"customer_id": "nobody"}, NotFound),
            ({"rep_id": "nobody"}, NotFound),
            ({"visit_type": "tasting"}, NotFound),
            ({"planned_at": T0.replace(tzinfo=None)}, ValidationError),
            ({"customer_id": ""}, ValidationError),
        ):
            refused(place, error, lambda c=change: place.visits.plan(**{**good, **c}))  # type: ignore[misc]
        with place.uow() as uow:
            uow.records(USERS).update(attrs.evolve(place.rep, active=False))
            uow.commit()
        refused(place, ValidationError, lambda: place.visits.plan(**good))

    def test_radius_needs_the_store_on_the_map(self, storage: Storage) -> None:
        """A store without a map point cannot be checked in under a radius rule."""
        place = field(storage)
        with place.uow() as uow:
            uow.records(CUSTOMERS).update(attrs.evolve(place.store, latitude=None, longitude=None))
            uow.commit()
        visit = planned(place)
        error = refused(place, ValidationError, lambda: place.visits.check_in(visit.id, **AT_STORE))
        assert "S-001" in str(error)
