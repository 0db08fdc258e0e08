"""Pricing contracts: price lists (价目表), quotes (报价单), sales orders (销售订单)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import timedelta
from decimal import Decimal
from typing import ClassVar

import attrs
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    Bundle,
    RuleBasedStateMachine,
    initialize,
    invariant,
    rule,
    run_state_machine_as_test,
)

from crmkit.domain import (
    ConcurrencyConflict,
    DuplicateRecord,
    DuplicateRequest,
    NotFound,
    ProductId,
    ValidationError,
    WrongTenant,
)
from crmkit.domain.price_list import PriceEntry, PriceEntryId, PriceListId, PriceListScope
from crmkit.domain.pricing import (
    ListOutcome,
    NoPriceFound,
    PricingCustomer,
    PricingPolicy,
    ResolutionMode,
)
from crmkit.domain.quote import (
    ConversionExceedsRemaining,
    Quote,
    QuoteExpired,
    QuoteId,
    QuoteStatus,
    QuoteTransitionNotAllowed,
)
from crmkit.domain.rounding import Rounding
from crmkit.domain.sales_order import SalesOrder, SalesOrderId, SalesOrderStatus
from crmkit.services import Storage
from crmkit.services.quotes import LineInput
from crmkit.testing.contracts.pricing_support import ACME, PricedWorld
from crmkit.testing.contracts.support import T0, canonical
from crmkit.testing.pricing_strategies import price_entries, price_lists, quotes
from crmkit.testing.tenants import fresh_tenant

RELAXED = [HealthCheck.function_scoped_fixture, HealthCheck.too_slow]


class PriceListRepositoryContract:
    """Every storage stores and finds price lists and their entries the same way."""

    max_examples: ClassVar[int] = 25

    def test_saved_lists_and_entries_load_back_equal(self, storage: Storage) -> None:
        """Any price list (plain or derived) and its entries load back equal (round trip)."""

        @settings(max_examples=self.max_examples, deadline=None, suppress_health_check=RELAXED)
        @given(data=st.data())
        def round_trip(data: st.DataObject) -> None:
            tenant = fresh_tenant()
            base = data.draw(price_lists(tenant))
            derived = data.draw(price_lists(tenant, base=base))
            product = ProductId("p-1")
            entries = data.draw(st.lists(price_entries(base, product), max_size=3))
            with storage.unit_of_work(tenant) as uow:
                uow.price_lists.add(base)
                uow.price_lists.add(derived)
                uow.price_lists.add_entries(entries)
                uow.commit()
            with storage.unit_of_work(tenant) as uow:
                assert uow.price_lists.get(base.id) == base
                assert uow.price_lists.get(derived.id) == derived
                assert uow.price_lists.all() == sorted([base, derived], key=lambda p: p.id)
                found = uow.price_lists.entries_for([base.id], [product])
                assert found == sorted(entries, key=lambda e: e.id)
                for entry in entries:
                    assert uow.price_lists.get_entry(entry.id) == entry
                # Identical, not only equal: decimals keep their scale on every backend.
                assert canonical(uow.price_lists.get(base.id)) == canonical(base)
                assert canonical(found) == canonical(sorted(entries, key=lambda e: e.id))

        round_trip()

    def test_entries_for_reads_only_the_asked_lists_and_products(self, storage: Storage) -> None:
        """entries_for filters by list and product, ordered by list, product, id."""
        world = PricedWorld.make(storage, products=3)
        first, first_entries = world.price_list("First", 1, ["1", "2", "3"])
        second, second_entries = world.price_list("Second", 2, ["4", "5", "6"])
        wanted = {world.products[0].id, world.products[2].id}
        with storage.unit_of_work(world.tenant) as uow:
            found = uow.price_lists.entries_for([second.id], wanted)
            both = uow.price_lists.entries_for([first.id, second.id], [world.products[1].id])
            assert uow.price_lists.entries_for([], wanted) == []
        assert {e.id for e in found} == {second_entries[0].id, second_entries[2].id}
        assert [e.id for e in both] == [
            e.id
            for e in sorted(
                [first_entries[1], second_entries[1]], key=lambda e: (e.price_list_id, e.id)
            )
        ]

    def test_a_unit_of_work_sees_its_own_new_entries(self, storage: Storage) -> None:
        """entries_for includes entries added earlier in the same unit of work."""
        world = PricedWorld.make(storage, products=1)
        made, _ = world.price_list("Base", 1, [])
        entry = PriceEntry.new(made, world.products[0].id, unit_price="9.5")
        with storage.unit_of_work(world.tenant) as uow:
            uow.price_lists.add_entries([entry])
            assert uow.price_lists.entries_for([made.id], [entry.product_id]) == [entry]

    def test_a_stale_entry_update_is_refused_and_changes_nothing(self, storage: Storage) -> None:
        """Updating an entry from an old version raises ConcurrencyConflict."""
        world = PricedWorld.make(storage, products=1)
        _, [entry] = world.price_list("Base", 1, ["10"])
        fresh = world.pricing.change_entry_price(entry.id, "11")
        with storage.unit_of_work(world.tenant) as uow, pytest.raises(ConcurrencyConflict):
            uow.price_lists.update_entry(attrs.evolve(entry, unit_price=Decimal(12)))
        with storage.unit_of_work(world.tenant) as uow:
            assert uow.price_lists.get_entry(entry.id) == fresh
        assert fresh.version == 2

    def test_duplicate_ids_are_refused_and_change_nothing(self, storage: Storage) -> None:
        """Adding a list or an entry with a taken id raises DuplicateRecord."""
        world = PricedWorld.make(storage, products=1)
        made, [entry] = world.price_list("Base", 1, ["10"])
        with storage.unit_of_work(world.tenant) as uow, pytest.raises(DuplicateRecord):
            uow.price_lists.add(attrs.evolve(made, name="Twin"))
        with storage.unit_of_work(world.tenant) as uow, pytest.raises(DuplicateRecord):
            uow.price_lists.add_entries([attrs.evolve(entry, unit_price=Decimal(1))])
        with storage.unit_of_work(world.tenant) as uow, pytest.raises(DuplicateRecord):
            uow.price_lists.add_entries(
                [attrs.evolve(entry, id=PriceEntryId("new")), attrs.evolve(entry, version=3)]
            )
        with storage.unit_of_work(world.tenant) as uow:
            assert uow.price_lists.all() == [made]
            assert uow.price_lists.get_entry(entry.id) == entry
            with pytest.raises(NotFound):
                uow.price_lists.get_entry(PriceEntryId("new"))

    def test_unknown_records_are_not_found(self, storage: Storage) -> None:
        """Unknown list and entry ids raise NotFound."""
        with storage.unit_of_work(fresh_tenant()) as uow:
            with pytest.raises(NotFound):
                uow.price_lists.get(PriceListId("missing"))
            with pytest.raises(NotFound):
                uow.price_lists.get_entry(PriceEntryId("missing"))

    def test_another_tenants_lists_are_invisible(self, storage: Storage) -> None:
        """Lists and entries of one tenant never show in another's unit of work."""
        owner = PricedWorld.make(storage, products=1)
        made, [entry] = owner.price_list("Base", 1, ["10"])
        other = fresh_tenant()
        with storage.unit_of_work(other) as uow:
            assert uow.price_lists.all() == []
            assert uow.price_lists.entries_for([made.id], [entry.product_id]) == []
            with pytest.raises(NotFound):
                uow.price_lists.get(made.id)

    def test_lists_and_entries_of_another_tenant_are_refused(self, storage: Storage) -> None:
        """Adding another tenant's list or entry raises WrongTenant and stores nothing."""
        owner = PricedWorld.make(storage, products=1)
        made, [entry] = owner.price_list("Base", 1, ["10"])
        intruder = fresh_tenant()
        with storage.unit_of_work(intruder) as uow:
            with pytest.raises(WrongTenant):
                uow.price_lists.add(attrs.evolve(made, id=PriceListId("copy")))
            with pytest.raises(WrongTenant):
                uow.price_lists.add_entries([attrs.evolve(entry, id=PriceEntryId("copy"))])
            with pytest.raises(WrongTenant):
                uow.price_lists.update_entry(entry)
        with storage.unit_of_work(owner.tenant) as uow:
            assert uow.price_lists.all() == [made]
            assert uow.price_lists.get_entry(entry.id) == entry


