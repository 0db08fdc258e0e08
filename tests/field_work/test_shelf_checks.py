"""Shelf checks: exact derived figures (property-tested) and the service on every backend."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from crmkit import Crm, FixedClock
from crmkit.domain import TenantId, ValidationError
from crmkit.domain.field_work.shelf import (
    ShelfCheck,
    ShelfLine,
    out_of_stock,
    price_deviations,
    sell_through,
)
from crmkit.services import Storage
from crmkit.services.field_work.shelf import ShelfCheckService
from crmkit.testing.field_work import AT_STORE_POINT, Field, FixedPrices, field, snapshot

TENANT = TenantId("t-shelf")
T = datetime(2026, 9, 1, tzinfo=UTC)
PRODUCTS = ("p-a", "p-b", "p-c", "p-d")
QUANTITIES = st.decimals(min_value=0, max_value=10**6, places=3, allow_nan=False)
PRICES = st.decimals(min_value=0, max_value=10**5, places=4, allow_nan=False)


@st.composite
def shelves(draw: st.DrawFn) -> dict[str, Decimal]:
    """Quantities on the shelf for some products."""
    chosen = draw(st.lists(st.sampled_from(PRODUCTS), min_size=1, unique=True))
    return {p: draw(QUANTITIES) for p in chosen}


def check(
    quantities: dict[str, Decimal], at: datetime, prices: dict[str, Decimal] | None = None
) -> ShelfCheck:
    """A shelf check of the store at ``at``."""
    lines = [ShelfLine(p, 1, q, (prices or {}).get(p)) for p, q in quantities.items()]
    return ShelfCheck.new(TENANT, customer_id="store", visit_id="v", lines=lines, now=at)


class TestSellThrough:
    """Sell-through = previous + delivered - returned - current, exactly."""

    @settings(max_examples=150, deadline=None)
    @given(
        shelves(),
        shelves(),
        st.dictionaries(st.sampled_from(PRODUCTS), QUANTITIES),
        st.dictionaries(st.sampled_from(PRODUCTS), QUANTITIES),
    )
    def test_exact_and_conserving(
        self,
        before: dict[str, Decimal],
        after: dict[str, Decimal],
        delivered: dict[str, Decimal],
        returned: dict[str, Decimal],
    ) -> None:
        """Per product the formula holds exactly; totals balance; nothing is rounded."""
        sold = sell_through(
            check(before, T), check(after, T + timedelta(days=7)), delivered, returned
        )
        zero = Decimal(0)
        for product, units in sold.items():
            expected = (
                before.get(product, zero)
                + delivered.get(product, zero)
                - returned.get(product, zero)
                - after.get(product, zero)
            )
            assert units == expected
        assert sum(sold.values(), zero) == (
            sum(before.values(), zero)
            + sum(delivered.values(), zero)
            - sum(returned.values(), zero)
            - sum(after.values(), zero)
        )
        assert set(sold) == set(before) | set(after) | set(delivered) | set(returned)

    def test_a_worked_example(self) -> None:
        """10 on the shelf + 24 delivered - 2 returned - 7 left = 25 sold."""
        sold = sell_through(
            check({"p-a": Decimal(10)}, T),
            check({"p-a": Decimal(7)}, T + timedelta(days=7)),
            {"p-a": Decimal(24)},
            {"p-a": Decimal(2)},
        )
        assert sold == {"p-a": Decimal(25)}

    def test_checks_of_two_stores_or_reversed_are_refused(self) -> None:
        """The earlier check comes first; both of one store."""
        early, late = (
            check({"p-a": Decimal(1)}, T),
            check({"p-a": Decimal(1)}, T + timedelta(days=1)),
        )
        with pytest.raises(ValidationError):
            sell_through(late, early, {}, {})


class TestShelfFigures:
    """Out-of-stock places and price deviations."""

    def test_out_of_stock(self) -> None:
        """Counted 0, or expected and not seen at all."""
        current = check({"p-a": Decimal(0), "p-b": Decimal(3)}, T)
        assert out_of_stock(current, {"p-c": None, "p-b": None}) == ["p-a", "p-c"]

    @settings(max_examples=150, deadline=None)
    @given(PRICES, PRICES)
    def test_price_deviation_percent(self, seen: Decimal, listed: Decimal) -> None:
        """The percent is the exact ratio rounded half even to 2 decimals."""
        found = price_deviations(check({"p-a": Decimal(1)}, T, {"p-a": seen}), {"p-a": listed})
        if seen == listed:
            assert found == []
            return
        (deviation,) = found
        assert deviation.difference == seen - listed
        if listed == 0:
            assert deviation.difference_percent is None
        else:
            assert deviation.difference_percent is not None
            exact = (seen - listed) * 100 / listed
            assert abs(deviation.difference_percent - exact) <= Decimal("0.005")

    def test_half_even(self) -> None:
        """9.90 seen against 8.00 listed: +23.75 %; 1.00125 over 1 rounds to +0.12 %."""
        (first,) = price_deviations(
            check({"p-a": Decimal(1)}, T, {"p-a": Decimal("9.9")}), {"p-a": Decimal("8")}
        )
        assert first.difference_percent == Decimal("23.75")
        (second,) = price_deviations(
            check({"p-a": Decimal(1)}, T, {"p-a": Decimal("1.0012")}), {"p-a": Decimal("1")}
        )
        assert second.difference_percent == Decimal("0.12")


class TestShelfService:
    """Two visits to one store, deliveries in between, on every backend."""

    def test_figures_between_two_visits(self, storage: Storage) -> None:
        """Sell-through uses deliveries and returns strictly after the first check."""
        place = field(storage)
        first = _counted(place, {"p-a": Decimal(10), "p-b": Decimal(4)}, {"p-a": Decimal("5.5")})
        place.deliveries.movements += [
            (place.store.id, first.checked_at, "p-a", Decimal(100), False),  # before: not counted
            (place.store.id, first.checked_at + timedelta(days=1), "p-a", Decimal(24), False),
            (place.store.id, first.checked_at + timedelta(days=2), "p-a", Decimal(2), True),
            ("other-store", first.checked_at + timedelta(days=1), "p-b", Decimal(9), False),
        ]
        place.clock.advance(timedelta(days=7))
        second = _counted(place, {"p-a": Decimal(7)}, {"p-a": Decimal("5.9")})
        service = ShelfCheckService(
            place.uow, place.deliveries, FixedPrices({"p-a": Decimal("5.5")})
        )
        figures = service.figures(first.id, second.id)
        assert figures.sell_through == {"p-a": Decimal(25), "p-b": Decimal(4)}
        assert figures.out_of_stock == ["p-b"]
        assert [
            (d.product_id, d.difference, d.difference_percent) for d in figures.price_deviations
        ] == [("p-a", Decimal("0.4000"), Decimal("7.27"))]
        assert [c.id for c in service.checks_of(place.store.id)] == [first.id, second.id]
        before = snapshot(place)
        with pytest.raises(ValidationError):
            service.figures(second.id, first.id)
        assert snapshot(place) == before


def _counted(
    place: Field, quantities: dict[str, Decimal], prices: dict[str, Decimal]
) -> ShelfCheck:
    """A whole visit to the store with a shelf check of ``quantities``."""
    visit = place.visits.plan(
        customer_id=place.store.id,
        rep_id=place.rep.id,
        visit_type="audit",
        planned_at=place.clock.now(),
    )
    place.visits.check_in(visit.id, **AT_STORE_POINT)
    place.visits.fill_step(visit.id, "talk", {"mood": "good"})
    lines = [ShelfLine(p, 2, q, prices.get(p)) for p, q in quantities.items()]
    counted = place.visits.record_shelf_check(visit.id, "count", lines)
    place.visits.check_out(visit.id)
    return counted


class TestShelfChecksOfATenant:
    """``TenantServices.shelf_checks`` wires the service over the stock ledger and the
    store's price lists, on every backend."""

    def test_figures_from_the_ledger_and_the_price_lists(self, storage: Storage) -> None:
        """No delivery in between and no price list: sell-through is what left the shelf,
        and no price deviates; the checks of the store are listed."""
        place = field(storage)
        first = _counted(place, {"p-a": Decimal(10), "p-b": Decimal(4)}, {"p-a": Decimal("5.5")})
        place.clock.advance(timedelta(days=7))
        second = _counted(place, {"p-a": Decimal(7)}, {"p-a": Decimal("5.9")})
        asked: list[str] = []

        def store_of_order(_uow: object, order_id: str) -> str | None:
            asked.append(order_id)
            return None

        shelf = (
            Crm(storage, place.clock)
            .tenant(place.tenant)
            .shelf_checks(currency="CNY", store_of_order=store_of_order)
        )
        figures = shelf.figures(first.id, second.id)
        assert figures.sell_through == {"p-a": Decimal(3), "p-b": Decimal(4)}
        assert figures.out_of_stock == ["p-b"]
        assert figures.price_deviations == []
        assert asked == []
        assert [c.id for c in shelf.checks_of(place.store.id)] == [first.id, second.id]

    def test_malformed_wiring_is_refused(self, storage: Storage) -> None:
        """A currency crmkit does not know, or a store mapping that is not a function."""
        services = Crm(storage, FixedClock(T)).tenant("t-shelf-wiring")
        with pytest.raises(ValidationError):
            services.shelf_checks(currency="XXQ", store_of_order=lambda _uow, _order: None)
        with pytest.raises(ValidationError):
            services.shelf_checks(currency="CNY", store_of_order="store-1")  # type: ignore[arg-type]
