"""Reading a customer account's whole state, and checking the ledger's invariants on it.

Used by the contract suites, the stateful machine and the process concurrency tests; a
user's own adapter can run the same checks.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from decimal import Decimal

import attrs

from crmkit.adapters.clock import FixedClock
from crmkit.domain import Money, TenantId
from crmkit.domain.accounts import (
    ZERO,
    CustomerAccount,
    EntryKind,
    Fund,
    Hold,
    HoldStatus,
    JournalEntry,
    RebateGrant,
)
from crmkit.services import Clock, Storage
from crmkit.services.accounts import CustomerAccountService

T0 = datetime(2026, 1, 5, 9, 30, tzinfo=UTC)


@attrs.frozen
class AccountState:
    """Everything stored about one account, as committed."""

    account: CustomerAccount
    grants: tuple[RebateGrant, ...]
    holds: tuple[Hold, ...]
    entries: tuple[JournalEntry, ...]


def account_state(storage: Storage, tenant: TenantId, account_id: str) -> AccountState:
    """The committed state of the account (read in one unit of work)."""
    with storage.unit_of_work(tenant) as uow:
        account = uow.customer_accounts.get(account_id)
        entries: list[JournalEntry] = []
        while True:
            after = entries[-1].seq if entries else 0
            page = uow.journal.page(
                account_id, fund=None, since=None, until=None, after_seq=after, limit=500
            )
            entries.extend(page)
            if len(page) < 500:
                break
        return AccountState(
            account,
            tuple(uow.rebate_grants.of_account(account_id)),
            tuple(uow.holds.of_account(account_id)),
            tuple(entries),
        )


def _sum(entries: list[JournalEntry], value: Callable[[JournalEntry], Decimal]) -> Decimal:
    return sum((value(e) for e in entries), ZERO)


def check_ledger(state: AccountState) -> None:
    """Assert every ledger invariant of docs/customer-accounts.md on ``state``."""
    account, entries = state.account, list(state.entries)
    assert [e.seq for e in entries] == list(range(1, account.last_seq + 1)), "seq has gaps"
    for fund in Fund:
        mine = [e for e in entries if e.fund is fund]
        balance = account.fund(fund)
        assert balance.balance == _sum(mine, lambda e: e.balance_delta), f"{fund} balance"
        assert balance.held == _sum(mine, lambda e: e.held_delta), f"{fund} held"
        assert ZERO <= balance.held <= balance.balance, f"{fund} held {balance}"
        pending = [h for h in state.holds if h.fund is fund and h.status is HoldStatus.PENDING]
        assert balance.held == sum((h.remaining for h in pending), ZERO), f"{fund} holds"
        posted = sum((h.posted - h.refunded for h in state.holds if h.fund is fund), ZERO)
        assert account.posted(fund) == posted, f"{fund} stored posted total"
        if mine:
            assert (mine[-1].balance_after, mine[-1].held_after) == (
                balance.balance,
                balance.held,
            ), f"{fund} running balance"
    limits = [e for e in entries if e.kind is EntryKind.CREDIT_LIMIT]
    assert account.credit_limit == _sum(limits, lambda e: e.balance_delta), "credit limit"
    assert account.credit_used >= 0, "credit used below zero"
    assert account.credit_used + account.credit_held <= account.credit_limit, "over the limit"
    assert account.rebate_balance == sum((g.balance for g in state.grants), ZERO)
    assert account.rebate_held == sum((g.held for g in state.grants), ZERO)
    for grant in state.grants:
        mine = [e for e in entries if e.grant_id == grant.id]
        assert grant.balance == _sum(mine, lambda e: e.balance_delta), f"grant {grant.id}"
        assert grant.held == _sum(mine, lambda e: e.held_delta), f"grant {grant.id} held"
        assert ZERO <= grant.held <= grant.balance, f"grant {grant.id} held"
    for hold in state.holds:
        _check_hold(hold, [e for e in entries if e.hold_id == hold.id])


def _check_hold(hold: Hold, entries: list[JournalEntry]) -> None:
    def of(kind: EntryKind) -> list[JournalEntry]:
        return [e for e in entries if e.kind is kind]

    assert hold.amount > 0
    assert hold.posted >= ZERO, f"hold {hold.id} posted"
    assert hold.voided >= ZERO, f"hold {hold.id} voided"
    assert hold.refunded >= ZERO, f"hold {hold.id} refunded"
    assert hold.posted + hold.voided <= hold.amount, f"hold {hold.id} over-resolved"
    assert (hold.status is HoldStatus.RESOLVED) == (hold.posted + hold.voided == hold.amount)
    assert hold.refunded <= hold.posted, f"hold {hold.id} refunded more than posted"
    assert _sum(of(EntryKind.HOLD), lambda e: e.held_delta) == hold.amount
    assert _sum(of(EntryKind.POST), lambda e: -e.held_delta) == hold.posted
    assert _sum(of(EntryKind.VOID), lambda e: -e.held_delta) == hold.voided
    assert _sum(of(EntryKind.REFUND), lambda e: e.balance_delta) == hold.refunded
    assert sum((s.amount for s in hold.shares), ZERO) == (
        hold.amount if hold.fund is Fund.REBATE else ZERO
    )


def accounts_service(
    storage: Storage, tenant: TenantId, clock: Clock | None = None
) -> CustomerAccountService:
    """A customer account service of ``tenant`` over ``storage`` (default: a clock at T0)."""
    return CustomerAccountService(lambda: storage.unit_of_work(tenant), clock or FixedClock(T0))


@attrs.frozen
class Opened:
    """An account opened for one test: its service, clock and committed state."""

    storage: Storage
    tenant: TenantId
    account_id: str
    clock: FixedClock
    service: CustomerAccountService

    @classmethod
    def of(cls, storage: Storage, tenant: TenantId) -> Opened:
        """A new CNY account of customer C1 in ``tenant``, on a clock at T0."""
        clock = FixedClock(T0)
        service = accounts_service(storage, tenant, clock)
        account = service.open_account("C1", "CNY")
        return cls(storage, tenant, account.id, clock, service)

    def state(self) -> AccountState:
        """The account's committed state."""
        return account_state(self.storage, self.tenant, self.account_id)

    @contextmanager
    def unchanged(self) -> Iterator[None]:
        """The block leaves the account's committed state as it found it."""
        before = self.state()
        yield
        assert self.state() == before


def cny(amount: str | int | Decimal) -> Money:
    """``amount`` yuan."""
    return Money(Decimal(amount), "CNY")
