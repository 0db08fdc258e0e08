"""Stateful tests of the visit and work-order lifecycles against simple models."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule, run_state_machine_as_test

from crmkit.domain import InvalidStateTransition
from crmkit.domain.field_work.calendar import Priority
from crmkit.domain.field_work.errors import (
    ReopenWindowClosed,
    StepOutOfOrder,
    StepsMissing,
    VisitMissed,
)
from crmkit.domain.field_work.shelf import ShelfLine
from crmkit.domain.field_work.visits import VisitStatus
from crmkit.domain.field_work.work_orders import WorkOrderStatus
from crmkit.services import Storage
from crmkit.testing.field_work import AT_STORE_POINT, AUDIT_STEPS, field, snapshot

V = VisitStatus
W = WorkOrderStatus
LINES = [ShelfLine("p-1", 1, Decimal(4))]
MOVES = {
    "assign": {W.OPEN: W.ASSIGNED},
    "start": {W.ASSIGNED: W.IN_PROGRESS},
    "resolve": {W.IN_PROGRESS: W.RESOLVED},
    "close": {W.RESOLVED: W.CLOSED},
    "reopen": {W.RESOLVED: W.IN_PROGRESS, W.CLOSED: W.IN_PROGRESS},
}
"""The model's moves, written out independently of the declared table (one assignee, so
reassigning is always refused)."""


def expect(error: type[Exception] | None, place: Any, action: Any) -> Any:
    """Run ``action``; if an error is expected, check it is raised and nothing changed."""
    if error is None:
        return action()
    before = snapshot(place)
    with pytest.raises(error):
        action()
    assert snapshot(place) == before
    return None


def visit_machine(storage: Storage) -> type[RuleBasedStateMachine]:
    """A machine driving the visits of one store on ``storage``."""

    class VisitMachine(RuleBasedStateMachine):
        def __init__(self) -> None:
            super().__init__()
            self.place = field(storage)
            self.grace = 30
            self.model: dict[str, dict[str, Any]] = {}

        def now(self) -> datetime:
            return self.place.clock.now()

        @rule(offset=st.sampled_from([-31, -30, 0, 1, 30]))
        def plan(self, offset: int) -> None:
            at = self.now() + timedelta(minutes=offset)
            visit = self.place.visits.plan(
                customer_id=self.place.store.id,
                rep_id=self.place.rep.id,
                visit_type="audit",
                planned_at=at,
            )
            self.model[visit.id] = {"status": V.PLANNED, "step": 0, "at": at, "grace": self.grace}

        @rule(minutes=st.sampled_from([1, 29, 30]))
        def advance(self, minutes: int) -> None:
            self.place.clock.advance(timedelta(minutes=minutes))

        @rule(grace=st.sampled_from([0, 30]))
        def new_template_version(self, grace: int) -> None:
            self.place.visits.define_template(
                "audit", name="Audit", steps=AUDIT_STEPS, grace_minutes=grace, radius_metres=200
            )
            self.grace = grace

        def _pick(self, data: st.DataObject) -> str | None:
            if not self.model:
                return None
            return data.draw(st.sampled_from(sorted(self.model)))

        @rule(data=st.data())
        def check_in(self, data: st.DataObject) -> None:
            key = self._pick(data)
            if key is None:
                return
            visit = self.model[key]
            late = self.now() > visit["at"] + timedelta(minutes=visit["grace"])
            error: type[Exception] | None = None
            if visit["status"] is not V.PLANNED:
                error = InvalidStateTransition
            elif late:
                error = VisitMissed
            expect(error, self.place, lambda: self.place.visits.check_in(key, **AT_STORE_POINT))
            if error is None:
                visit.update(status=V.CHECKED_IN, step=1)

        @rule(data=st.data(), shelf=st.booleans())
        def fill(self, data: st.DataObject, shelf: bool) -> None:
            key = self._pick(data)
            if key is None:
                return
            visit = self.model[key]
            wanted = 2 if shelf else 1
            error: type[Exception] | None = None
            if visit["status"] is not V.CHECKED_IN:
                error = InvalidStateTransition
            elif visit["step"] != wanted:
                error = StepOutOfOrder

            def act() -> object:
                if shelf:
                    return self.place.visits.record_shelf_check(key, "count", LINES)
                return self.place.visits.fill_step(key, "talk", {"mood": "good"})

            expect(error, self.place, act)
            if error is None:
                visit["step"] = wanted + 1

        @rule(data=st.data())
        def check_out(self, data: st.DataObject) -> None:
            key = self._pick(data)
            if key is None:
                return
            visit = self.model[key]
            error: type[Exception] | None = None
            if visit["status"] is not V.CHECKED_IN:
                error = InvalidStateTransition
            elif visit["step"] < 3:
                error = StepsMissing
            expect(error, self.place, lambda: self.place.visits.check_out(key))
            if error is None:
                visit["status"] = V.COMPLETED

        @rule(data=st.data())
        def cancel(self, data: st.DataObject) -> None:
            key = self._pick(data)
            if key is None:
                return
            visit = self.model[key]
            error: type[Exception] | None = None
            if visit["status"] not in (V.PLANNED, V.CHECKED_IN):
                error = InvalidStateTransition
            expect(error, self.place, lambda: self.place.visits.cancel(key, "Closed"))
            if error is None:
                visit["status"] = V.CANCELLED

        @rule()
        def sweep(self) -> None:
            marked = {v.id for v in self.place.visits.mark_missed()}
            expected = {
                k
                for k, v in self.model.items()
                if v["status"] is V.PLANNED and self.now() > v["at"] + timedelta(minutes=v["grace"])
            }
            assert marked == expected
            for key in marked:
                self.model[key]["status"] = V.MISSED

        @invariant()
        def stored_statuses_match(self) -> None:
            stored = {v.id: v.status for v in self.place.visits.visits_of(self.place.store.id)}
            assert stored == {k: v["status"] for k, v in self.model.items()}

    return VisitMachine


def work_order_machine(storage: Storage) -> type[RuleBasedStateMachine]:
    """A machine driving work orders through their declared moves on ``storage``."""

    class WorkOrderMachine(RuleBasedStateMachine):
        def __init__(self) -> None:
            super().__init__()
            self.place = field(storage)
            self.model: dict[str, dict[str, Any]] = {}

        @rule(key=st.sampled_from(["a", "b"]), priority=st.sampled_from([Priority.HIGH]))
        def create(self, key: str, priority: Priority) -> None:
            number = f"WO-{key}"
            if number in self.model and self.model[number]["priority"] is not priority:
                return  # a different request under a used key: covered elsewhere
            order = self.place.work_orders.create(
                request_key=key,
                number=number,
                customer_id=self.place.store.id,
                kind="repair",
                priority=priority,
                title="Broken",
                calendar_code="CN",
            )
            self.model.setdefault(
                number, {"status": W.OPEN, "priority": priority, "resolved": None}
            )
            assert order.status is self.model[number]["status"]

        @rule(days=st.sampled_from([0, 7]), minutes=st.sampled_from([0, 1]))
        def advance(self, days: int, minutes: int) -> None:
            self.place.clock.advance(timedelta(days=days, minutes=minutes))

        @rule(
            data=st.data(),
            action=st.sampled_from(["assign", "start", "resolve", "close", "reopen"]),
        )
        def move(self, data: st.DataObject, action: str) -> None:
            if not self.model:
                return
            number = data.draw(st.sampled_from(sorted(self.model)))
            order = self.model[number]
            moves = MOVES[action]
            error: type[Exception] | None = None
            if order["status"] not in moves:
                error = InvalidStateTransition
            elif action == "reopen" and self.place.clock.now() > order["resolved"] + timedelta(
                days=7
            ):
                error = ReopenWindowClosed
            services = self.place.work_orders
            calls = {
                "assign": lambda: services.assign(
                    number, self.place.rep.id, by_id=self.place.rep.id
                ),
                "start": lambda: services.start(number),
                "resolve": lambda: services.resolve(number),
                "close": lambda: services.close(number),
                "reopen": lambda: services.reopen(number),
            }
            expect(error, self.place, calls[action])
            if error is None:
                order["status"] = moves[order["status"]]
                if action == "resolve":
                    order["resolved"] = self.place.clock.now()

        @invariant()
        def stored_statuses_match(self) -> None:
            stored = {o.number: o.status for o in snapshot(self.place)["work_order"]}
            assert stored == {k: v["status"] for k, v in self.model.items()}

    return WorkOrderMachine


class TestLifecycleMachines:
    """Visits and work orders follow their models step by step, on every backend."""

    def test_visits(self, storage: Storage, examples: int) -> None:
        """Every visit's stored status equals the model's after every step."""
        run_state_machine_as_test(visit_machine(storage), settings=_settings(examples))

    def test_work_orders(self, storage: Storage, examples: int) -> None:
        """Every work order's stored status equals the model's after every step."""
        run_state_machine_as_test(work_order_machine(storage), settings=_settings(examples))


def _settings(examples: int) -> settings:
    return settings(
        max_examples=examples,
        stateful_step_count=30,
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
