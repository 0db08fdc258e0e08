"""Money: an exact ``Decimal`` amount in an ISO 4217 currency."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from functools import total_ordering

import attrs

from crmkit.domain.currency import check_currency, minor_unit
from crmkit.domain.decimals import to_decimal
from crmkit.domain.errors import CurrencyMismatch, ValidationError
from crmkit.domain.rounding import Rounding


def _amount(value: Decimal | int | str) -> Decimal:
    # Typed so that mypy rejects Money(19.99, ...) too; the run-time check stays for
    # untyped callers.
    return to_decimal(value, "Money amount")


@total_ordering
@attrs.frozen(order=False)
class Money:
    """An amount of one currency.

    The amount is kept exact (a unit price may carry more digits than the currency's minor
    unit); it is rounded to the minor unit only where a caller names the point and the rule,
    with :meth:`rounded`. Floats are refused; amounts in different currencies never mix.
    """

    amount: Decimal = attrs.field(converter=_amount)
    currency: str = attrs.field(validator=lambda _i, _a, v: check_currency(v))

    @classmethod
    def zero(cls, currency: str) -> Money:
        """No money in ``currency``."""
        return cls(Decimal(0), currency)

    @property
    def minor_unit(self) -> Decimal:
        """The currency's smallest amount (0.01 for CNY, 1 for JPY)."""
        return minor_unit(self.currency)

    def rounded(self, rule: Rounding = Rounding.HALF_UP) -> Money:
        """This amount rounded to the currency's minor unit by ``rule``."""
        return Money(rule.apply(self.amount, self.minor_unit), self.currency)

    @property
    def is_rounded(self) -> bool:
        """Whether the amount is a whole number of minor units."""
        return self.amount == self.amount.quantize(self.minor_unit)

    def _same_currency(self, other: object, operation: str) -> Money:
        if not isinstance(other, Money):
            raise ValidationError(
                f"cannot {operation} Money and {type(other).__name__}; wrap the amount in "
                f"Money(amount, {self.currency!r}) first.",
                operation=operation,
            )
        if other.currency != self.currency:
            raise CurrencyMismatch(self.currency, other.currency, operation)
        return other

    def __add__(self, other: Money) -> Money:
        return Money(self.amount + self._same_currency(other, "add").amount, self.currency)

    def __sub__(self, other: Money) -> Money:
        return Money(self.amount - self._same_currency(other, "subtract").amount, self.currency)

    def __neg__(self) -> Money:
        return Money(-self.amount, self.currency)

    def __mul__(self, factor: Decimal | int) -> Money:
        if isinstance(factor, Money):
            raise ValidationError("cannot multiply Money by Money.", operation="multiply")
        return Money(self.amount * to_decimal(factor, "Money multiplier"), self.currency)

    __rmul__ = __mul__

    def __lt__(self, other: Money) -> bool:
        return self.amount < self._same_currency(other, "compare").amount

    def is_zero(self) -> bool:
        """Whether the amount is zero."""
        return self.amount == 0

    def allocate(self, weights: Sequence[Decimal | int]) -> list[Money]:
        """Split this (rounded) amount into parts proportional to ``weights``.

        The parts are whole minor units and add up to exactly this amount: each part is
        rounded down, then the minor units left over go one each to the parts with the
        largest remainders (the earliest part wins a tie).

        Raises:
            ValidationError: the amount is not rounded, or the weights are empty,
                negative or all zero.
        """
        if not self.is_rounded:
            raise ValidationError(
                f"cannot allocate {self}: round it to the minor unit first.", amount=self
            )
        exact = [to_decimal(w, "allocation weight") for w in weights]
        total = sum(exact, Decimal(0))
        if not exact or any(w < 0 for w in exact) or total == 0:
            raise ValidationError(
                f"allocation weights must be non-negative and not all zero, got {exact}.",
            )
        unit = self.minor_unit
        units = int(self.amount / unit)
        shares = [units * w / total for w in exact]
        floors = [int(Rounding.FLOOR.apply(s, Decimal(1))) for s in shares]
        left = units - sum(floors)
        by_remainder = sorted(range(len(shares)), key=lambda i: (-(shares[i] - floors[i]), i))
        step = 1 if left >= 0 else -1
        for i in by_remainder[: abs(left)]:
            floors[i] += step
        return [Money(unit * n, self.currency) for n in floors]

    def __str__(self) -> str:
        return f"{self.amount} {self.currency}"
