"""Workflow rules on every backend: matching events fire once, actions take effect in the
consumer's unit of work, calls out are delivered at least once with stable keys in order."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest

from crmkit.bootstrap import Crm
from crmkit.domain.front_office.customers import CUSTOMERS
from crmkit.domain.front_office.people import TASKS
from crmkit.domain.front_office.pools import POOL_EVENTS, PoolAction
from crmkit.domain.outbox import EventName
from crmkit.domain.record_query import Equals
from crmkit.errors import DuplicateRecord, NotFound, ValidationError
from crmkit.process import (
    All,
    InvalidCondition,
    Notice,
    create_payment_plan,
    create_task,
    days_after_due,
    eq,
    notify,
    return_to_pool,
    set_field,
)
from crmkit.services import Storage
from crmkit.testing.order_support import open_world
from tests.process.support import PING, Place, place


def tasks_of(where: Place, customer_id: str) -> list[str]:
    """The titles of the tasks linked to a customer."""
    with where.uow() as uow:
        found = uow.records(TASKS).find(Equals("subject_id", customer_id), limit=100).items
    return sorted(t.title for t in found)


class Recorder:
    """A notifier that records notices and fails once on the keys it is told to."""

    def __init__(self, fail_once: set[str] | None = None) -> None:
        self.seen: list[Notice] = []
        self.fail_once = set(fail_once or ())

    def notify(self, notice: Notice) -> None:
        """Record ``notice``; raise the first time for a key in ``fail_once``."""
        self.seen.append(notice)
        if notice.key in self.fail_once:
            self.fail_once.discard(notice.key)
            raise ConnectionError("the SMS gateway is down")


class TestEventRules:
    """A rule on an event fires once per matching event, with all its actions."""

    def test_matching_event_fires_once_with_task_and_custom_field(self, storage: Storage) -> None:
        """Only the matching customer gets a task and the field; running again does nothing."""
        where = place(storage)
        gold, other = where.customers[0], where.customers[1]
        rule = where.services.workflows.define_rule(
            "VIP follow-up",
            event=PING,
            subject_type="customer",
            subject_key="customer_id",
            condition=eq("code", gold.code),
            actions=[
                create_task(where.rep.id, "Call {code} (event {position})", due_in_days=2),
                set_field("custom.tier", "gold"),
            ],
        )
        first = where.emit(PING, gold.id, customer_id=gold.id)
        where.emit(PING, other.id, customer_id=other.id)
        assert where.services.workflows.run() == 2
        assert where.services.workflows.run() == 0
        assert where.services.workflows.position() == first.position + 1
        assert tasks_of(where, gold.id) == [f"Call {gold.code} (event {first.position})"]
        assert tasks_of(where, other.id) == []
        with where.uow() as uow:
            assert uow.records(CUSTOMERS).get(gold.id).custom == {"tier": "gold"}
            assert uow.records(CUSTOMERS).get(other.id).custom == {}
        firings = where.services.workflows.firings(rule.id)
        assert [(f.position, f.record_key, f.outcome) for f in firings] == [
            (first.position, gold.id, "done")
        ]

    def test_inactive_rule_does_not_fire(self, storage: Storage) -> None:
        """A rule switched off is skipped, and the consumer still moves on."""
        where = place(storage)
        rule = where.services.workflows.define_rule(
            "Off", event=PING, actions=[notify("sms", "ping {position}")]
        )
        where.services.workflows.set_active(rule.id, False)
        where.emit(PING, "a")
        assert where.services.workflows.run() == 1
        assert where.services.workflows.firings(rule.id) == []
        assert where.services.workflows.pending_calls() == []

    def test_calls_out_are_delivered_at_least_once_in_order(self, storage: Storage) -> None:
        """A failing notifier gets the same key again, and later calls wait for it."""
        where = place(storage)
        where.services.workflows.define_rule(
            "Tell", event=PING, actions=[notify("sms", "ping {position}"), notify("mail", "m")]
        )
        for n in range(3):
            where.emit(PING, f"a{n}")
        where.services.workflows.run()
        keys = [c.id for c in where.services.workflows.pending_calls()]
        assert len(keys) == 6
        recorder = Recorder(fail_once={keys[2]})
        with pytest.raises(ConnectionError):
            where.services.workflows.deliver(recorder)
        assert [c.id for c in where.services.workflows.pending_calls()] == keys[2:]
        assert where.services.workflows.deliver(recorder) == 4
        assert [n.key for n in recorder.seen] == [*keys[:3], *keys[2:]]
        assert list(dict.fromkeys(n.key for n in recorder.seen)) == keys
        assert recorder.seen[0].message == "ping 1"
        assert where.services.workflows.pending_calls() == []

    def test_refused_action_fails_the_rule_alone(self, storage: Storage) -> None:
        """A rule whose action is refused records why; its other actions and the other
        rules on the event are unaffected, and the consumer moves on."""
        where = place(storage)
        broken = where.services.workflows.define_rule(
            "Plan",
            event=EventName.CONFIRMED,
            actions=[
                notify("sms", "planning"),
                create_payment_plan((Decimal(100),), days_apart=30),
            ],
        )
        fine = where.services.workflows.define_rule(
            "Tell", event=EventName.CONFIRMED, actions=[notify("sms", "{event.number} ok")]
        )
        where.emit(EventName.CONFIRMED, "nope", order_id="nope", number="SO-1", status="confirmed")
        assert where.services.workflows.run() == 1
        (failed,) = where.services.workflows.firings(broken.id)
        assert failed.outcome.startswith("failed: action 2 (create_payment_plan)")
        assert [f.outcome for f in where.services.workflows.firings(fine.id)] == ["done"]
        assert [c.message for c in where.services.workflows.pending_calls()] == ["SO-1 ok"]

    def test_return_to_pool(self, storage: Storage) -> None:
        """A rule returns the customer its event is about to the pool, with the history."""
        where = place(storage)
        held = where.customers[0]
        where.office.pools.claim("SH", held.id, user_id=where.rep.id)
        where.services.workflows.define_rule(
            "Give back",
            event=PING,
            subject_type="customer",
            condition=eq("owner_id", where.rep.id),
            actions=[return_to_pool("lost deal {position}")],
        )
        where.emit(PING, held.id)
        where.services.workflows.run()
        with where.uow() as uow:
            assert uow.records(CUSTOMERS).get(held.id).owner_id is None
            events = uow.records(POOL_EVENTS).find(Equals("subject_id", held.id), limit=10).items
        events = sorted(events, key=lambda e: e.seq)
        assert [(e.action, e.user_id, e.reason) for e in events][-1] == (
            PoolAction.RETURN,
            where.rep.id,
            "lost deal 1",
        )


class TestOrderAndInstalmentRules:
    """Rules on real order events plan payments; time-based rules ride on the reminders."""

    def test_plan_on_confirmation_and_reminder_seven_days_after_due(self, storage: Storage) -> None:
        """Confirming an order plans it in two instalments; seven days after the first is
        due, the reminder fires the time-based rule once."""
        world = open_world(storage)
        services = Crm(storage, world.clock).tenant(world.tenant)
        services.workflows.define_rule(
            "Plan", event=EventName.CONFIRMED,
            actions=[create_payment_plan((Decimal(50), Decimal(50)), days_apart=30)],
        )  # fmt: skip
        event, late = days_after_due(7)
        services.workflows.define_rule(
            "Chase",
            event=event,
            subject_type="payment_plan",
            condition=All((late, eq("currency", "CNY"))),
            actions=[notify("phone", "{order_number} instalment {event.instalment} is late")],
        )
        outcome = world.confirmed(2)
        services.workflows.run()
        plan = services.plans.get_plan(outcome.order.id)
        assert [i.due_on for i in plan.instalments] == [
            world.clock.now().date() + timedelta(days=30),
            world.clock.now().date() + timedelta(days=60),
        ]
        first_due = plan.instalments[0].due_on
        services.plans.raise_reminders(first_due + timedelta(days=6))
        services.workflows.run()
        assert services.workflows.pending_calls() == []
        services.plans.raise_reminders(first_due + timedelta(days=7))
        services.plans.raise_reminders(first_due + timedelta(days=8))
        services.workflows.run()
        calls = services.workflows.pending_calls()
        assert [c.message for c in calls] == [f"{plan.order_number} instalment 1 is late"]


class TestRuleRefusals:
    """A rule that cannot work is refused when saved, with the documented error, and
    nothing is stored."""

    def test_bad_rules_are_refused_and_change_nothing(self, storage: Storage) -> None:
        """Unknown fields, wrong types, unknown subjects and users, bad actions, twins."""
        where = place(storage)
        rules = where.services.workflows
        rules.define_rule("Taken", event=PING, actions=[notify("sms", "hello")])
        task = create_task(where.rep.id, "Call")
        cases: list[tuple[type[Exception], dict[str, object]]] = [
            (InvalidCondition, {"subject_type": "customer", "condition": eq("nope", "x")}),
            (InvalidCondition, {"subject_type": "customer", "condition": eq("code", 5)}),
            (InvalidCondition, {"condition": eq("code", "x")}),
            (InvalidCondition, {"condition": "code == 'x'"}),
            (ValidationError, {"subject_type": "spaceship"}),
            (ValidationError, {"actions": []}),
            (ValidationError, {"actions": [set_field("custom.tier", "gold")]}),
            (ValidationError, {"subject_type": "customer", "actions": [set_field("id", "x")]}),
            (
                ValidationError,
                {"subject_type": "customer", "actions": [set_field("custom.tier", "platinum")]},
            ),
            (ValidationError, {"subject_type": "customer", "actions": [set_field("kind", "x")]}),
            (ValidationError, {"actions": [create_payment_plan((Decimal(60),), days_apart=30)]}),
            (ValidationError, {"subject_type": "task", "actions": [return_to_pool("x")]}),
            (NotFound, {"actions": [create_task("nobody", "Call")]}),
            (DuplicateRecord, {"name": "Taken"}),
        ]
        for error, given in cases:
            arguments: dict[str, object] = {"name": "New", "event": PING, "actions": [task]}
            arguments.update(given)
            before = where.snapshot()
            with pytest.raises(error):
                rules.define_rule(**arguments)  # type: ignore[arg-type]
            assert where.snapshot() == before, given
