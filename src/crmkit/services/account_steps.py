"""Steps of customer account movements: holds placed, posted, voided and refunded.

Used by :mod:`crmkit.services.accounts` and, inside its own unit of work, by the order
service; each step changes a :class:`Ledger` and the unit of work's holds, and raises
before anything is stored if a rule is broken. :func:`open_ledger` and
:func:`save_ledger` bracket the steps.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from decimal import Decimal
from typing import Any

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
from crmkit.domain.deduction import AvailableFunds, DeductionPlan, DeductionPolicy
from crmkit.domain.errors import InvalidStateTransition
from crmkit.domain.ids import new_id
from crmkit.services.account_ports import DEFAULT_SCOPE
from crmkit.services.ports import UnitOfWork

DUE_BATCH = 500
"""How many due holds of an account a read takes per query (it reads them all, batch by batch)."""


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
    release(ledger, hold)
    save_hold(uow, ledger, attrs.evolve(hold, voided=hold.voided + hold.remaining))


def release(ledger: Ledger, hold: Hold) -> None:
    """The ledger moves of voiding what is left of ``hold`` (nothing stored)."""
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


def open_ledger(uow: UnitOfWork, account_id: str, key: str, now: datetime) -> Ledger:
    """A ledger over the account, locked for the rest of the unit of work."""
    return ledger_over(uow, uow.customer_accounts.get(account_id, for_update=True), key, now)


def ledger_over(uow: UnitOfWork, locked: CustomerAccount, key: str, now: datetime) -> Ledger:
    """A ledger over an account the unit of work has read locked."""
    return Ledger(locked, key, now, uow.rebate_grants.of_account(locked.id))


def is_expired(hold: Hold, now: datetime) -> bool:
    """Whether ``hold`` has an expiry and it has come."""
    return hold.expires_at is not None and hold.expires_at <= now


def expired_by_itself(hold: Hold, now: datetime) -> bool:
    """Whether ``hold`` expired and its expiry released it (a sweep or a command voided
    what was left at or after the expiry; posting after it is refused)."""
    return (
        hold.status is HoldStatus.RESOLVED
        and hold.expires_at is not None
        and hold.expires_at <= min(now, hold.updated_at)
        and hold.voided > 0
    )


def current_ledger(
    uow: UnitOfWork, account_id: str, now: datetime, *, stored: CustomerAccount | None = None
) -> Ledger:
    """The account and its grants as they stand at ``now`` (for reads; nothing is stored):
    pending holds whose expiry has come no longer hold anything, whether or not a sweep
    or a command voided them yet. ``stored``: the account as read in this unit of work
    (else it is read).

    Raises:
        NotFound: no such account in this tenant.
    """
    account = uow.customer_accounts.get(account_id) if stored is None else stored
    ledger = Ledger(account, "read", now, uow.rebate_grants.of_account(account_id))
    after: Hold | None = None
    while True:  # in batches by expiry and id, each through the account's index
        due = uow.holds.due(account_id, ledger.now, after=after, limit=DUE_BATCH)
        for hold in due:
            release(ledger, hold)
        if len(due) < DUE_BATCH:
            return ledger
        after = due[-1]


def current_account(
    uow: UnitOfWork, account_id: str, now: datetime, *, stored: CustomerAccount | None = None
) -> CustomerAccount:
    """The stored account with the held amounts of expired holds released (see
    :func:`current_ledger`; voiding moves only held amounts). ``stored``: the account as
    read in this unit of work (else it is read, once).

    Raises:
        NotFound: no such account in this tenant.
    """
    if stored is None:
        stored = uow.customer_accounts.get(account_id)
    moved = current_ledger(uow, account_id, now, stored=stored).account
    held: dict[str, Any] = {f"{fund.value}_held": moved.fund(fund).held for fund in Fund}
    return attrs.evolve(stored, **held)


def save_ledger(uow: UnitOfWork, ledger: Ledger) -> None:
    """Store what the steps changed: the account, its grants and the journal entries."""
    if not ledger.entries:
        return
    uow.customer_accounts.update(ledger.account)
    for grant in ledger.new_grants.values():
        uow.rebate_grants.add(grant)
    for grant in ledger.changed_grants.values():
        uow.rebate_grants.update(grant)
    for entry in ledger.entries:
        uow.journal.append(entry)


def hold_plan(
    uow: UnitOfWork, ledger: Ledger, order: str, plan: DeductionPlan, expiry: datetime | None
) -> list[Hold]:
    """Place one hold per fund of ``plan`` for ``order``."""
    account = ledger.account
    holds: list[Hold] = []
    for part in plan.parts:
        hold = Hold(
            id=new_id(),
            tenant_id=account.tenant_id,
            account_id=account.id,
            order_id=order,
            fund=part.fund,
            amount=part.amount,
            posted=ZERO,
            voided=ZERO,
            refunded=ZERO,
            shares=part.shares,
            status=HoldStatus.PENDING,
            expires_at=expiry,
            created_at=ledger.now,
            updated_at=ledger.now,
        )
        uow.holds.add(hold)
        holds.append(hold)
        if part.fund is Fund.REBATE:
            for share in part.shares:
                ledger.move(
                    EntryKind.HOLD,
                    Fund.REBATE,
                    ZERO,
                    share.amount,
                    grant_id=share.grant_id,
                    hold=hold,
                )
        else:
            ledger.move(EntryKind.HOLD, part.fund, ZERO, part.amount, hold=hold)
    return holds


def post_share(uow: UnitOfWork, ledger: Ledger, holds: list[Hold], value: Decimal | None) -> None:
    """Post ``value`` over ``holds`` in proportion to what each still holds, in whole minor
    units, leftover units to the largest remainders; ``None`` posts every remainder."""
    if value is None:
        parts = [h.remaining for h in holds]
    else:
        weights = [h.remaining for h in holds]
        parts = [m.amount for m in ledger.account.money(value).allocate(weights)]
    for hold, part in zip(holds, parts, strict=True):
        if part > 0:
            post(uow, ledger, hold, part, release_rest=False)


def credit_back(uow: UnitOfWork, ledger: Ledger, holds: list[Hold], amount: Decimal) -> None:
    """Give ``amount`` back over ``holds`` in proportion to what each posted and kept."""
    kept = [h for h in holds if h.posted > h.refunded]
    weights = [h.posted - h.refunded for h in kept]
    parts = [m.amount for m in ledger.account.money(amount).allocate(weights)]
    for hold, part in zip(kept, parts, strict=True):
        if part > 0:
            refund(uow, ledger, hold, part)


def policy_for(uow: UnitOfWork, account_id: str, default: DeductionPolicy) -> DeductionPolicy:
    """The account's deduction policy, else the tenant's, else ``default``."""
    stored = uow.deduction_policies.get(account_id) or uow.deduction_policies.get(DEFAULT_SCOPE)
    return default if stored is None else DeductionPolicy.from_json(stored.document)


EXPIRED_HOLD_SCAN = 500
"""How many expired holds a command looks at to stop counting them."""


def void_expired(uow: UnitOfWork, ledger: Ledger) -> list[Hold]:
    """Void, in this unit of work, the account's pending holds whose expiry has passed:
    an expired hold stops counting against the funds from its expiry, whether or not the
    sweep (:meth:`CustomerAccountService.expire_holds`) has run."""
    due: list[Hold] = []
    after: Hold | None = None
    while True:  # by the account's index, in batches: other accounts' holds are not read
        batch = uow.holds.due(ledger.account.id, ledger.now, after=after, limit=EXPIRED_HOLD_SCAN)
        for hold in batch:
            void(uow, ledger, hold)
        due.extend(batch)
        if len(batch) < EXPIRED_HOLD_SCAN:
            return due
        after = batch[-1]
