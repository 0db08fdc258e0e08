"""The price index gives exactly what ``resolve_price`` gives, explanation included."""

from __future__ import annotations

import random
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from crmkit import serialization
from crmkit.adapters.mongo.converters import from_document, to_document
from crmkit.adapters.sql.pricing import from_body, to_body
from crmkit.domain import ProductId, TenantId, record_data
from crmkit.domain.price_index import PriceIndex, tiers_of
from crmkit.domain.price_list import PriceEntry, PriceList, PriceListId
from crmkit.domain.pricing import (
    ListOutcome,
    ListVerdict,
    NoPriceFound,
    PricingCustomer,
    Resolution,
    ResolutionMode,
    resolve_price,
)
from crmkit.domain.pricing_terms import Explanation
from crmkit.testing.pricing_strategies import (
    T0,
    customers,
    instants,
    price_entries,
    price_lists,
    quantities,
)
from tests.unit.test_pricing import CUSTOMER, PRODUCT, a_list, an_entry

TENANT = TenantId("unit")
OTHER = ProductId("p-2")


def indexed(
    lists: list[PriceList],
    entries: list[PriceEntry],
    customer: PricingCustomer = CUSTOMER,
    at: object = T0,
    mode: ResolutionMode = ResolutionMode.STRICT_PRIORITY,
) -> PriceIndex:
    """An index over ``lists`` with the tiers of ``entries`` (shuffled order is fine)."""
    index = PriceIndex(customer=customer, at=at, currency="CNY", mode=mode, price_lists=lists)  # type: ignore[arg-type]
    index.load(tiers_of(e for e in entries if e.price_list_id in index.sources))
    return index


class TestSameAsResolvePrice:
    @settings(max_examples=300)
    @given(data=st.data())
    def test_any_lists_entries_customer_moment_quantity_and_mode(self, data: st.DataObject) -> None:
        """Price, list, entry, tier and every verdict are those of ``resolve_price``; where no
        list prices the product, the same NoPriceFound (message and verdicts)."""
        lists = data.draw(st.lists(price_lists(TENANT), min_size=1, max_size=4))
        lists.append(data.draw(price_lists(TENANT, base=lists[0])))
        entries = [
            data.draw(price_entries(pl, product))
            for pl in lists
            for product in (PRODUCT, OTHER)
            for _ in range(data.draw(st.integers(0, 3)))
        ]
        lists.append(attrs.evolve(lists[0], id=PriceListId("0" + lists[0].id[1:])))
        customer, at = data.draw(customers()), data.draw(instants())
        quantity, mode = data.draw(quantities()), data.draw(st.sampled_from(ResolutionMode))
        tax_rate = Decimal("0.09")
        random.Random(data.draw(st.integers(0, 2**32))).shuffle(entries)

        def expected() -> Resolution | NoPriceFound:
            try:
                return resolve_price(
                    customer=customer,
                    product_id=PRODUCT,
                    tax_rate=tax_rate,
                    quantity=quantity,
                    at=at,
                    currency="CNY",
                    mode=mode,
                    price_lists=lists,
                    entries=entries,
                    sku="SKU-1",
                )
            except NoPriceFound as error:
                return error

        index = indexed(lists, entries, customer, at, mode)
        try:
            got: Resolution | NoPriceFound = index.resolve(PRODUCT, quantity, tax_rate, "SKU-1")
        except NoPriceFound as error:
            got = error
        want = expected()
        if isinstance(want, NoPriceFound):
            assert isinstance(got, NoPriceFound)
            assert (got.message, got.details) == (want.message, want.details)
        else:
            assert isinstance(got, Resolution)
            assert isinstance(got.candidates, Explanation)
            assert got == want
            assert got.describe() == want.describe()


class TestExplanation:
    def test_it_is_worked_out_once_when_first_read(self) -> None:
        calls: list[int] = []
        base = a_list()
        resolution = indexed([base], [an_entry(base, "9.50")]).resolve(
            PRODUCT, Decimal(1), Decimal("0.13")
        )
        assert isinstance(resolution.candidates, Explanation)

        def work_out() -> tuple[ListVerdict, ...]:
            calls.append(1)
            return tuple(resolution.candidates)

        explanation = Explanation(work_out)
        assert len(explanation) == 1
        assert explanation[0].outcome is ListOutcome.CHOSEN
        assert list(explanation) == list(resolution.candidates)
        assert calls == [1]

    def test_it_equals_and_hashes_as_the_tuple_of_its_verdicts(self) -> None:
        base = a_list()
        resolution = indexed([base], [an_entry(base, "9.50")]).resolve(
            PRODUCT, Decimal(1), Decimal("0.13")
        )
        eager = attrs.evolve(resolution, candidates=tuple(resolution.candidates))
        assert resolution == eager
        assert eager == resolution
        assert hash(resolution) == hash(eager)
        assert isinstance(eager.candidates, tuple)

    @pytest.mark.parametrize(
        ("write", "read"),
        [
            (to_body, lambda body: from_body(body, Resolution)),
            (to_document, lambda document: from_document(document, Resolution)),
            (record_data.to_data, lambda data: record_data.from_data(data, Resolution)),
            (serialization.to_json, lambda text: serialization.from_json(text, Resolution)),
        ],
    )
    def test_a_stored_resolution_reads_back_equal_with_a_tuple(
        self, write: Callable[[Resolution], Any], read: Callable[[Any], Resolution]
    ) -> None:
        """Every way a resolution is kept (SQL body, MongoDB document, a record kept with a
        request, public JSON) holds its verdicts; read back they are a tuple."""
        base = a_list()
        entries = [an_entry(base, "9.50", "0"), an_entry(base, "9", "5")]
        resolution = indexed([base], entries).resolve(PRODUCT, Decimal(7), Decimal("0.13"))
        again = read(write(resolution))
        assert again == resolution
        assert isinstance(again.candidates, tuple)
        assert len(again.candidates[0].entries) == 2
