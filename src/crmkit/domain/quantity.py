"""Quantity: an exact ``Decimal`` count in a unit of measure."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from functools import total_ordering

import attrs

from crmkit.domain.decimals import to_decimal
from crmkit.domain.errors import UnitMismatch, ValidationError
from crmkit.domain.text import clean_text

_ONE = Decimal(1)
_ZERO = Decimal(0)


def normal_quantity(number: Decimal) -> Decimal:
    """``number`` as a quantity reads: no trailing zeros, no exponent (``100``, ``2.5``, ``0``).

    Every quantity crmkit returns (stock, movements, reservations, document and order
    lines, tiers) and quotes in an error message passes through here, on every backend, so
    ``100.0000`` read from a NUMERIC column and ``100`` computed in memory come back equal
    and alike.
    """
    if number == number.to_integral_value():  # whole (100, 100.0000, 1E+2): exponent 0
        return number.quantize(_ONE) if number else _ZERO
    return number.normalize()


def shown_quantity(number: Decimal) -> str:
    """``number`` as error messages and reports show a quantity: ``100``, ``2.5``."""
    return f"{normal_quantity(number)}"


def normal_quantities(numbers: Iterable[Decimal]) -> tuple[Decimal, ...]:
    """Each of ``numbers`` normalised by :func:`normal_quantity`."""
    return tuple(normal_quantity(number) for number in numbers)


def _quantity(value: object) -> Decimal:
    return normal_quantity(to_decimal(value, "Quantity amount"))


def _unit(value: object) -> str:
    return clean_text(value, "unit of measure", max_length=16)


@total_ordering
@attrs.frozen(order=False)
class Quantity:
    """An amount of a unit of measure (``pcs``, ``kg``, ``box``...). Floats are refused."""

    amount: Decimal = attrs.field(converter=_quantity)
    unit: str = attrs.field(converter=_unit)

    def _same_unit(self, other: object, operation: str) -> Quantity:
        if not isinstance(other, Quantity):
            raise ValidationError(
                f"cannot {operation} Quantity and {type(other).__name__}.", operation=operation
            )
        if other.unit != self.unit:
            raise UnitMismatch(self.unit, other.unit, operation)
        return other

    def __add__(self, other: Quantity) -> Quantity:
        return Quantity(self.amount + self._same_unit(other, "add").amount, self.unit)

    def __sub__(self, other: Quantity) -> Quantity:
        return Quantity(self.amount - self._same_unit(other, "subtract").amount, self.unit)

    def __lt__(self, other: Quantity) -> bool:
        return self.amount < self._same_unit(other, "compare").amount

    def __str__(self) -> str:
        return f"{self.amount} {self.unit}"
