"""Deduction policies and :func:`plan_deduction`: which funds pay an order, and how much.

The plan is a pure function of plain inputs (the order amount and lines, the funds'
available amounts, the policy and the time); it changes nothing and never reads storage.
"""

from __future__ import annotations

import enum
import json
from collections.abc import Callable, Sequence
from datetime import datetime
from decimal import Decimal

import attrs

from crmkit.domain.account_errors import AccountCurrencyMismatch, InsufficientFunds
from crmkit.domain.accounts import ZERO, Fund, GrantShare, RebateGrant
from crmkit.domain.decimals import to_decimal
from crmkit.domain.errors import ValidationError, shown
from crmkit.domain.ids import record_id
from crmkit.domain.money import Money
from crmkit.domain.price_list import percent
from crmkit.domain.rounding import Rounding
from crmkit.domain.validators import is_a

HUNDRED = Decimal(100)
REBATE_CAP_ROUNDING = Rounding.DOWN
"""A percentage cap on rebate is rounded down to the minor unit: it is never exceeded."""


class TradeMode(enum.Enum):
    """How an order is paid (交易模式)."""

    PREPAID = "prepaid"
    """预付: account funds must cover the whole order, or it is refused."""
    PAY_NOW = "pay_now"
    """现款: funds (never credit) deduct what they can; the rest is paid in cash now."""
    CREDIT_SALE = "credit_sale"
    """赊销: funds deduct in policy order and the rest goes on credit."""


def _optional_decimal(value: object) -> Decimal | None:
    return None if value is None else to_decimal(value, "deduction policy cap")


def _optional_percent(value: object) -> Decimal | None:
    if value is None:
        return None
    return percent(value, "rebate_max_percent", low=ZERO, high=HUNDRED)


def _codes(value: object) -> tuple[str, ...] | None:
    if value is None:
        return None
    if isinstance(value, str) or not isinstance(value, Sequence | set | frozenset):
        raise ValidationError("eligible products/categories must be a collection of ids.")
    return tuple(sorted({record_id(v, "eligible product or category") for v in value}))


def _funds(value: object) -> tuple[Fund, ...]:
    if not isinstance(value, tuple | list) or not all(isinstance(f, Fund) for f in value):
        raise ValidationError(f"fund_order must be a tuple of Fund members, not {shown(value)}.")
    return tuple(value)


@attrs.frozen
class DeductionPolicy:
    """Declared rules for paying orders from a customer account (per account or tenant).

    ``fund_order`` lists the funds in the order they pay (a fund left out never pays).
    Rebate pays at most ``rebate_max_percent`` of the order (a percent: ``"10"`` = 10 %,
    the cap rounded down to the minor unit) and at most ``rebate_max_amount``, and only for
    lines whose product is in ``rebate_products`` or whose category is in
    ``rebate_categories`` (both ``None``: every line). Credit pays only if ``allow_credit``.
    """

    fund_order: tuple[Fund, ...] = attrs.field(
        default=(Fund.REBATE, Fund.PREPAYMENT, Fund.CREDIT), converter=_funds
    )
    rebate_max_percent: Decimal | None = attrs.field(default=None, converter=_optional_percent)
    rebate_max_amount: Decimal | None = attrs.field(default=None, converter=_optional_decimal)
    rebate_products: tuple[str, ...] | None = attrs.field(default=None, converter=_codes)
    rebate_categories: tuple[str, ...] | None = attrs.field(default=None, converter=_codes)
    allow_credit: bool = attrs.field(default=True, validator=is_a(bool))
    trade_mode: TradeMode = attrs.field(default=TradeMode.PREPAID, validator=is_a(TradeMode))

    def __attrs_post_init__(self) -> None:
        if len(set(self.fund_order)) != len(self.fund_order) or not all(
            isinstance(f, Fund) for f in self.fund_order
        ):
            raise ValidationError(
                f"deduction policy fund_order {self.fund_order!r} must list distinct funds."
            )
        if self.rebate_max_amount is not None and self.rebate_max_amount < 0:
            raise ValidationError(f"rebate_max_amount {self.rebate_max_amount} is negative.")
        if self.trade_mode is TradeMode.CREDIT_SALE and not (
            self.allow_credit and Fund.CREDIT in self.fund_order
        ):
            raise ValidationError(
                "a credit-sale policy must allow credit and list it in fund_order."
            )

    def rebate_allows(self, product_id: str, category: str | None) -> bool:
        """Whether the policy lets rebate pay for a line of this product and category."""
        if self.rebate_products is None and self.rebate_categories is None:
            return True
        return product_id in (self.rebate_products or ()) or (
            category is not None and category in (self.rebate_categories or ())
        )

    def to_json(self) -> str:
        """The policy as JSON text (how storage keeps it)."""
        return json.dumps(
            {
                "fund_order": [f.value for f in self.fund_order],
                "rebate_max_percent": _text(self.rebate_max_percent),
                "rebate_max_amount": _text(self.rebate_max_amount),
                "rebate_products": self.rebate_products,
                "rebate_categories": self.rebate_categories,
                "allow_credit": self.allow_credit,
                "trade_mode": self.trade_mode.value,
            },
            sort_keys=True,
        )

    @classmethod
    def from_json(cls, text: str) -> DeductionPolicy:
        """The policy stored by :meth:`to_json`."""
        data = json.loads(text)
        percent = data.get("rebate_max_percent")
        if "rebate_max_share" in data:  # stored before 0.2: a fraction (0.1 = 10 %)
            share = data["rebate_max_share"]
            percent = None if share is None else str(Decimal(share) * 100)
        return cls(
            fund_order=tuple(Fund(f) for f in data["fund_order"]),
            rebate_max_percent=percent,
            rebate_max_amount=data["rebate_max_amount"],
            rebate_products=data["rebate_products"],
            rebate_categories=data["rebate_categories"],
            allow_credit=data["allow_credit"],
            trade_mode=TradeMode(data["trade_mode"]),
        )