class QuoteRepositoryContract:
    """Every storage stores quotes and sales orders whole, with their frozen explanations."""

    max_examples: ClassVar[int] = 25

    def test_saved_quotes_and_orders_load_back_equal(self, storage: Storage) -> None:
        """Any quote, and an order converted from it, load back equal (round trip)."""

        @settings(max_examples=self.max_examples, deadline=None, suppress_health_check=RELAXED)
        @given(data=st.data())
        def round_trip(data: st.DataObject) -> None:
            tenant = fresh_tenant()
            quote = data.draw(quotes(tenant))
            with storage.unit_of_work(tenant) as uow:
                uow.quotes.add(quote)
                uow.commit()
            with storage.unit_of_work(tenant) as uow:
                assert uow.quotes.get(quote.id) == quote
                assert canonical(uow.quotes.get(quote.id)) == canonical(quote)
            if not quote.lines:
                return
            accepted = attrs.evolve(quote, status=QuoteStatus.ACCEPTED)
            order = SalesOrder.from_quote(
                accepted,
                {line.line_no: line.quantity for line in quote.lines},
                now=quote.created_at,
                request_key="k-1",
            )
            with storage.unit_of_work(tenant) as uow:
                uow.sales_orders.add(order)
                uow.commit()
            with storage.unit_of_work(tenant) as uow:
                assert uow.sales_orders.get(order.id) == order
                assert uow.sales_orders.for_quote(quote.id) == [order]
                assert canonical(uow.sales_orders.get(order.id)) == canonical(order)
            assert (
                order.totals()
                == attrs.evolve(
                    quote,
                    lines=tuple(attrs.evolve(line, converted_quantity=0) for line in quote.lines),
                ).totals()
            )

        round_trip()

    def test_a_stale_quote_update_is_refused_and_changes_nothing(self, storage: Storage) -> None:
        """Updating a quote from an old version raises ConcurrencyConflict."""
        world = PricedWorld.make(storage, products=1)
        world.price_list("Base", 1, ["10"])
        quote = world.quotes.create_quote(ACME, currency="CNY", valid_until=T0 + timedelta(days=9))
        newer = world.quotes.set_discounts(quote.id, document="5")
        with storage.unit_of_work(world.tenant) as uow, pytest.raises(ConcurrencyConflict):
            uow.quotes.update(attrs.evolve(quote, discount_percent=Decimal(50)))
        assert world.quotes.get_quote(quote.id) == newer

    def test_order_updates_are_versioned(self, storage: Storage) -> None:
        """An order update bumps the version; a stale one raises ConcurrencyConflict."""
        world = PricedWorld.make(storage, products=1)
        world.price_list("Base", 1, ["10"])
        order = world.quotes.convert_to_order(world.accepted_quote(["2"]).id, request_key="k")
        with storage.unit_of_work(world.tenant) as uow:
            saved = uow.sales_orders.update(attrs.evolve(order, discount_percent=Decimal(3)))
            uow.commit()
        assert saved.version == order.version + 1
        with storage.unit_of_work(world.tenant) as uow, pytest.raises(ConcurrencyConflict):
            uow.sales_orders.update(attrs.evolve(order, discount_percent=Decimal(9)))
        assert world.quotes.get_order(order.id) == saved

    def test_orders_of_a_quote_list_oldest_first_and_only_theirs(self, storage: Storage) -> None:
        """for_quote returns the quote's orders by creation time, not other quotes' orders."""
        world = PricedWorld.make(storage, products=1)
        world.price_list("Base", 1, ["10"])
        quote, other = world.accepted_quote(["5"]), world.accepted_quote(["5"])
        first = world.quotes.convert_to_order(quote.id, request_key="a", quantities={1: 1})
        world.clock.advance(timedelta(seconds=1))
        second = world.quotes.convert_to_order(quote.id, request_key="b", quantities={1: 1})
        world.quotes.convert_to_order(other.id, request_key="c", quantities={1: 1})
        assert world.quotes.orders_for_quote(quote.id) == [first, second]
        assert world.quotes.orders_for_quote(QuoteId("none")) == []

    def test_another_tenants_quotes_and_orders_are_not_found(self, storage: Storage) -> None:
        """A quote or order id of another tenant raises NotFound."""
        world = PricedWorld.make(storage, products=1)
        world.price_list("Base", 1, ["10"])
        quote = world.accepted_quote(["2"])
        order = world.quotes.convert_to_order(quote.id, request_key="k")
        with storage.unit_of_work(fresh_tenant()) as uow:
            with pytest.raises(NotFound):
                uow.quotes.get(quote.id)
            with pytest.raises(NotFound):
                uow.sales_orders.get(order.id)
            assert uow.sales_orders.for_quote(quote.id) == []

    def test_records_of_another_tenant_are_refused(self, storage: Storage) -> None:
        """Adding or updating another tenant's quote or order raises WrongTenant."""
        world = PricedWorld.make(storage, products=1)
        world.price_list("Base", 1, ["10"])
        quote = world.accepted_quote(["2"])
        order = world.quotes.convert_to_order(quote.id, request_key="k")
        intruder = fresh_tenant()
        with storage.unit_of_work(intruder) as uow:
            with pytest.raises(WrongTenant):
                uow.quotes.add(attrs.evolve(quote, id=QuoteId("copy")))
            with pytest.raises(WrongTenant):
                uow.sales_orders.add(attrs.evolve(order, id=SalesOrderId("copy")))
            with pytest.raises(WrongTenant):
                uow.quotes.update(quote)
            with pytest.raises(WrongTenant):
                uow.sales_orders.update(order)
        assert world.snapshot(quote) == (world.quotes.get_quote(quote.id), [order])
        with storage.unit_of_work(intruder) as uow, pytest.raises(NotFound):
            uow.quotes.get(QuoteId("copy"))


