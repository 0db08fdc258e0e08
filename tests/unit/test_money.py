"""Money: exact amounts, refused floats, named rounding, exact allocation."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from crmkit.domain import (
    CurrencyMismatch,
    FloatNotAllowed,
    Money,
    Rounding,
    ValidationError,
    minor_unit,
)

amounts = st.decimals(min_value=-(10**12), max_value=10**12, places=6, allow_nan=False)
rounded_amounts = st.integers(0, 10**11).map(lambda n: Decimal(n).scaleb(-2))


class TestConstruction:
    """What Money accepts and refuses."""

    def test_accepts_decimals_ints_and_strings(self) -> None:
        """Decimal, int and numeric strings all give the exact amount."""
        assert Money("12.30", "CNY").amount == Decimal("12.30")
        assert Money(7, "JPY").amount == Decimal(7)
        assert Money(Decimal("0.005"), "USD").amount == Decimal("0.005")

    def test_refuses_floats_with_a_clear_error(self) -> None:
        """A float raises FloatNotAllowed whose message suggests a Decimal or string."""
        with pytest.raises(FloatNotAllowed) as raised:
            # mypy --strict (warn_unused_ignores) fails if this ignore is ever not needed:
            # the constructor's typing rejects floats before run time does.
            Money(0.1, "CNY")  # type: ignore[arg-type]
        assert raised.value.code == "float_not_allowed"
        assert "Decimal" in raised.value.message

    def test_refuses_multiplying_by_a_float(self) -> None:
        """Multiplying by a float raises FloatNotAllowed."""
        with pytest.raises(FloatNotAllowed):
            Money("1", "CNY") * 1.5  # type: ignore[operator]

    @pytest.mark.parametrize("bad", ["NaN", "Infinity", "abc", "", None, True])
    def test_refuses_non_numbers(self, bad: object) -> None:
        """NaN, infinity, text, None and booleans are not amounts."""
        with pytest.raises(ValidationError):
            Money(bad, "CNY")  # type: ignore[arg-type]

    @pytest.mark.parametrize("code", ["cny", "XXX1", "", "RMB"])
    def test_refuses_unknown_currencies(self, code: str) -> None:
        """Only ISO 4217 codes crmkit knows are currencies."""
        with pytest.raises(ValidationError):
            Money("1", code)


class TestArithmetic:
    """Sums, differences and comparisons stay in one currency."""

    def test_adds_and_subtracts_exactly(self) -> None:
        """0.1 + 0.2 is exactly 0.3."""
        assert Money("0.1", "CNY") + Money("0.2", "CNY") == Money("0.3", "CNY")
        assert Money("1", "CNY") - Money("0.01", "CNY") == Money("0.99", "CNY")

    def test_refuses_mixed_currencies(self) -> None:
        """Adding, subtracting or comparing CNY and USD raises CurrencyMismatch."""
        cny, usd = Money("1", "CNY"), Money("1", "USD")
        with pytest.raises(CurrencyMismatch):
            _ = cny + usd
        with pytest.raises(CurrencyMismatch):
            _ = cny - usd
        with pytest.raises(CurrencyMismatch):
            _ = cny < usd

    def test_refuses_adding_a_bare_number(self) -> None:
        """Money + Decimal is a ValidationError, not a silent conversion."""
        with pytest.raises(ValidationError):
            _ = Money("1", "CNY") + Decimal(1)  # type: ignore[operator]

    @given(a=amounts, b=amounts)
    def test_addition_is_exact_and_commutative(self, a: Decimal, b: Decimal) -> None:
        """a + b equals b + a and the Decimal sum, for any amounts."""
        left = Money(a, "EUR") + Money(b, "EUR")
        assert left == Money(b, "EUR") + Money(a, "EUR")
        assert left.amount == a + b

    @given(a=amounts, b=amounts)
    def test_ordering_follows_the_amounts(self, a: Decimal, b: Decimal) -> None:
        """Money compares as its amounts do."""
        assert (Money(a, "EUR") < Money(b, "EUR")) == (a < b)
        assert (Money(a, "EUR") <= Money(b, "EUR")) == (a <= b)


class TestRounding:
    """Rounding to the minor unit happens only where a rule is named."""

    @pytest.mark.parametrize(
        ("amount", "rule", "expected"),
        [
            ("0.125", Rounding.HALF_UP, "0.13"),
            ("0.125", Rounding.HALF_EVEN, "0.12"),
            ("0.135", Rounding.HALF_EVEN, "0.14"),
            ("-0.125", Rounding.HALF_UP, "-0.13"),
            ("0.121", Rounding.UP, "0.13"),
            ("0.129", Rounding.DOWN, "0.12"),
            ("-0.121", Rounding.FLOOR, "-0.13"),
            ("-0.129", Rounding.CEILING, "-0.12"),
            ("289.995", Rounding.HALF_UP, "290.00"),
            ("158.004", Rounding.HALF_UP, "158.00"),
        ],
    )
    def test_pinned_cases(self, amount: str, rule: Rounding, expected: str) -> None:
        """Each named rule rounds the pinned cases as documented."""
        rounded = Money(amount, "CNY").rounded(rule)
        assert str(rounded.amount) == expected

    def test_uses_the_currencys_minor_unit(self) -> None:
        """JPY rounds to yen, BHD to fils (three digits), CNY to fen."""
        assert Money("100.5", "JPY").rounded().amount == Decimal("101")
        assert Money("1.2345", "BHD").rounded().amount == Decimal("1.235")
        assert minor_unit("CNY") == Decimal("0.01")

    def test_half_up_is_the_default(self) -> None:
        """rounded() without a rule is half-up."""
        assert Money("0.005", "CNY").rounded() == Money("0.01", "CNY")

    @given(amount=amounts, rule=st.sampled_from(list(Rounding)))
    def test_rounding_stays_within_one_minor_unit(self, amount: Decimal, rule: Rounding) -> None:
        """Any rule lands on a whole minor unit less than one unit away."""
        rounded = Money(amount, "CNY").rounded(rule)
        assert rounded.is_rounded
        assert abs(rounded.amount - amount) < Decimal("0.01")

    @given(amount=amounts)
    def test_half_rules_land_on_the_nearest_minor_unit(self, amount: Decimal) -> None:
        """Half-up and half-even are at most half a minor unit away."""
        for rule in (Rounding.HALF_UP, Rounding.HALF_EVEN):
            assert abs(Money(amount, "CNY").rounded(rule).amount - amount) <= Decimal("0.005")


class TestAllocation:
    """Splitting an amount into parts that add up to it exactly."""

    def test_splits_a_cent_to_the_largest_remainder(self) -> None:
        """100.00 in three equal parts is 33.34 + 33.33 + 33.33."""
        parts = Money("100.00", "CNY").allocate([1, 1, 1])
        assert [p.amount for p in parts] == [Decimal("33.34"), Decimal("33.33"), Decimal("33.33")]

    def test_refuses_unrounded_amounts_and_bad_weights(self) -> None:
        """An amount with sub-minor digits, or weights all zero, are refused."""
        with pytest.raises(ValidationError):
            Money("1.001", "CNY").allocate([1, 1])
        with pytest.raises(ValidationError):
            Money("1.00", "CNY").allocate([0, 0])
        with pytest.raises(ValidationError):
            Money("1.00", "CNY").allocate([])

    @given(
        amount=st.integers(-(10**9), 10**9).map(lambda n: Decimal(n).scaleb(-2)),
        weights=st.lists(st.integers(0, 1000), min_size=1, max_size=12).filter(any),
    )
    def test_parts_add_up_exactly_and_stay_proportional(
        self, amount: Decimal, weights: list[int]
    ) -> None:
        """Parts sum to the amount, are whole cents, and each is within a cent of its share."""
        parts = Money(amount, "CNY").allocate(weights)
        assert sum((p.amount for p in parts), Decimal(0)) == amount
        total = sum(weights)
        for part, weight in zip(parts, weights, strict=True):
            assert part.is_rounded
            assert abs(part.amount - amount * weight / total) < Decimal("0.01")