def _text(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


@attrs.frozen
class OrderLine:
    """One line of the order to pay: its product, category and amount."""

    product_id: str
    category: str | None
    amount: Money


@attrs.frozen
class AvailableFunds:
    """What a customer account can pay with now (see ``CustomerAccount``)."""

    account_id: str
    currency: str
    prepayment: Decimal
    credit: Decimal
    grants: tuple[RebateGrant, ...]
    customer_id: str | None = None
    """The customer's code, by which errors name the account."""


@attrs.frozen
class PlanPart:
    """What one fund pays; rebate parts name the grants they draw from."""

    fund: Fund
    amount: Decimal
    shares: tuple[GrantShare, ...] = ()


@attrs.frozen
class DeductionPlan:
    """The per-fund amounts that pay an order, with the reasons; ``cash_due`` is the rest."""

    currency: str
    order_amount: Decimal
    parts: tuple[PlanPart, ...]
    cash_due: Decimal
    explanation: tuple[str, ...]

    def amount(self, fund: Fund) -> Decimal:
        """What ``fund`` pays (zero if it does not take part)."""
        return sum((p.amount for p in self.parts if p.fund is fund), ZERO)


def _display(unit: Decimal) -> Callable[[Decimal], Decimal]:
    """Amounts in messages carry the currency's minor unit, whatever the backend returned."""

    def q(value: Decimal) -> Decimal:
        return value.quantize(unit)

    return q


def grant_order(grant: RebateGrant) -> tuple[int, datetime | None, str]:
    """Grants are used soonest-expiring first, grants without expiry last, then by id."""
    return (grant.expires_at is None, grant.expires_at, grant.id)


def plan_deduction(
    order_amount: Money,
    lines: Sequence[OrderLine],
    funds: AvailableFunds,
    policy: DeductionPolicy,
    now: datetime,
) -> DeductionPlan:
    """Split ``order_amount`` over the funds as ``policy`` says.

    Funds pay in ``policy.fund_order``. Rebate pays at most its caps, only for eligible
    lines, from unexpired grants soonest-expiring first; within a grant, lines are used
    in the order given (a greedy split, documented in docs/customer-accounts.md).

    Raises:
        AccountCurrencyMismatch: the order or a line is in another currency.
        ValidationError: the amount is not positive and rounded, or the lines do not add
            up to it.
        InsufficientFunds: the funds cannot pay (not for pay-now, whose rest is cash);
            ``details['shortfall']`` holds what each fund lacked.
    """
    total = _check_order(order_amount, lines, funds)
    currency = funds.currency
    q = _display(order_amount.minor_unit)
    remaining = total
    parts: list[PlanPart] = []
    notes: list[str] = []
    short: dict[str, Decimal] = {}
    for fund in policy.fund_order:
        if remaining == 0:
            break
        if fund is Fund.REBATE:
            part, note = _rebate(
                order_amount=order_amount,
                lines=lines,
                funds=funds,
                policy=policy,
                now=now,
                remaining=remaining,
            )
        elif fund is Fund.PREPAYMENT:
            amount = min(remaining, max(funds.prepayment, ZERO))
            part = PlanPart(fund, amount)
            note = (
                f"prepayment: {q(amount)} of {q(remaining)} wanted "
                f"({q(funds.prepayment)} available)"
            )
        elif policy.allow_credit and policy.trade_mode is not TradeMode.PAY_NOW:
            amount = min(remaining, max(funds.credit, ZERO))
            part = PlanPart(fund, amount)
            note = f"credit: {q(amount)} of {q(remaining)} wanted ({q(funds.credit)} available)"
        else:
            notes.append(
                f"credit: not used ({policy.trade_mode.value}, allow_credit={policy.allow_credit})"
            )
            short[fund.value] = remaining
            continue
        notes.append(note)
        if part.amount < remaining:
            short[fund.value] = remaining - part.amount
        if part.amount > 0:
            parts.append(part)
            remaining -= part.amount
    cash_due = ZERO
    if remaining > 0:
        if policy.trade_mode is not TradeMode.PAY_NOW:
            raise InsufficientFunds(
                funds.account_id,
                f"the order of {q(total)} {currency}",
                currency=currency,
                shortfall={fund: q(amount) for fund, amount in short.items()},
                total=q(remaining),
                explanation="; ".join(notes) + ".",
                customer_id=funds.customer_id,
            )
        cash_due = remaining
        notes.append(f"pay now: {q(cash_due)} in cash")
    return DeductionPlan(currency, total, tuple(parts), cash_due, tuple(notes))


def _check_order(order_amount: Money, lines: Sequence[OrderLine], funds: AvailableFunds) -> Decimal:
    currency = funds.currency
    for money, what in [(order_amount, "the order amount")] + [
        (line.amount, f"order line {line.product_id!r}") for line in lines
    ]:
        if money.currency != currency:
            raise AccountCurrencyMismatch(funds.account_id, currency, money.currency, what)
    total = order_amount.amount
    if total <= 0 or not order_amount.is_rounded:
        raise ValidationError(
            f"order amount {order_amount} must be positive and in whole minor units.",
        )
    if sum((line.amount.amount for line in lines), ZERO) != total or any(
        line.amount.amount < 0 for line in lines
    ):
        raise ValidationError(
            f"the order lines must be non-negative and add up to the order amount "
            f"{order_amount}; got {[str(line.amount) for line in lines]}.",
        )
    return total


def _rebate(
    *,
    order_amount: Money,
    lines: Sequence[OrderLine],
    funds: AvailableFunds,
    policy: DeductionPolicy,
    now: datetime,
    remaining: Decimal,
) -> tuple[PlanPart, str]:
    q = _display(order_amount.minor_unit)
    cap = remaining
    reasons = [f"{q(remaining)} wanted"]
    if policy.rebate_max_percent is not None:
        share_cap = REBATE_CAP_ROUNDING.apply(
            order_amount.amount * policy.rebate_max_percent / HUNDRED, order_amount.minor_unit
        )
        shown = policy.rebate_max_percent.normalize()
        reasons.append(f"capped at {shown:f}% of the order = {q(share_cap)}")
        cap = min(cap, share_cap)
    if policy.rebate_max_amount is not None:
        reasons.append(f"capped at {q(policy.rebate_max_amount)}")
        cap = min(cap, policy.rebate_max_amount)
    eligible = [
        line.amount.amount if policy.rebate_allows(line.product_id, line.category) else ZERO
        for line in lines
    ]
    if sum(eligible, ZERO) < sum((line.amount.amount for line in lines), ZERO):
        reasons.append(f"eligible lines {q(sum(eligible, ZERO))}")
    shares: list[GrantShare] = []
    taken = ZERO
    usable = [g for g in funds.grants if not g.expired(now) and g.available > 0]
    for grant in sorted(usable, key=grant_order):
        room = min(grant.available, cap - taken)
        take = ZERO
        for index, line in enumerate(lines):
            if room - take <= 0:
                break
            if eligible[index] > 0 and grant.covers(line.product_id, line.category):
                used = min(eligible[index], room - take)
                eligible[index] -= used
                take += used
        if take > 0:
            shares.append(GrantShare(grant.id, take))
            taken += take
        if taken >= cap:
            break
    available = sum((g.available for g in usable), ZERO)
    note = f"rebate: {q(taken)} ({', '.join(reasons)}; {q(available)} available)"
    return PlanPart(Fund.REBATE, taken, tuple(shares)), note
