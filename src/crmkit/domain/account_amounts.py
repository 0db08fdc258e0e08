"""The amounts and order ids of customer accounts, checked as every backend stores them."""

from __future__ import annotations

from decimal import Decimal

from crmkit.domain.account_errors import AccountCurrencyMismatch
from crmkit.domain.decimals import to_decimal
from crmkit.domain.errors import ValidationError
from crmkit.domain.money import Money
from crmkit.domain.text import clean_text

__all__ = [
    "AMOUNT_STEP",
    "ORDER_ID_MAX_LENGTH",
    "ZERO",
    "order_id",
    "positive_amount",
    "stored_amount",
]

ZERO = Decimal(0)
AMOUNT_STEP = Decimal("0.0001")
ORDER_ID_MAX_LENGTH = 64


def order_id(value: object) -> str:
    """Validate an opaque order id (non-empty text of at most 64 characters)."""
    return clean_text(value, "order id", max_length=ORDER_ID_MAX_LENGTH)


def positive_amount(amount: Money, currency: str, account_id: str, what: str) -> Decimal:
    """The amount of ``amount`` if it is positive, rounded and in ``currency``.

    Raises:
        AccountCurrencyMismatch: ``amount`` is in another currency.
        ValidationError: the amount is zero, negative or has sub-minor-unit digits.
    """
    if not isinstance(amount, Money):
        raise ValidationError(f"{what} must be Money, not {type(amount).__name__}.")
    if amount.currency != currency:
        raise AccountCurrencyMismatch(account_id, currency, amount.currency, what)
    if amount.amount <= 0 or not amount.is_rounded:
        raise ValidationError(
            f"{what} on customer account {account_id!r} must be positive and in whole "
            f"minor units of {currency}, got {amount}; round it first (Money.rounded).",
            account_id=account_id,
        )
    return amount.amount


def stored_amount(value: object) -> Decimal:
    """An amount as every backend stores it: exactly, with four decimals.

    Account records keep their amounts at one fixed scale so that a record loads back
    identical (not only equal) from memory, SQL (NUMERIC(.., 4)) and MongoDB.

    Raises:
        ValidationError: the amount has more than four decimals.
    """
    amount = to_decimal(value, "account amount")
    if amount != amount.quantize(AMOUNT_STEP):
        raise ValidationError(f"account amount {amount} has more than four decimals.")
    return amount.quantize(AMOUNT_STEP)
