"""Conversion of user input to ``Decimal`` that refuses floats and out-of-range numbers."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from crmkit.domain.errors import FloatNotAllowed, ValidationError, shown

DecimalInput = Decimal | int | str

MAX_INTEGER_DIGITS = 18
"""Numbers handed in must be below 10**18 in size: larger than any stored column holds."""
MAX_NUMBER_TEXT = 64


def to_decimal(value: object, what: str) -> Decimal:
    """Convert ``value`` to a finite ``Decimal`` of bounded size, before any arithmetic.

    The bound keeps every later rounding and product within the decimal context, so a
    huge input is refused here instead of failing deep in a calculation (tiny values
    round to zero harmlessly; where a field holds fewer decimals the domain refuses more).

    Raises:
        FloatNotAllowed: ``value`` is a float.
        ValidationError: ``value`` is not a number, is NaN or infinite, or is 10**18 or
            more in size.
    """
    if type(value) is Decimal and value.is_finite():  # the common case: nothing to convert
        number = value
    elif type(value) is int:  # a whole number (not a bool): always finite
        number = Decimal(value)
    else:
        if isinstance(value, float):
            raise FloatNotAllowed(what, value)
        if isinstance(value, bool) or not isinstance(value, Decimal | int | str):
            raise ValidationError(
                f"{what} must be a Decimal, an int or a numeric string, not "
                f"{type(value).__name__} {shown(value)}.",
                what=what,
            )
        if isinstance(value, str) and len(value) > MAX_NUMBER_TEXT:
            raise ValidationError(f"{what} is not a number: {shown(value)}.", what=what)
        try:
            number = value if isinstance(value, Decimal) else Decimal(value)
        except (InvalidOperation, ValueError):
            raise ValidationError(f"{what} is not a number: {shown(value)}.", what=what) from None
        if not number.is_finite():
            raise ValidationError(f"{what} must be finite, got {shown(value)}.", what=what)
    if number and number.adjusted() >= MAX_INTEGER_DIGITS:
        raise ValidationError(
            f"{what} {shown(value)} is too large; it must be below 10**{MAX_INTEGER_DIGITS}.",
            what=what,
        )
    return number
