"""The order lifecycle as a hypothesis state machine, with the in-memory backend as the
reference model: every command runs on both, must end the same way (same status and
events, or the same error code), and after every step both stores hold the same state and
the subject's invariants (:func:`crmkit.testing.order_support.check_world`) hold."""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any, ClassVar

from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    invariant,
    precondition,
    rule,
)

from crmkit.adapters.memory import InMemoryStorage
from crmkit.domain import CrmkitError
from crmkit.services import Storage
from crmkit.services.orders import OrderOutcome
from crmkit.testing.order_support import OrderWorld, WorldState, check_world, open_world
from crmkit.testing.running import run_machine

THOROUGH_SCALE = 10
"""Under ``HYPOTHESIS_PROFILE=thorough`` every backend runs ten times the examples."""
STOCK = (("6", "4", "3"), ("3", "2", "0"))
QUANTITIES = st.integers(0, 4)
AMOUNT = st.integers(1, 3)


def normal(state: WorldState, world: OrderWorld) -> Any:
    """The state without record ids, comparable between two backends."""
    skus = {p.id: p.sku for p in world.products}
    codes = {w.id: w.code for w in world.warehouses}
    account = state.account.account
    return (
        sorted(
            (o.number, o.status.value, tuple((x.delivered, x.returned) for x in o.lines))
            for o in state.orders
        ),
        (account.prepayment_balance, account.prepayment_held, account.credit_balance),
        sorted(
            (skus[x.product_id], codes[x.warehouse_id], x.on_hand, x.reserved, x.quarantine)
            for x in state.levels
        ),
        [(e.position, e.name) for e in state.events],
    )


def order_machine(storage: Storage) -> type[RuleBasedStateMachine]:
    """The state machine class comparing ``storage`` with the in-memory reference."""

    class OrderLifecycleMachine(RuleBasedStateMachine):
        """One reference world and one subject world per run, driven alike."""

        def __init__(self) -> None:
            super().__init__()
            self.reference = open_world(InMemoryStorage(), stock=STOCK, prepayment="150.00")
            self.subject = open_world(storage, stock=STOCK, prepayment="150.00")
            self.orders: list[tuple[str, str]] = []
            self.step = 0
            self.last: tuple[str, Callable[[OrderWorld, str, str], object]] | None = None

        def _both(self, command: Callable[[OrderWorld, str, str], object], index: int) -> None:
            self.step += 1
            key = f"k{self.step}"
            self.last = (key, command)
            self._compare(command, index, key)

        def _compare(
            self, command: Callable[[OrderWorld, str, str], object], index: int, key: str
        ) -> None:
            ref_id, sub_id = self.orders[index % len(self.orders)] if self.orders else ("", "")
            assert _outcome(self.reference, ref_id, key, command) == _outcome(
                self.subject, sub_id, key, command
            )

        @rule(quantities=st.tuples(QUANTITIES, QUANTITIES, QUANTITIES))
        def create(self, quantities: tuple[int, int, int]) -> None:
            """Create an order (no quantity at all: an empty order, refused)."""
            self.step += 1
            key = f"k{self.step}"
            made: list[tuple[str, str]] = []
            for world in (self.reference, self.subject):
                try:
                    made.append(("ok", world.order(*quantities, key=key).id))
                except CrmkitError as error:
                    made.append(("error", error.code))
            (ref_kind, ref_id), (sub_kind, sub_id) = made
            assert ref_kind == sub_kind, made
            if ref_kind == "ok":
                self.orders.append((ref_id, sub_id))
            else:
                assert ref_id == sub_id, made

        @precondition(lambda self: self.orders)
        @rule(index=st.integers(0, 20))
        def confirm(self, index: int) -> None:
            """Confirm an order."""
            self._both(lambda w, o, k: w.orders.confirm(o, key=k), index)

        @precondition(lambda self: self.orders)
        @rule(index=st.integers(0, 20), line=st.integers(1, 3), amount=AMOUNT)
        def deliver(self, index: int, line: int, amount: int) -> None:
            """Deliver some of a line."""
            self._both(lambda w, o, k: w.orders.deliver(o, {line: amount}, key=k), index)

        @precondition(lambda self: self.orders)
        @rule(
            index=st.integers(0, 20), line=st.integers(1, 3), amount=AMOUNT, sellable=st.booleans()
        )
        def take_back(self, index: int, line: int, amount: int, sellable: bool) -> None:
            """Return some of a delivered line."""

            def command(w: OrderWorld, o: str, k: str) -> object:
                return w.orders.return_goods(
                    o, {line: amount}, warehouse_id=w.warehouses[0].id, sellable=sellable, key=k
                )

            self._both(command, index)

        @precondition(lambda self: self.orders)
        @rule(index=st.integers(0, 20))
        def cancel(self, index: int) -> None:
            """Cancel an order."""
            self._both(lambda w, o, k: w.orders.cancel(o, key=k), index)

        @precondition(lambda self: self.orders)
        @rule(index=st.integers(0, 20))
        def close(self, index: int) -> None:
            """Close an order."""
            self._both(lambda w, o, k: w.orders.close(o, key=k), index)

        @precondition(lambda self: self.last is not None and self.orders)
        @rule(index=st.integers(0, 20))
        def repeat_last_key(self, index: int) -> None:
            """Repeat the last key: with its own command it replays, with another it fails."""
            assert self.last is not None
            key, command = self.last
            self._compare(command, index, key)

        @invariant()
        def same_state_as_the_reference(self) -> None:
            """Both stores hold the same state and the subject's invariants hold."""
            subject = self.subject.state()
            check_world(subject)
            assert normal(subject, self.subject) == normal(self.reference.state(), self.reference)

    return OrderLifecycleMachine


def _outcome(
    world: OrderWorld, order_id: str, key: str, command: Callable[[OrderWorld, str, str], object]
) -> Any:
    try:
        done = command(world, order_id, key)
    except CrmkitError as error:
        return ("error", error.code)
    assert isinstance(done, OrderOutcome)
    return ("ok", done.order.status, [e.name for e in done.events])


class OrderLifecycleMachineContract:
    """Every backend ends each random lifecycle in the in-memory reference's state."""

    stateful_examples: ClassVar[int] = 5
    stateful_steps: ClassVar[int] = 12

    def test_lifecycle_matches_the_reference(self, storage: Storage) -> None:
        """Random creates, confirms, deliveries, returns, cancels, closes and repeats."""
        scale = THOROUGH_SCALE if os.environ.get("HYPOTHESIS_PROFILE") == "thorough" else 1
        run_machine(
            order_machine(storage),
            examples=self.stateful_examples * scale,
            steps=self.stateful_steps,
        )


__all__ = ["OrderLifecycleMachineContract", "order_machine"]
