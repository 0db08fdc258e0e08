"""Errors of the customer account (客户账户): each with a stable code and what to do."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal

from crmkit.domain.errors import InvalidStateTransition, ValidationError

__all__ = [
    "AccountCurrencyMismatch",
    "AmountExceedsHold",
    "CreditLimitBelowUsage",
    "HoldExpired",
    "HoldResolved",
    "InsufficientFunds",
    "OrderHasPendingHolds",
    "RepaymentExceedsCreditUsed",
]


class InsufficientFunds(ValidationError):
    """The account's funds cannot pay the amount; ``shortfall`` says by how much, per fund."""

    code = "insufficient_funds"
    template = (
        "{account} cannot pay {what}: {total} {currency} remain unpaid by the funds its "
        "deduction policy allows ({explanation}). Deposit or grant more, raise the credit "
        "limit, or lower the amount; nothing was changed."
    )

    def __init__(
        self,
        account_id: str,
        what: str,
        *,
        currency: str,
        shortfall: Mapping[str, Decimal],
        total: Decimal,
        explanation: str,
        customer_id: str | None = None,
    ) -> None:
        account = (
            f"the account of customer {customer_id!r}"
            if customer_id is not None
            else f"customer account {account_id!r}"
        )
        self._tell(
            {"account": account, "what": what, "explanation": explanation.rstrip(".")},
            field="amount",
            customer_id=customer_id,
            account_id=account_id,
            currency=currency,
            shortfall=dict(shortfall),
            total=total,
        )


class AccountCurrencyMismatch(ValidationError):
    """An amount in another currency than the customer account's."""

    code = "account_currency_mismatch"
    template = (
        "customer account {account_id!r} keeps {account_currency}, but {what} is in {given}; "
        "open an account in {given} for this customer or convert the amount first. Nothing "
        "was changed."
    )

    def __init__(self, account_id: str, account_currency: str, given: str, what: str) -> None:
        self._tell(
            {"what": what}, account_id=account_id, account_currency=account_currency, given=given
        )


class CreditLimitBelowUsage(ValidationError):
    """A credit limit lower than the credit already used and held."""

    code = "credit_limit_below_usage"
    default_field = "limit"
    template = (
        "customer account {account_id!r}: a credit limit of {limit} is below the credit in use "
        "({used} used + {held} held); have the customer repay or void holds first. Nothing "
        "was changed."
    )

    def __init__(self, account_id: str, limit: Decimal, used: Decimal, held: Decimal) -> None:
        self._tell(account_id=account_id, limit=limit, used=used, held=held)


class AmountExceedsHold(ValidationError):
    """A post or refund larger than what the hold still has for it."""

    code = "amount_exceeds_hold"
    default_field = "amount"
    template = (
        "cannot {action} {amount} on hold {hold_id!r}: only {left} is left for it; lower the "
        "amount. Nothing was changed."
    )

    def __init__(self, hold_id: str, action: str, amount: Decimal, left: Decimal) -> None:
        self._tell(hold_id=hold_id, action=action, amount=amount, left=left)


class HoldResolved(InvalidStateTransition):
    """A post or void on a hold that is resolved already (each hold resolves once)."""

    code = "hold_resolved"

    def __init__(self, hold_id: str, action: str) -> None:
        super().__init__("Hold", hold_id, "resolved (fully posted or voided)", action)
        self.message += " A hold resolves at most once; nothing was changed."


class RepaymentExceedsCreditUsed(ValidationError):
    """A credit repayment larger than the credit the customer owes."""

    code = "repayment_exceeds_credit_used"
    default_field = "amount"
    template = (
        "customer account {account_id!r} owes {used} on credit, so a repayment of {amount} is "
        "too large; deposit the difference as prepayment instead. Nothing was changed."
    )

    def __init__(self, account_id: str, amount: Decimal, used: Decimal) -> None:
        self._tell(account_id=account_id, amount=amount, used=used)


class OrderHasPendingHolds(InvalidStateTransition):
    """Holds for an order that still has pending holds (void them first)."""

    code = "order_has_pending_holds"

    def __init__(self, account_id: str, order_id: str) -> None:
        super().__init__("Order", order_id, "holding funds already", "place holds for")
        self.message += (
            f" Customer account {account_id!r} still holds funds for it; post or void those "
            f"holds first. Nothing was changed."
        )


class HoldExpired(InvalidStateTransition):
    """A post on a hold whose expiry has passed (it is voided, not posted)."""

    code = "hold_expired"

    def __init__(self, hold_id: str, expires_at: object) -> None:
        super().__init__("Hold", hold_id, f"expired at {expires_at}", "post")
        self.message += (
            " An expired hold can only be voided (expire_holds or void_hold); place a new "
            "hold to go on. Nothing was changed."
        )
