"""Pure inventory rules: allocation strategies, quantities, stock levels, reservations."""

# mypy: disable-error-code="comparison-overlap"
# (Decimal quantities are compared with int literals on purpose: Decimal(3) == 3.)

from __future__ import annotations

import itertools
from datetime import UTC, datetime
from decimal import Decimal

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from crmkit.domain import (
    FloatNotAllowed,
    InvalidStateTransition,
    ProductId,
    TenantId,
    ValidationError,
)
from crmkit.domain.inventory import (
    AllocationStrategy,
    BelowReserved,
    Candidate,
    DeliveryLine,
    DeliveryNote,
    DocumentStatus,
    InsufficientStock,
    NegativeStock,
    OverReturn,
    OverShipment,
    Reservation,
    ReservationId,
    ReservationStatus,
    StockBucket,
    StockLevel,
    WarehouseId,
    allocate,
    signed_quantity,
    stock_quantity,
)

NOW = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
TENANT = TenantId("t")
P = ProductId("p")
W = WarehouseId("w")

amounts = st.integers(0, 400).map(lambda n: Decimal(n) / 4)
positive = st.integers(1, 400).map(lambda n: Decimal(n) / 4)


@st.composite
def candidate_lists(draw: st.DrawFn) -> list[Candidate]:
    """Up to five warehouses with distinct codes, any priorities and availabilities."""
    size = draw(st.integers(0, 5))
    return [
        Candidate(WarehouseId(f"w{n}"), f"W{n}", draw(st.integers(0, 3)), draw(amounts))
        for n in range(size)
    ]


def _check_split(
    requested: Decimal,
    candidates: list[Candidate],
    parts: tuple[tuple[WarehouseId, Decimal], ...],
    backordered: Decimal,
) -> None:
    available = {c.warehouse_id: c.available for c in candidates}
    assert len({w for w, _ in parts}) == len(parts)
    assert all(0 < q <= available[w] for w, q in parts)
    assert sum((q for _, q in parts), Decimal(0)) + backordered == requested
    assert backordered >= 0


class TestAllocation:
    """Every strategy splits exactly, within availability, deterministically."""

    @given(requested=positive, candidates=candidate_lists())
    def test_priority_drains_warehouses_in_priority_order(
        self, requested: Decimal, candidates: list[Candidate]
    ) -> None:
        """PRIORITY takes from warehouses by (priority, code), draining all but the last."""
        split = allocate(requested, candidates, AllocationStrategy.PRIORITY)
        _check_split(requested, candidates, split.parts, split.backordered)
        usable = sorted(
            (c for c in candidates if c.available > 0), key=lambda c: (c.priority, c.code)
        )
        assert [w for w, _ in split.parts] == [c.warehouse_id for c in usable[: len(split.parts)]]
        for (_, quantity), candidate in zip(split.parts[:-1], usable, strict=False):
            assert quantity == candidate.available
        total = sum((c.available for c in candidates), Decimal(0))
        assert split.backordered == max(Decimal(0), requested - total)

    @given(requested=positive, candidates=candidate_lists(), pick=st.integers(0, 4))
    def test_preferred_only_uses_the_preferred_warehouse(
        self, requested: Decimal, candidates: list[Candidate], pick: int
    ) -> None:
        """PREFERRED_ONLY allocates from that warehouse alone, up to what it has."""
        preferred = WarehouseId(f"w{pick}")
        split = allocate(requested, candidates, AllocationStrategy.PREFERRED_ONLY, preferred)
        _check_split(requested, candidates, split.parts, split.backordered)
        assert {w for w, _ in split.parts} <= {preferred}
        there = sum((c.available for c in candidates if c.warehouse_id == preferred), Decimal(0))
        assert split.allocated == min(requested, there)

    @given(requested=positive, candidates=candidate_lists())
    def test_fewest_warehouses_uses_as_few_as_possible(
        self, requested: Decimal, candidates: list[Candidate]
    ) -> None:
        """FEWEST_WAREHOUSES covers the request with the least number of warehouses."""
        split = allocate(requested, candidates, AllocationStrategy.FEWEST_WAREHOUSES)
        _check_split(requested, candidates, split.parts, split.backordered)
        total = sum((c.available for c in candidates), Decimal(0))
        assert split.backordered == max(Decimal(0), requested - total)
        if split.backordered == 0:
            fewest = min(
                size
                for size in range(len(candidates) + 1)
                for subset in itertools.combinations(candidates, size)
                if sum((c.available for c in subset), Decimal(0)) >= requested
            )
            assert len(split.parts) == fewest

    @given(requested=positive, candidates=candidate_lists(), data=st.data())
    def test_the_split_does_not_depend_on_input_order(
        self, requested: Decimal, candidates: list[Candidate], data: st.DataObject
    ) -> None:
        """Shuffling the candidates gives the same split for every strategy."""
        shuffled = data.draw(st.permutations(candidates))
        for strategy in (AllocationStrategy.PRIORITY, AllocationStrategy.FEWEST_WAREHOUSES):
            assert allocate(requested, candidates, strategy) == allocate(
                requested, shuffled, strategy
            )

    def test_preferred_only_needs_a_warehouse(self) -> None:
        """PREFERRED_ONLY without a preferred warehouse raises ValidationError."""
        with pytest.raises(ValidationError):
            allocate(Decimal(1), [], AllocationStrategy.PREFERRED_ONLY)


