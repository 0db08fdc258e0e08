"""Repository contracts of pricing: price lists (价目表) with their entries, quotes (报价单) and
sales orders (销售订单).
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import ClassVar

import attrs
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from crmkit.domain import (
    ConcurrencyConflict,
    DuplicateRecord,
    NotFound,
    ProductId,
    WrongTenant,
)
from crmkit.domain.price_list import PriceEntry, PriceEntryId, PriceListId
from crmkit.domain.quote import (
    QuoteId,
    QuoteStatus,
)
from crmkit.domain.sales_order import SalesOrder, SalesOrderId
from crmkit.services import Storage
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
