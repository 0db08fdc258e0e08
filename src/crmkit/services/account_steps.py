"""Steps of customer account movements: holds posted, voided and refunded, funds checked.

Internal to :mod:`crmkit.services.accounts`; each step changes a :class:`Ledger` and the
unit of work's holds, and raises before anything is stored if a rule is broken.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from decimal import Decimal

import attrs

from crmkit.domain.account_errors import HoldExpired, HoldResolved, InsufficientFunds
from crmkit.domain.accounts import (
    ZERO,
    CustomerAccount,
    EntryKind,
    Fund,
    FundBalance,
    Hold,
    HoldStatus,
    Ledger,
    RebateGrant,
)
from crmkit.domain.deduction import AvailableFunds
from crmkit.domain.errors import InvalidStateTransition
from crmkit.services.ports import UnitOfWork


def available_funds(account: CustomerAccount, grants: Iterable[RebateGrant]) -> AvailableFunds:
    return AvailableFunds(
        account_id=account.id,
        currency=account.currency,
        prepayment=account.fund(Fund.PREPAYMENT).available,
        credit=account.fund(Fund.CREDIT).available,
        grants=tuple(grants),
        customer_id=account.customer_id,
    )


def require_available(
    account: CustomerAccount, fund: Fund, amount: Decimal, available: Decimal, what: str
) -> None:
    if amount > available:
        unit = account.money(amount).minor_unit
        missing = (amount - available).quantize(unit)
        raise InsufficientFunds(
            account.id,
            what,
            currency=account.currency,
            shortfall={fund.value: missing},
            total=missing,
            explanation=f"{fund.value} has {available.quantize(unit)} available.",
            customer_id=account.customer_id,
        )


def pending(hold: Hold, action: str) -> Hold:
    if hold.status is not HoldStatus.PENDING:
        raise HoldResolved(hold.id, action)
    return hold


def pending_of_order(uow: UnitOfWork, account_id: str, order: str, action: str) -> list[Hold]:
    uow.customer_accounts.get(account_id)
    holds = [h for h in uow.holds.of_order(account_id, order) if h.status is HoldStatus.PENDING]
    if not holds:
        raise InvalidStateTransition("Order", order, "without pending holds", action)
    return holds


def post(
    uow: UnitOfWork, ledger: Ledger, hold: Hold, amount: Decimal, *, release_rest: bool
) -> None:
    if hold.expires_at is not None and hold.expires_at <= ledger.now:
        raise HoldExpired(hold.id, hold.expires_at.isoformat())
    if hold.fund is Fund.REBATE:
        for share in hold.split(hold.posted, amount):
            ledger.move(
                EntryKind.POST,
                Fund.REBATE,
                -share.amount,
                -share.amount,
                grant_id=share.grant_id,
                hold=hold,
            )
    else:
        ledger.move(EntryKind.POST, hold.fund, -amount, -amount, hold=hold)
    hold = attrs.evolve(hold, posted=hold.posted + amount)
    if release_rest and hold.remaining > 0:
        void(uow, ledger, hold)
        return
    save_hold(uow, ledger, hold)


def void(uow: UnitOfWork, ledger: Ledger, hold: Hold) -> None:
    amount = hold.remaining
    if hold.fund is Fund.REBATE:
        for share in hold.split(hold.posted, amount):
            ledger.move(
                EntryKind.VOID,
                Fund.REBATE,
                ZERO,
                -share.amount,
                grant_id=share.grant_id,
                hold=hold,
            )
    else:
        ledger.move(EntryKind.VOID, hold.fund, ZERO, -amount, hold=hold)
    save_hold(uow, ledger, attrs.evolve(hold, voided=hold.voided + amount))


def save_hold(uow: UnitOfWork, ledger: Ledger, hold: Hold) -> None:
    status = HoldStatus.RESOLVED if hold.remaining == 0 else HoldStatus.PENDING
    uow.holds.update(attrs.evolve(hold, status=status, updated_at=ledger.now))


def refund(uow: UnitOfWork, ledger: Ledger, hold: Hold, amount: Decimal) -> None:
    kept = hold.posted - hold.refunded
    if hold.fund is Fund.REBATE:
        for share in reversed(hold.split(kept - amount, amount)):
            ledger.move(
                EntryKind.REFUND,
                Fund.REBATE,
                share.amount,
                ZERO,
                grant_id=share.grant_id,
                hold=hold,
            )
    elif hold.fund is Fund.CREDIT:
        restore = min(amount, ledger.account.credit_used)
        if restore > 0:
            ledger.move(EntryKind.REFUND, Fund.CREDIT, restore, ZERO, hold=hold)
        if amount > restore:
            ledger.move(EntryKind.REFUND, Fund.PREPAYMENT, amount - restore, ZERO, hold=hold)
    else:
        ledger.move(EntryKind.REFUND, Fund.PREPAYMENT, amount, ZERO, hold=hold)
    uow.holds.update(attrs.evolve(hold, refunded=hold.refunded + amount, updated_at=ledger.now))


def balance_at(
    uow: UnitOfWork, account_id: str, fund: Fund, moment: datetime | None
) -> FundBalance:
    if moment is None:
        return FundBalance(ZERO, ZERO)
    entry = uow.journal.last_before(account_id, fund, moment)
    return (
        FundBalance(ZERO, ZERO)
        if entry is None
        else FundBalance(entry.balance_after, entry.held_after)
    )