class TestQuantities:
    """Quantities are exact: positive, at most four decimals, never floats or rounded."""

    @given(units=st.integers(1, 10**12), scale=st.integers(0, 4))
    def test_exact_quantities_are_kept(self, units: int, scale: int) -> None:
        """Any positive quantity with up to four decimals is accepted unchanged."""
        value = Decimal(units).scaleb(-scale)
        assert stock_quantity(value, "q") == value
        assert stock_quantity(str(value), "q") == value
        assert signed_quantity(-value, "q") == -value

    @pytest.mark.parametrize("bad", [0, -1, "0.00001", "abc", "Infinity", None, True])
    def test_invalid_quantities_are_refused(self, bad: object) -> None:
        """Zero, negative, too precise, non-numeric and boolean quantities are refused."""
        with pytest.raises(ValidationError):
            stock_quantity(bad, "q")

    def test_floats_are_refused(self) -> None:
        """A float raises FloatNotAllowed."""
        with pytest.raises(FloatNotAllowed):
            stock_quantity(1.5, "q")

    def test_zero_is_allowed_where_asked(self) -> None:
        """A count may be zero; an adjustment may not."""
        assert stock_quantity(0, "counted", allow_zero=True) == 0
        with pytest.raises(ValidationError):
            signed_quantity(0, "delta")


def _level(on_hand: Decimal, reserved: Decimal, quarantine: Decimal = Decimal(0)) -> StockLevel:
    return StockLevel(TENANT, P, W, on_hand, reserved, quarantine, NOW)


class TestStockLevel:
    """A stock level never reserves more than it has, nor falls below what is reserved."""

    @given(on_hand=amounts, reserved=amounts, quantity=positive)
    def test_reserve_never_exceeds_available(
        self, on_hand: Decimal, reserved: Decimal, quantity: Decimal
    ) -> None:
        """Reserving within availability works; beyond it raises InsufficientStock."""
        level = _level(on_hand + reserved, reserved)
        if quantity <= level.available:
            after = level.reserve(quantity, NOW)
            assert after.available == level.available - quantity
            assert 0 <= after.reserved <= after.on_hand
        else:
            with pytest.raises(InsufficientStock):
                level.reserve(quantity, NOW)

    @given(on_hand=amounts, reserved=amounts, delta=st.integers(-800, 800).map(Decimal))
    def test_adjustments_keep_reserved_covered(
        self, on_hand: Decimal, reserved: Decimal, delta: Decimal
    ) -> None:
        """Sellable adjustments keep on hand >= reserved; quarantine stays >= 0."""
        level = _level(on_hand + reserved, reserved, on_hand)
        if level.on_hand + delta >= level.reserved:
            assert level.adjusted(delta, StockBucket.SELLABLE, NOW, "x").on_hand == (
                level.on_hand + delta
            )
        else:
            with pytest.raises(BelowReserved):
                level.adjusted(delta, StockBucket.SELLABLE, NOW, "x")
        if level.quarantine + delta >= 0:
            assert level.adjusted(delta, StockBucket.QUARANTINE, NOW, "x").quarantine == (
                level.quarantine + delta
            )
        else:
            with pytest.raises(NegativeStock):
                level.adjusted(delta, StockBucket.QUARANTINE, NOW, "x")


def _reservation(quantity: Decimal) -> Reservation:
    return Reservation.new(
        TENANT,
        order_id="O",
        line_id="L",
        product_id=P,
        warehouse_id=W,
        quantity=quantity,
        expires_at=None,
        now=NOW,
    )


