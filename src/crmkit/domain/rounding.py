"""Named rounding rules: every rounding in crmkit names one of these."""

from __future__ import annotations

import decimal
import enum
from decimal import Decimal

from crmkit.domain.errors import ValidationError, shown


class Rounding(enum.Enum):
    """How a value is rounded to a step (a currency's minor unit, a unit's precision)."""

    HALF_UP = decimal.ROUND_HALF_UP
    """Ties away from zero: 0.125 -> 0.13. The commercial default."""
    HALF_EVEN = decimal.ROUND_HALF_EVEN
    """Ties to the even neighbour (banker's rounding): 0.125 -> 0.12."""
    HALF_DOWN = decimal.ROUND_HALF_DOWN
    """Ties towards zero: 0.125 -> 0.12."""
    UP = decimal.ROUND_UP
    """Away from zero."""
    DOWN = decimal.ROUND_DOWN
    """Towards zero (truncation)."""
    CEILING = decimal.ROUND_CEILING
    """Towards positive infinity."""
    FLOOR = decimal.ROUND_FLOOR
    """Towards negative infinity."""

    def apply(self, value: Decimal, step: Decimal) -> Decimal:
        """Round ``value`` to a multiple of ``step`` (a power of ten such as 0.01).

        Raises:
            ValidationError: the result has more digits than a decimal can hold (the
                inputs that led to it were too large).
        """
        try:
            return value.quantize(step, rounding=self.value)
        except decimal.InvalidOperation:
            raise ValidationError(
                f"the result {shown(value)} is too large to round to {step}; use smaller "
                f"amounts or quantities.",
            ) from None
