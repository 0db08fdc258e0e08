"""The state machines of the quote service contract: random conversions and lifecycles
checked against a reference model.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from decimal import Decimal
from typing import ClassVar

import pytest
from hypothesis import strategies as st
from hypothesis.stateful import (
    Bundle,
    RuleBasedStateMachine,
    initialize,
    invariant,
    rule,
)

from crmkit.domain import (
    DuplicateRequest,
    ValidationError,
)
from crmkit.domain.quote import (
    ConversionExceedsRemaining,
    Quote,
    QuoteExpired,
    QuoteStatus,
    QuoteTransitionNotAllowed,
)
from crmkit.services import Storage
from crmkit.testing.contracts.pricing_repositories import RELAXED
from crmkit.testing.contracts.pricing_support import ACME, PricedWorld
from crmkit.testing.contracts.support import T0
from crmkit.testing.running import run_machine


class QuoteMachineContract:
    """Random conversions and lifecycles keep a quote's promises (part of the service contract)."""

    stateful_examples: ClassVar[int] = 10
    stateful_steps: ClassVar[int] = 20

    def test_conversion_machine(self, storage: Storage) -> None:
        """Stateful: conversions, repeated keys and price changes keep the quote's invariants."""
        contract = self

        class ConversionMachine(RuleBasedStateMachine):
            """Convert parts of one accepted quote under keys while the price list changes."""

            keys = Bundle("keys")

            @initialize()
            def setup(self) -> None:
                self.world = PricedWorld.make(storage, products=2)
                _, self.entries = self.world.price_list("General", 1, ["19.99", "3.333"])
                self.quote = self.world.accepted_quote(["6", "2.5"])
                self.frozen = {line.line_no: line.unit_price for line in self.quote.lines}
                self.sent: dict[str, tuple[int, Decimal]] = {}
                self.orders: dict[str, str] = {}
                self.converted = {1: Decimal(0), 2: Decimal(0)}

            @rule(target=keys, key=st.sampled_from(["k0", "k1", "k2", "k3", "k4", "k5"]))
            def pick_key(self, key: str) -> str:
                return key

            @rule(
                key=keys,
                line_no=st.sampled_from([1, 2]),
                amount=st.sampled_from(["0.5", "1", "2", "2.5", "4"]),
            )
            def convert(self, key: str, line_no: int, amount: str) -> None:
                asked = Decimal(amount)
                line = self.quote.line(line_no)
                remaining = line.quantity - self.converted[line_no]
                try:
                    order = self.world.quotes.convert_to_order(
                        self.quote.id, request_key=key, quantities={line_no: asked}
                    )
                except DuplicateRequest:
                    assert key in self.sent
                    assert self.sent[key] != (line_no, asked)
                    return
                except ConversionExceedsRemaining:
                    assert key not in self.sent
                    assert asked > remaining
                    return
                if key in self.sent:
                    assert self.sent[key] == (line_no, asked)
                    assert order.id == self.orders[key]
                    return
                assert asked <= remaining
                self.sent[key] = (line_no, asked)
                self.orders[key] = order.id
                self.converted[line_no] += asked

            @rule(entry=st.sampled_from([0, 1]), price=st.sampled_from(["0.01", "99", "5.5"]))
            def change_price(self, entry: int, price: str) -> None:
                self.world.pricing.change_entry_price(self.entries[entry].id, price)

            @invariant()
            def quote_and_orders_agree(self) -> None:
                stored, orders = self.world.snapshot(self.quote)
                assert {o.id for o in orders} == set(self.orders.values())
                for line in stored.lines:
                    assert line.converted_quantity == self.converted[line.line_no]
                    assert Decimal(0) <= line.remaining <= line.quantity
                    in_orders = sum(
                        (
                            ol.quantity
                            for o in orders
                            for ol in o.lines
                            if ol.quote_line_no == line.line_no
                        ),
                        Decimal(0),
                    )
                    assert in_orders == line.converted_quantity
                for order in orders:
                    for order_line in order.lines:
                        assert order_line.unit_price == self.frozen[order_line.quote_line_no]

        run_machine(
            ConversionMachine,
            examples=contract.stateful_examples,
            steps=contract.stateful_steps,
            checks=RELAXED,
        )

    def test_lifecycle_machine(self, storage: Storage) -> None:
        """Stateful: random quote actions follow the lifecycle; refusals change nothing."""
        contract = self

        class LifecycleMachine(RuleBasedStateMachine):
            """Drive one quote through random actions while the clock and prices move."""

            @initialize()
            def setup(self) -> None:
                self.world = PricedWorld.make(storage, products=2)
                _, self.entries = self.world.price_list("General", 1, ["10", "2.5"])
                self.quote = self.world.quotes.create_quote(
                    ACME, currency="CNY", valid_until=T0 + timedelta(days=10)
                )
                self.status = QuoteStatus.DRAFT
                self.lines = 0
                self.frozen: list[Decimal] | None = None

            def expired(self) -> bool:
                return self.world.clock.now() >= self.quote.valid_until

            def attempt(
                self, action: Callable[[], Quote], refused: type[Exception] | None
            ) -> Quote | None:
                """Run ``action``; expect ``refused`` (and no change) or success."""
                before = self.world.quotes.get_quote(self.quote.id)
                if refused is None:
                    return action()
                with pytest.raises(refused) as raised:
                    action()
                if refused is ValidationError:  # the generic kind, not a subclass of it
                    assert not isinstance(raised.value, QuoteExpired)
                assert self.world.quotes.get_quote(self.quote.id) == before
                return None

            def allowed(self, status: QuoteStatus) -> type[Exception] | None:
                return None if self.status is status else QuoteTransitionNotAllowed

            @rule(product=st.sampled_from([0, 1]), amount=st.sampled_from(["1", "2.5", "12"]))
            def add_line(self, product: int, amount: str) -> None:
                product_id = self.world.products[product].id
                if self.attempt(
                    lambda: self.world.quotes.add_line(self.quote.id, product_id, amount),
                    self.allowed(QuoteStatus.DRAFT),
                ):
                    self.lines += 1

            @rule()
            def reprice(self) -> None:
                self.attempt(
                    lambda: self.world.quotes.reprice(self.quote.id),
                    self.allowed(QuoteStatus.DRAFT),
                )

            @rule()
            def send(self) -> None:
                refused = self.allowed(QuoteStatus.DRAFT)
                if refused is None and not self.lines:
                    refused = ValidationError
                elif refused is None and self.expired():
                    refused = QuoteExpired
                sent = self.attempt(lambda: self.world.quotes.send(self.quote.id), refused)
                if sent is not None:
                    self.status = QuoteStatus.SENT
                    self.frozen = [line.unit_price for line in sent.lines]

            @rule()
            def accept(self) -> None:
                refused = self.allowed(QuoteStatus.SENT)
                if refused is None and self.expired():
                    refused = QuoteExpired
                if self.attempt(lambda: self.world.quotes.accept(self.quote.id), refused):
                    self.status = QuoteStatus.ACCEPTED

            @rule()
            def reject(self) -> None:
                if self.attempt(
                    lambda: self.world.quotes.reject(self.quote.id),
                    self.allowed(QuoteStatus.SENT),
                ):
                    self.status = QuoteStatus.REJECTED

            @rule()
            def expire(self) -> None:
                refused = self.allowed(QuoteStatus.SENT)
                if refused is None and not self.expired():
                    refused = ValidationError
                if self.attempt(lambda: self.world.quotes.expire(self.quote.id), refused):
                    self.status = QuoteStatus.EXPIRED

            @rule(entry=st.sampled_from([0, 1]), price=st.sampled_from(["9.99", "3", "0.01"]))
            def change_price(self, entry: int, price: str) -> None:
                self.world.pricing.change_entry_price(self.entries[entry].id, price)

            @rule(days=st.integers(1, 4))
            def advance(self, days: int) -> None:
                self.world.clock.advance(timedelta(days=days))

            @invariant()
            def stored_quote_matches_the_model(self) -> None:
                stored = self.world.quotes.get_quote(self.quote.id)
                assert stored.status is self.status
                assert len(stored.lines) == self.lines
                if self.frozen is not None:
                    assert [line.unit_price for line in stored.lines] == self.frozen
                assert stored.totals().gross == sum((a.gross for a in stored.amounts()), Decimal(0))

        run_machine(
            LifecycleMachine,
            examples=contract.stateful_examples,
            steps=contract.stateful_steps,
            checks=RELAXED,
        )