class TestReservation:
    """A reservation leaves OPEN once; shipped never exceeds what was reserved."""

    @given(quantity=positive, shipments=st.lists(positive, max_size=6), release=st.booleans())
    def test_shipments_and_release_account_for_every_unit(
        self, quantity: Decimal, shipments: list[Decimal], release: bool
    ) -> None:
        """quantity = shipped + released + remaining at every step; closed means remaining 0."""
        reservation = _reservation(quantity)
        for amount in shipments:
            if not reservation.is_open:
                with pytest.raises(InvalidStateTransition):
                    reservation.ship(amount, NOW)
            elif amount > reservation.remaining:
                with pytest.raises(OverShipment):
                    reservation.ship(amount, NOW)
            else:
                reservation = reservation.ship(amount, NOW)
            assert reservation.shipped + reservation.released + reservation.remaining == quantity
        if release and reservation.is_open:
            reservation = reservation.release(NOW)
            assert reservation.status is ReservationStatus.RELEASED
        if not reservation.is_open:
            assert reservation.remaining == 0
            with pytest.raises(InvalidStateTransition):
                reservation.release(NOW)

    @given(
        first=positive,
        quantity=st.integers(1, 10**8).map(lambda n: Decimal(n).scaleb(-4)),
        line=st.sampled_from(["2", " 3 ", "line-4"]),
        expires=st.none() | st.datetimes(timezones=st.just(UTC)),
        now=st.datetimes(timezones=st.just(UTC)),
    )
    def test_a_sibling_is_what_new_makes_for_its_line(
        self,
        first: Decimal,
        quantity: Decimal,
        line: str,
        expires: datetime | None,
        now: datetime,
    ) -> None:
        """A sibling of a new reservation equals ``new`` for the other line, its id aside."""

        def new(line_id: str, product: str, amount: Decimal) -> Reservation:
            return Reservation.new(
                TENANT,
                order_id="o-1",
                line_id=line_id,
                product_id=ProductId(product),
                warehouse_id=W,
                quantity=amount,
                expires_at=expires,
                now=now,
            )

        made = new("1", "p1", first).sibling(
            line_id=line, product_id=ProductId("p2"), warehouse_id=W, quantity=quantity
        )
        expected = attrs.evolve(new(line, "p2", quantity), id=made.id)
        assert made == expected
        assert [str(getattr(made, f.name)) for f in attrs.fields(Reservation)] == [
            str(getattr(expected, f.name)) for f in attrs.fields(Reservation)
        ]


class TestDeliveryNote:
    """Returns never exceed what a line delivered."""

    @given(shipped=positive, returns=st.lists(positive, max_size=5))
    def test_returned_never_exceeds_shipped(self, shipped: Decimal, returns: list[Decimal]) -> None:
        """Each return within what is left is booked; one beyond raises OverReturn."""
        line = DeliveryLine(1, ReservationId("r"), "L", P, W, shipped, Decimal(0))
        note = DeliveryNote("d", TENANT, "O", DocumentStatus.POSTED, (line,), None, NOW, NOW)
        for amount in returns:
            left = note.lines[0].quantity - note.lines[0].returned
            if amount <= left:
                note = note.with_returned({1: amount}, NOW)
            else:
                with pytest.raises(OverReturn):
                    note.with_returned({1: amount}, NOW)
            assert 0 <= note.lines[0].returned <= shipped


class TestPartialRelease:
    """A stock count gives back part of a reservation."""

    def test_part_released_stays_open_and_shipping_the_rest_consumes_it(self) -> None:
        """Released in part, it holds the rest; shipping that consumes it."""
        now = datetime(2026, 3, 2, tzinfo=UTC)
        reservation = Reservation.new(
            TenantId("t"),
            order_id="O-1",
            line_id="1",
            product_id=ProductId("p"),
            warehouse_id=WarehouseId("w"),
            quantity=Decimal(4),
            expires_at=None,
            now=now,
        )
        part = reservation.release_part(Decimal(3), now)
        assert (part.status, part.remaining, part.released) == (
            ReservationStatus.OPEN,
            Decimal(1),
            Decimal(3),
        )
        assert part.ship(Decimal(1), now).status is ReservationStatus.CONSUMED
        assert part.release(now).released == Decimal(4)
        assert reservation.release_part(Decimal(4), now).status is ReservationStatus.RELEASED
