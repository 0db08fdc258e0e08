"""Quantity: an exact ``Decimal`` count in a unit of measure."""

from __future__ import annotations

from decimal import Decimal
from functools import total_ordering

import attrs

from crmkit.domain.decimals import to_decimal
from crmkit.domain.errors import UnitMismatch, ValidationError
from crmkit.domain.text import clean_text


def _quantity(value: object) -> Decimal:
    return to_decimal(value, "Quantity amount")


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
