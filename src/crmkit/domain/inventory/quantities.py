"""Stock quantities: exact ``Decimal`` values with at most four decimals, never rounded,
normalised by :func:`~crmkit.domain.quantity.normal_quantity` (``100``, ``2.5``)."""

from __future__ import annotations

from decimal import Decimal

from crmkit.domain.decimals import to_decimal
from crmkit.domain.errors import ValidationError
from crmkit.domain.quantity import normal_quantity

QUANTITY_SCALE = 4
QUANTITY_STEP = Decimal(1).scaleb(-QUANTITY_SCALE)
"""Stock is counted to 0.0001 of a unit; finer quantities are refused, not rounded."""
QUANTITY_MAX = Decimal(10) ** 13
ZERO = Decimal(0)


def stock_quantity(value: object, what: str, *, allow_zero: bool = False) -> Decimal:
    """``value`` as a quantity: positive (or zero if allowed), at most four decimals.

    Raises:
        FloatNotAllowed: ``value`` is a float.
        ValidationError: not a number, negative, zero (unless allowed), more than four
            decimals, or beyond 10**13.
    """
    number = to_decimal(value, what)
    if number < 0 or (number == 0 and not allow_zero):
        limit = "zero or more" if allow_zero else "more than zero"
        raise ValidationError(f"{what} must be {limit}, got {number}.", what=what, value=number)
    return _exact(number, what)


def signed_quantity(value: object, what: str) -> Decimal:
    """``value`` as a non-zero signed quantity (an adjustment), at most four decimals.

    Raises:
        FloatNotAllowed: ``value`` is a float.
        ValidationError: not a number, zero, more than four decimals or beyond 10**13.
    """
    number = to_decimal(value, what)
    if number == 0:
        raise ValidationError(f"{what} must not be zero.", what=what, value=number)
    return _exact(number, what)


def _exact(number: Decimal, what: str) -> Decimal:
    if number != number.quantize(QUANTITY_STEP):
        raise ValidationError(
            f"{what} {number} has more than {QUANTITY_SCALE} decimals; stock is counted to "
            f"{QUANTITY_STEP}. Round it with a named rule before passing it.",
            what=what,
            value=number,
        )
    if abs(number) >= QUANTITY_MAX:
        raise ValidationError(f"{what} {number} is too large.", what=what, value=number)
    return normal_quantity(number)
