"""Conversion of user input to ``Decimal`` that refuses floats."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from crmkit.domain.errors import FloatNotAllowed, ValidationError

DecimalInput = Decimal | int | str


def to_decimal(value: object, what: str) -> Decimal:
    """Convert ``value`` to a finite ``Decimal``.

    Raises:
        FloatNotAllowed: ``value`` is a float.
        ValidationError: ``value`` is not a number, or is NaN or infinite.
    """
    if isinstance(value, float):
        raise FloatNotAllowed(what, value)
    if isinstance(value, bool) or not isinstance(value, Decimal | int | str):
        raise ValidationError(
            f"{what} must be a Decimal, an int or a numeric string, not "
            f"{type(value).__name__} {value!r}.",
            what=what,
        )
    try:
        number = value if isinstance(value, Decimal) else Decimal(value)
    except InvalidOperation:
        raise ValidationError(f"{what} is not a number: {value!r}.", what=what) from None
    if not number.is_finite():
        raise ValidationError(f"{what} must be finite, got {value!r}.", what=what)
    return number


def plain(number: Decimal) -> str:
    """``number`` as people write it: no trailing zeros, no exponent (``100``, ``2.5``)."""
    text = f"{number.normalize():f}"
    return "0" if text in {"-0", ""} else text
