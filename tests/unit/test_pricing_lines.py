"""``price_lines`` gives what the index's resolutions and ``line_amounts`` give."""

from __future__ import annotations

import random
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from crmkit import serialization
from crmkit.domain import ValidationError
from crmkit.domain.price_index import Line
from crmkit.domain.pricing import (
    DocumentTotals,
    NoPriceFound,
    Resolution,
    ResolutionMode,
    line_amounts,
    resolved_amounts,
)
from crmkit.domain.pricing_lines import PricedLines, price_lines
from crmkit.domain.pricing_terms import Explanation
from crmkit.domain.rounding import Rounding
from crmkit.testing.pricing_strategies import (
    customers,
    instants,
    price_entries,
    price_lists,
    quantities,
)
from tests.unit.test_price_index import OTHER, TENANT, indexed
from tests.unit.test_pricing import PRODUCT, a_list, an_entry

RATES = (Decimal(0), Decimal("0.06"), Decimal("0.13"), Decimal("0.0875"))


class TestSameAsResolutionsAndLineAmounts:
    @settings(max_examples=200)
    @given(data=st.data())
    def test_any_lists_lines_rates_rounding_and_mode(self, data: st.DataObject) -> None:
        """Each line: the resolution's price, list, entry and tier, and ``line_amounts``
        of it without discounts (net and tax-inclusive lists); the totals are
        ``DocumentTotals.of`` the lines; where a line has no price, the same NoPriceFound."""
        lists = data.draw(st.lists(price_lists(TENANT), min_size=1, max_size=3))
        lists.append(data.draw(price_lists(TENANT, base=lists[0])))
        entries = [
            data.draw(price_entries(pl, product))
            for pl in lists
            for product in (PRODUCT, OTHER)
            for _ in range(data.draw(st.integers(0, 3)))
        ]
        random.Random(data.draw(st.integers(0, 2**32))).shuffle(entries)
        customer, at = data.draw(customers()), data.draw(instants())
        mode = data.draw(st.sampled_from(ResolutionMode))
        rounding = data.draw(st.sampled_from(Rounding))
        lines: list[Line] = [
            (product, data.draw(quantities()), data.draw(st.sampled_from(RATES)), sku)
            for product, sku in data.draw(
                st.lists(st.sampled_from([(PRODUCT, "SKU-1"), (OTHER, "SKU-2")]), min_size=1)
            )
        ]
        index = indexed(lists, entries, customer, at, mode)
        refused: NoPriceFound | None = None
        try:
            resolutions = index.resolve_all(lines)
        except NoPriceFound as error:
            refused = error
        if refused is not None:
            with pytest.raises(NoPriceFound) as raised:
                price_lines(index, lines, rounding)
            assert (raised.value.message, raised.value.details) == (
                refused.message,
                refused.details,
            )
            return
        priced = price_lines(index, lines, rounding)
        expected = [
            resolved_amounts(r, rate, rounding)
            for r, (_, _, rate, _) in zip(resolutions, lines, strict=True)
        ]
        assert [(i.net, i.tax, i.gross) for i in priced.lines] == [
            (a.net, a.tax, a.gross) for a in expected
        ]
        assert [str(i.gross) for i in priced.lines] == [str(a.gross) for a in expected]
        assert priced.totals == DocumentTotals.of("CNY", expected)
        assert [(i.product_id, i.quantity, i.tax_rate, i.sku) for i in priced.lines] == lines
        assert priced.resolutions() == resolutions
        assert [r.describe() for r in priced.resolutions()] == [r.describe() for r in resolutions]
        assert (priced.currency, priced.at, priced.mode, priced.rounding) == (
            "CNY",
            at,
            mode,
            rounding,
        )


class TestPricedLines:
    def test_a_resolution_explains_when_first_read(self) -> None:
        base = a_list()
        priced = price_lines(
            indexed([base], [an_entry(base, "9.50", "0"), an_entry(base, "9", "5")]),
            [(PRODUCT, Decimal(7), Decimal("0.13"), "SKU-1")],
            Rounding.HALF_UP,
        )
        [item] = priced.lines
        assert (item.unit_price, item.tier_min_quantity, item.net, item.tax, item.gross) == (
            Decimal(9),
            Decimal(5),
            Decimal("63.00"),
            Decimal("8.19"),
            Decimal("71.19"),
        )
        resolution = priced.resolution(0)
        assert isinstance(resolution, Resolution)
        assert isinstance(resolution.candidates, Explanation)
        assert [len(v.entries) for v in resolution.candidates] == [2]
        with pytest.raises(IndexError):
            priced.resolution(1)

    def test_no_lines_price_to_zero(self) -> None:
        base = a_list()
        priced = price_lines(indexed([base], []), [], Rounding.HALF_UP)
        assert isinstance(priced, PricedLines)
        assert (priced.lines, priced.totals) == ((), DocumentTotals("CNY", *[Decimal(0)] * 3))

    def test_an_amount_too_large_to_round_is_refused_as_line_amounts_refuses_it(self) -> None:
        base = a_list()
        entry = an_entry(base, "999999999999999")
        index = indexed([base], [entry])
        huge: list[Line] = [(PRODUCT, Decimal("999999999999.9999") * 10**60, Decimal(0), None)]
        with pytest.raises(ValidationError) as raised:
            line_amounts(
                unit_price=entry.unit_price,
                quantity=huge[0][1],
                line_discount_percent=Decimal(0),
                document_discount_percent=Decimal(0),
                tax_rate=Decimal(0),
                prices_include_tax=False,
                currency="CNY",
                rounding=Rounding.HALF_UP,
            )
        with pytest.raises(ValidationError) as again:
            price_lines(index, huge, Rounding.HALF_UP)
        assert again.value.message == raised.value.message


class TestJson:
    def test_priced_lines_round_trip_without_their_explanation(self) -> None:
        """Lines and totals go to JSON as objects (decimals as strings) and come back equal;
        read back, a line cannot be explained (the index is not kept)."""
        base = a_list()
        priced = price_lines(
            indexed([base], [an_entry(base, "9.50")]),
            [(PRODUCT, Decimal(3), Decimal("0.13"), "SKU-1")],
            Rounding.HALF_UP,
        )
        data = serialization.to_data(priced)
        assert data["lines"][0]["gross"] == "32.21"
        assert "index" not in data
        assert "_index" not in data
        back = serialization.from_json(serialization.to_json(priced), PricedLines)
        assert back == priced
        assert back.lines == priced.lines
        with pytest.raises(ValidationError):
            back.resolution(0)