class PricingServiceContract:
    """Price resolution through the service behaves the same on every storage."""

    def test_resolution_explains_every_list(self, storage: Storage) -> None:
        """Strict mode: the first list in tie-break order wins; the others say why not."""
        world = PricedWorld.make(storage, products=1)
        general, _ = world.price_list("General", 5, ["100"])
        vip, [vip_entry] = world.price_list("VIP", 1, ["90"], scope=None)
        world.pricing.add_entry(vip.id, world.products[0].id, unit_price="80", min_quantity="10")
        found = world.pricing.resolve(ACME, world.products[0].id, "12", currency="CNY")
        assert (found.price_list_id, found.unit_price) == (vip.id, Decimal(80))
        assert found.tier_min_quantity == Decimal(10)
        assert [(c.name, c.outcome) for c in found.candidates] == [
            ("VIP", ListOutcome.CHOSEN),
            ("General", ListOutcome.OUTRANKED),
        ]
        below = world.pricing.resolve(ACME, world.products[0].id, "9", currency="CNY")
        assert (below.entry_id, below.unit_price) == (vip_entry.id, Decimal(90))
        assert general.id in {c.price_list_id for c in below.candidates}

    def test_best_price_mode_takes_the_lowest_applicable_price(self, storage: Storage) -> None:
        """A tenant in best-price mode gets the cheapest list that applies to the account."""
        world = PricedWorld.make(
            storage, products=1, policy=PricingPolicy(ResolutionMode.BEST_PRICE)
        )
        world.price_list("General", 1, ["100"])
        cheap, _ = world.price_list("Promo", 9, ["95"])
        found = world.pricing.resolve(ACME, world.products[0].id, "1", currency="CNY")
        assert found.price_list_id == cheap.id

    def test_bulk_resolution_makes_the_same_calls_for_one_line_or_many(
        self, storage: Storage
    ) -> None:
        """Resolving 1 or 12 lines reads products, lists and entries once each."""
        world = PricedWorld.make(storage, products=12)
        world.price_list("General", 1, [str(n + 1) for n in range(12)])
        one = world.counting(
            lambda: world.pricing.resolve_many(ACME, [(world.products[0].id, 1)], currency="CNY")
        )
        many = world.counting(
            lambda: world.pricing.resolve_many(
                ACME, [(p.id, 2) for p in world.products], currency="CNY"
            )
        )
        assert one == many
        assert many == {
            "products.get_many": 1,
            "price_lists.all": 1,
            "price_lists.entries_for": 1,
        }

    def test_no_price_raises_and_changes_nothing(self, storage: Storage) -> None:
        """A product without an applicable price raises NoPriceFound; the quote is unchanged."""
        world = PricedWorld.make(storage, products=2)
        world.price_list("Only the first", 1, ["10"])
        quote = world.quotes.create_quote(ACME, currency="CNY", valid_until=T0 + timedelta(days=9))
        before = world.snapshot(quote)
        with pytest.raises(NoPriceFound) as raised:
            world.quotes.add_lines(
                quote.id, [LineInput(world.products[0].id, 1), LineInput(world.products[1].id, 1)]
            )
        assert raised.value.code == "no_price"
        assert world.snapshot(quote) == before

    def test_a_derived_list_follows_its_base(self, storage: Storage) -> None:
        """A list derived at -12.5% prices 10.99 as 9.62 (HALF_UP) and follows base changes."""
        world = PricedWorld.make(storage, products=1)
        base, [entry] = world.price_list("Base", 9, ["10.99"])
        derived = world.pricing.derive_price_list(
            base.id,
            name="Dealers",
            percent="-12.5",
            rounding=Rounding.HALF_UP,
            priority=1,
            valid_from=T0 - timedelta(days=1),
        )
        found = world.pricing.resolve(ACME, world.products[0].id, 1, currency="CNY")
        assert (found.price_list_id, found.unit_price) == (derived.id, Decimal("9.62"))
        world.pricing.change_entry_price(entry.id, "20")
        again = world.pricing.resolve(ACME, world.products[0].id, 1, currency="CNY")
        assert again.unit_price == Decimal("17.50")
        with pytest.raises(ValidationError):
            world.pricing.add_entry(derived.id, world.products[0].id, unit_price="1")

    def test_scope_and_validity_are_checked_against_the_account_and_moment(
        self, storage: Storage
    ) -> None:
        """An account outside a list's scope, or a moment outside its window, skips the list."""
        world = PricedWorld.make(storage, products=1)
        world.price_list("General", 9, ["10"])
        world.price_list("Globex only", 1, ["5"], scope=PriceListScope.accounts("globex"))
        world.price_list("Next week", 2, ["6"], valid_from=T0 + timedelta(days=7))
        product = world.products[0].id
        assert world.pricing.resolve(ACME, product, 1, currency="CNY").unit_price == 10
        globex = PricingCustomer("globex")
        assert world.pricing.resolve(globex, product, 1, currency="CNY").unit_price == 5
        later = T0 + timedelta(days=8)
        assert world.pricing.resolve(ACME, product, 1, currency="CNY", at=later).unit_price == 6


class QuoteServiceContract:
    """Quotes and their conversion to orders keep their promises on every storage."""

    writers: ClassVar[int] = 4
    stateful_examples: ClassVar[int] = 10
    stateful_steps: ClassVar[int] = 20

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

        threads = [threading.Thread(target=convert, args=(n,)) for n in range(self.writers)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)
        stored, orders = world.snapshot(quote)
        assert len(outcomes) == self.writers
        assert outcomes.count("converted") == min(2, self.writers) == len(orders)
        assert stored.line(1).converted_quantity == sum(o.lines[0].quantity for o in orders)

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

        run_state_machine_as_test(
            ConversionMachine,
            settings=settings(
                max_examples=contract.stateful_examples,
                stateful_step_count=contract.stateful_steps,
                deadline=None,
                suppress_health_check=RELAXED,
            ),
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

        run_state_machine_as_test(
            LifecycleMachine,
            settings=settings(
                max_examples=contract.stateful_examples,
                stateful_step_count=contract.stateful_steps,
                deadline=None,
                suppress_health_check=RELAXED,
            ),
        )
