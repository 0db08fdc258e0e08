"""The quote service contract: pricing lines, the quote lifecycle and conversion into sales
orders (报价单 -> 销售订单).
"""

from __future__ import annotations

import threading
from datetime import timedelta
from decimal import Decimal
from typing import ClassVar

import pytest

from crmkit.domain import (
    DuplicateRequest,
    ValidationError,
)
from crmkit.domain.pricing import (
    ListOutcome,
)
from crmkit.domain.quote import (
    ConversionExceedsRemaining,
    QuoteExpired,
    QuoteStatus,
    QuoteTransitionNotAllowed,
)
from crmkit.domain.sales_order import SalesOrderStatus
from crmkit.services import Storage
from crmkit.services.quotes import LineInput
from crmkit.testing.contracts.pricing_support import ACME, PricedWorld
from crmkit.testing.contracts.quote_machines import QuoteMachineContract
from crmkit.testing.contracts.support import T0
from crmkit.testing.running import run_threads


class QuoteServiceContract(QuoteMachineContract):
    """Quotes and their conversion to orders keep their promises on every storage."""

    writers: ClassVar[int] = 4

    def test_lines_are_priced_when_added_and_keep_their_explanation(self, storage: Storage) -> None:
        """Adding a line freezes its resolution; totals follow the named rounding."""
        world = PricedWorld.make(storage, products=2)
        world.price_list("General", 1, ["158", "0.125"], prices_include_tax=False)
        quote = world.quotes.create_quote(ACME, currency="CNY", valid_until=T0 + timedelta(days=9))
        saved = world.quotes.add_lines(
            quote.id, [LineInput(world.products[0].id, 1), LineInput(world.products[1].id, 1)]
        )
        assert [line.unit_price for line in saved.lines] == [Decimal(158), Decimal("0.125")]
        assert saved.lines[0].resolution.candidates[0].outcome is ListOutcome.CHOSEN
        totals = saved.totals()
        assert (totals.net, totals.tax, totals.gross) == (
            Decimal("158.13"),
            Decimal("20.56"),
            Decimal("178.69"),
        )
        assert world.quotes.get_quote(quote.id) == saved

    def test_repricing_is_allowed_only_in_draft(self, storage: Storage) -> None:
        """A draft re-prices to the new list price; a sent quote refuses and keeps its price."""
        world = PricedWorld.make(storage, products=1)
        _, [entry] = world.price_list("General", 1, ["10"])
        quote = world.quotes.create_quote(ACME, currency="CNY", valid_until=T0 + timedelta(days=9))
        world.quotes.add_line(quote.id, world.products[0].id, 2)
        world.pricing.change_entry_price(entry.id, "12")
        assert world.quotes.reprice(quote.id).lines[0].unit_price == Decimal(12)
        world.quotes.send(quote.id)
        world.pricing.change_entry_price(entry.id, "15")
        before = world.snapshot(quote)
        with pytest.raises(QuoteTransitionNotAllowed):
            world.quotes.reprice(quote.id)
        assert world.snapshot(quote) == before
        assert before[0].lines[0].unit_price == Decimal(12)

    def test_invalid_transitions_change_nothing(self, storage: Storage) -> None:
        """Accepting a draft, sending twice, or converting a rejected quote: error, no change."""
        world = PricedWorld.make(storage, products=1)
        world.price_list("General", 1, ["10"])
        quote = world.quotes.create_quote(ACME, currency="CNY", valid_until=T0 + timedelta(days=9))
        world.quotes.add_line(quote.id, world.products[0].id, 1)
        for action in (world.quotes.accept, world.quotes.reject, world.quotes.expire):
            before = world.snapshot(quote)
            with pytest.raises(QuoteTransitionNotAllowed):
                action(quote.id)
            assert world.snapshot(quote) == before
        world.quotes.send(quote.id)
        world.quotes.reject(quote.id)
        before = world.snapshot(quote)
        with pytest.raises(QuoteTransitionNotAllowed):
            world.quotes.convert_to_order(quote.id, request_key="k")
        with pytest.raises(QuoteTransitionNotAllowed):
            world.quotes.add_line(quote.id, world.products[0].id, 1)
        assert world.snapshot(quote) == before

    def test_an_expired_quote_cannot_be_accepted(self, storage: Storage) -> None:
        """After valid_until the clock refuses acceptance; expire() records the expiry."""
        world = PricedWorld.make(storage, products=1)
        world.price_list("General", 1, ["10"])
        quote = world.quotes.create_quote(ACME, currency="CNY", valid_until=T0 + timedelta(days=9))
        world.quotes.add_line(quote.id, world.products[0].id, 1)
        world.quotes.send(quote.id)
        world.clock.advance(timedelta(days=9))
        before = world.snapshot(quote)
        with pytest.raises(QuoteExpired) as raised:
            world.quotes.accept(quote.id)
        assert raised.value.code == "quote_expired"
        assert world.snapshot(quote) == before
        assert world.quotes.expire(quote.id).status is QuoteStatus.EXPIRED

    def test_a_discount_beyond_the_threshold_is_flagged_and_kept(self, storage: Storage) -> None:
        """The approval flag and reason are stored with the quote and copied to the order."""
        world = PricedWorld.make(storage, products=1)
        world.price_list("General", 1, ["10"])
        quote = world.quotes.create_quote(ACME, currency="CNY", valid_until=T0 + timedelta(days=9))
        world.quotes.add_line(quote.id, world.products[0].id, 4, discount_percent="25")
        stored = world.quotes.get_quote(quote.id)
        assert stored.needs_approval
        assert stored.approval_reasons == (
            "line 1: combined discount 25% exceeds the approval threshold 20%",
        )
        world.quotes.send(quote.id)
        world.quotes.accept(quote.id)
        order = world.quotes.convert_to_order(quote.id, request_key="k")
        assert order.approval_reasons == stored.approval_reasons

    def test_prices_stay_frozen_after_the_price_list_changes(self, storage: Storage) -> None:
        """Orders copy the quote's prices and explanations, whatever the list says later."""
        world = PricedWorld.make(storage, products=2)
        price_list, entries = world.price_list("General", 1, ["158", "289.99"])
        quote = world.accepted_quote(["3", "1"])
        for entry in entries:
            world.pricing.change_entry_price(entry.id, "1")
        world.pricing.deactivate_price_list(price_list.id)
        order = world.quotes.convert_to_order(quote.id, request_key="k")
        assert [line.unit_price for line in order.lines] == [Decimal(158), Decimal("289.99")]
        assert [line.resolution for line in order.lines] == [
            line.resolution for line in quote.lines
        ]
        assert order.totals() == quote.totals()
        assert order.status is SalesOrderStatus.DRAFT
        world.pricing.change_entry_price(entries[0].id, "2")
        assert world.quotes.get_order(order.id) == order

    def test_partial_conversions_track_what_remains(self, storage: Storage) -> None:
        """Converting parts leaves the rest; asking for more than remains changes nothing."""
        world = PricedWorld.make(storage, products=2)
        world.price_list("General", 1, ["10", "20"])
        quote = world.accepted_quote(["5", "2.5"])
        first = world.quotes.convert_to_order(quote.id, request_key="a", quantities={1: "3"})
        assert [(line.quote_line_no, line.quantity) for line in first.lines] == [(1, Decimal(3))]
        before = world.snapshot(quote)
        with pytest.raises(ConversionExceedsRemaining) as raised:
            world.quotes.convert_to_order(quote.id, request_key="b", quantities={1: "2.0001"})
        assert raised.value.details["remaining"] == Decimal(2)
        assert world.snapshot(quote) == before
        rest = world.quotes.convert_to_order(quote.id, request_key="c")
        assert [(line.quote_line_no, line.quantity) for line in rest.lines] == [
            (1, Decimal(2)),
            (2, Decimal("2.5")),
        ]
        after = world.quotes.get_quote(quote.id)
        assert [line.remaining for line in after.lines] == [Decimal(0), Decimal(0)]
        with pytest.raises(ValidationError, match="nothing left"):
            world.quotes.convert_to_order(quote.id, request_key="d")

    def test_a_repeated_request_key_returns_the_same_order(self, storage: Storage) -> None:
        """The same key and content returns the first order; other content is refused."""
        world = PricedWorld.make(storage, products=1)
        world.price_list("General", 1, ["10"])
        quote = world.accepted_quote(["5"])
        first = world.quotes.convert_to_order(quote.id, request_key="k", quantities={1: 2})
        again = world.quotes.convert_to_order(quote.id, request_key="k", quantities={1: "2.00"})
        assert again == first
        before = world.snapshot(quote)
        with pytest.raises(DuplicateRequest):
            world.quotes.convert_to_order(quote.id, request_key="k", quantities={1: 3})
        assert world.snapshot(quote) == before
        assert len(before[1]) == 1
        assert before[0].line(1).remaining == Decimal(3)

    def test_an_expired_accepted_quote_converts_only_with_a_recorded_override(
        self, storage: Storage
    ) -> None:
        """Past valid_until conversion needs an override reason, which the order keeps."""
        world = PricedWorld.make(storage, products=1)
        world.price_list("General", 1, ["10"])
        quote = world.accepted_quote(["5"])
        world.clock.advance(timedelta(days=31))
        before = world.snapshot(quote)
        with pytest.raises(QuoteExpired):
            world.quotes.convert_to_order(quote.id, request_key="k")
        assert world.snapshot(quote) == before
        order = world.quotes.convert_to_order(
            quote.id, request_key="k2", expiry_override="agreed by phone on day 29"
        )
        assert world.quotes.get_order(order.id).expiry_override == "agreed by phone on day 29"

    def test_parallel_conversions_never_exceed_the_quote(self, storage: Storage) -> None:
        """Threads converting 2 of 5 each under their own keys: at most two succeed."""
        world = PricedWorld.make(storage, products=1)
        world.price_list("General", 1, ["10"])
        quote = world.accepted_quote(["5"])
        barrier = threading.Barrier(self.writers)
        outcomes: list[str] = []

        def convert(n: int) -> None:
            barrier.wait(timeout=30)
            try:
                world.quotes.convert_to_order(quote.id, request_key=f"k{n}", quantities={1: 2})
                outcomes.append("converted")
            except ConversionExceedsRemaining:
                outcomes.append("refused")

        run_threads(convert, self.writers, timeout=120)
        stored, orders = world.snapshot(quote)
        assert len(outcomes) == self.writers
        assert outcomes.count("converted") == min(2, self.writers) == len(orders)
        assert stored.line(1).converted_quantity == sum(o.lines[0].quantity for o in orders)
