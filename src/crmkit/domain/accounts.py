"""客户账户 Customer account: prepayment (预存款), rebate (返利) and credit (信用) funds.

Every fund keeps two numbers, ``balance`` and ``held``, and ``available = balance - held``;
the ledger keeps ``0 <= held <= balance`` for every fund:

- prepayment: ``balance`` is the money the customer paid in and has not spent;
- rebate: ``balance`` is what the rebate grants still hold (the sum over the grants);
- credit: ``balance`` is the credit the customer may still owe (``limit - used``), so
  ``held <= balance`` means credit used plus held never exceeds the limit.

Every change is a :class:`JournalEntry` with the deltas of one fund; the stored balances
are the sums of the entries (the credit limit is the sum of the ``credit_limit`` entries).
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from datetime import datetime
from decimal import Decimal

import attrs

from crmkit.domain.account_amounts import (
    AMOUNT_STEP,
    ORDER_ID_MAX_LENGTH,
    ZERO,
    order_id,
    positive_amount,
    stored_amount,
)
from crmkit.domain.currency import check_currency
from crmkit.domain.errors import ValidationError
from crmkit.domain.ids import TenantId, new_id
from crmkit.domain.money import Money
from crmkit.domain.text import clean_text
from crmkit.domain.timestamps import optional_utc_millis, utc_millis
from crmkit.domain.versioning import evolved

__all__ = [
    "AMOUNT_STEP",
    "CUSTOMER_ID_MAX_LENGTH",
    "ORDER_ID_MAX_LENGTH",
    "ZERO",
    "CustomerAccount",
    "EntryKind",
    "Fund",
    "FundBalance",
    "GrantShare",
    "Hold",
    "HoldStatus",
    "JournalEntry",
    "Ledger",
    "RebateGrant",
    "order_id",
    "positive_amount",
    "stored_amount",
]
"""Defined here, or kept importable from here (amounts, order ids: domain.account_amounts)."""

CUSTOMER_ID_MAX_LENGTH = 64


class Fund(enum.Enum):
    """The three funds of a customer account."""

    PREPAYMENT = "prepayment"
    """预存款: money paid in advance, deducted from later orders."""
    REBATE = "rebate"
    """返利: money granted by the supplier, deducted from later orders."""
    CREDIT = "credit"
    """信用: what the customer may owe (credit sale, 赊销)."""


class EntryKind(enum.Enum):
    """What a journal entry records."""

    DEPOSIT = "deposit"
    PREPAYMENT_REFUND = "prepayment_refund"
    REBATE_GRANT = "rebate_grant"
    REBATE_EXPIRY = "rebate_expiry"
    REBATE_REVERSAL = "rebate_reversal"
    CREDIT_LIMIT = "credit_limit"
    CREDIT_REPAYMENT = "credit_repayment"
    HOLD = "hold"
    POST = "post"
    VOID = "void"
    REFUND = "refund"


def _customer_id(value: object) -> str:
    return clean_text(value, "customer id", max_length=CUSTOMER_ID_MAX_LENGTH)


@attrs.frozen
class FundBalance:
    """One fund's numbers: ``balance``, ``held`` and ``available = balance - held``."""

    balance: Decimal
    held: Decimal

    @property
    def available(self) -> Decimal:
        """What can still be held or spent."""
        return self.balance - self.held


@attrs.frozen
class CustomerAccount:
    """The funds of one customer in one currency (客户账户)."""

    id: str
    tenant_id: TenantId
    customer_id: str = attrs.field(converter=_customer_id)
    currency: str = attrs.field(validator=lambda _i, _a, v: check_currency(v))
    prepayment_balance: Decimal = attrs.field(converter=stored_amount)
    prepayment_held: Decimal = attrs.field(converter=stored_amount)
    rebate_balance: Decimal = attrs.field(converter=stored_amount)
    rebate_held: Decimal = attrs.field(converter=stored_amount)
    credit_balance: Decimal = attrs.field(converter=stored_amount)
    credit_held: Decimal = attrs.field(converter=stored_amount)
    credit_limit: Decimal = attrs.field(converter=stored_amount)
    last_seq: int
    created_at: datetime = attrs.field(converter=utc_millis)
    updated_at: datetime = attrs.field(converter=utc_millis)
    version: int = 1
    prepayment_posted: Decimal = attrs.field(default=ZERO, converter=stored_amount)
    rebate_posted: Decimal = attrs.field(default=ZERO, converter=stored_amount)
    credit_posted: Decimal = attrs.field(default=ZERO, converter=stored_amount)

    @classmethod
    def new(
        cls, tenant_id: TenantId, customer_id: str, currency: str, now: datetime
    ) -> CustomerAccount:
        """A new account with every fund at zero."""
        return cls(
            id=new_id(),
            tenant_id=tenant_id,
            customer_id=customer_id,
            currency=currency,
            prepayment_balance=ZERO,
            prepayment_held=ZERO,
            rebate_balance=ZERO,
            rebate_held=ZERO,
            credit_balance=ZERO,
            credit_held=ZERO,
            credit_limit=ZERO,
            last_seq=0,
            created_at=now,
            updated_at=now,
        )

    def fund(self, fund: Fund) -> FundBalance:
        """The balance and held amount of ``fund``."""
        name: str = fund._value_  # the member's value without the ``value`` property's two calls
        return FundBalance(getattr(self, f"{name}_balance"), getattr(self, f"{name}_held"))

    def posted(self, fund: Fund) -> Decimal:
        """What holds on ``fund`` posted and did not refund (kept with every post and
        refund, so that it is read without summing the holds)."""
        amount: Decimal = getattr(self, f"{fund.value}_posted")
        return amount

    @property
    def credit_used(self) -> Decimal:
        """Credit the customer owes now (posted, not yet repaid)."""
        return self.credit_limit - self.credit_balance

    def money(self, amount: Decimal) -> Money:
        """``amount`` in the account's currency."""
        return Money(amount, self.currency)


@attrs.frozen
class RebateGrant:
    """One rebate grant: its balance and held amount, an optional expiry and restriction.

    ``products``/``categories`` restrict the grant to order lines of those product ids or
    categories (both empty: any line). A grant is usable while ``now < expires_at``.
    """

    id: str
    tenant_id: TenantId
    account_id: str
    granted: Decimal = attrs.field(converter=stored_amount)
    balance: Decimal = attrs.field(converter=stored_amount)
    held: Decimal = attrs.field(converter=stored_amount)
    expires_at: datetime | None = attrs.field(converter=optional_utc_millis)
    products: tuple[str, ...]
    categories: tuple[str, ...]
    created_at: datetime = attrs.field(converter=utc_millis)
    version: int = 1

    @property
    def available(self) -> Decimal:
        """What can still be held from this grant."""
        return self.balance - self.held

    def expired(self, now: datetime) -> bool:
        """Whether the grant may no longer be used at ``now``."""
        return self.expires_at is not None and self.expires_at <= now

    def covers(self, product_id: str, category: str | None) -> bool:
        """Whether an order line of this product and category may use the grant."""
        if not self.products and not self.categories:
            return True
        return product_id in self.products or (category is not None and category in self.categories)


@attrs.frozen
class GrantShare:
    """The part of a rebate hold drawn from one grant."""

    grant_id: str
    amount: Decimal = attrs.field(converter=stored_amount)


class HoldStatus(enum.Enum):
    """A hold is pending until its posts plus voids equal its amount, then resolved."""

    PENDING = "pending"
    RESOLVED = "resolved"


@attrs.frozen
class Hold:
    """A two-phase reservation of one fund for one order.

    ``posted + voided <= amount`` always; the hold is resolved exactly when they are equal,
    and a resolved hold takes no further post or void. ``refunded <= posted`` is what was
    given back to the fund after posting. Rebate holds name the grants they draw from, in
    order; posts consume the shares from the first, voids release from the last.
    """

    id: str
    tenant_id: TenantId
    account_id: str
    order_id: str
    fund: Fund
    amount: Decimal = attrs.field(converter=stored_amount)
    posted: Decimal = attrs.field(converter=stored_amount)
    voided: Decimal = attrs.field(converter=stored_amount)
    refunded: Decimal = attrs.field(converter=stored_amount)
    shares: tuple[GrantShare, ...]
    status: HoldStatus
    expires_at: datetime | None = attrs.field(converter=optional_utc_millis)
    created_at: datetime = attrs.field(converter=utc_millis)
    updated_at: datetime = attrs.field(converter=utc_millis)
    version: int = 1

    @property
    def remaining(self) -> Decimal:
        """What is still held: neither posted nor voided."""
        return self.amount - self.posted - self.voided

    def split(self, start: Decimal, size: Decimal) -> list[GrantShare]:
        """The grants behind ``[start, start + size)`` of this hold's amount, in share order."""
        parts: list[GrantShare] = []
        offset = ZERO
        end = start + size
        for share in self.shares:
            low, high = max(start, offset), min(end, offset + share.amount)
            if high > low:
                parts.append(GrantShare(share.grant_id, high - low))
            offset += share.amount
        return parts


@attrs.frozen
class JournalEntry:
    """One immutable ledger line: the change of one fund by one movement.

    ``seq`` numbers the account's entries from 1 without gaps; ``key`` is the idempotency
    key of the movement that wrote it. ``balance_after``/``held_after`` are the fund's
    numbers after the entry (for rebate: the account's rebate totals).
    """

    tenant_id: TenantId
    account_id: str
    seq: int
    key: str
    kind: EntryKind
    fund: Fund
    balance_delta: Decimal = attrs.field(converter=stored_amount)
    held_delta: Decimal = attrs.field(converter=stored_amount)
    balance_after: Decimal = attrs.field(converter=stored_amount)
    held_after: Decimal = attrs.field(converter=stored_amount)
    grant_id: str | None
    hold_id: str | None
    order_id: str | None
    created_at: datetime = attrs.field(converter=utc_millis)
    version: int = 1


_POSTED_BY = frozenset({EntryKind.POST, EntryKind.REFUND})
"""The entry kinds that change what an account's holds posted."""


class Ledger:
    """Applies one movement to an account: new balances, changed grants, journal entries.

    Every change checks ``0 <= held <= balance`` for the fund (and the grant); a change
    that breaks it raises before anything is stored. Entry times never go backwards on an
    account (``max(now, account.updated_at)``), so statements by period agree with ``seq``.
    """

    def __init__(
        self, account: CustomerAccount, key: str, now: datetime, grants: Iterable[RebateGrant] = ()
    ) -> None:
        self.account = account
        self.key = key
        self.now = max(utc_millis(now), account.updated_at)
        self.grants: dict[str, RebateGrant] = {g.id: g for g in grants}
        self.changed_grants: dict[str, RebateGrant] = {}
        self.new_grants: dict[str, RebateGrant] = {}
        self.entries: list[JournalEntry] = []

    def move(
        self,
        kind: EntryKind,
        fund: Fund,
        balance_delta: Decimal,
        held_delta: Decimal,
        *,
        grant_id: str | None = None,
        hold: Hold | None = None,
        order: str | None = None,
    ) -> JournalEntry:
        """Change ``fund`` (and ``grant_id`` for rebate) by the deltas and journal it.

        Raises:
            ValidationError: the change would make a balance negative or hold more than
                the balance (a bug in the caller's checks: nothing is stored).
        """
        account = self.account
        current = account.fund(fund)
        balance, held = current.balance + balance_delta, current.held + held_delta
        self._check(fund.value, balance, held)
        limit = account.credit_limit + (balance_delta if kind is EntryKind.CREDIT_LIMIT else ZERO)
        if fund is Fund.CREDIT:
            self._check("credit used", limit - balance, ZERO)
        if fund is Fund.REBATE:
            if grant_id is None:
                raise ValidationError("a rebate movement must name its grant.")
            grant = self.grants[grant_id]
            changed = evolved(
                grant, balance=grant.balance + balance_delta, held=grant.held + held_delta
            )
            self._check(f"rebate grant {grant_id}", changed.balance, changed.held)
            self.grants[grant_id] = changed
            if grant_id in self.new_grants:
                self.new_grants[grant_id] = changed
            else:
                self.changed_grants[grant_id] = changed
        values: dict[str, object] = {
            f"{fund.value}_balance": balance,
            f"{fund.value}_held": held,
            "last_seq": account.last_seq + 1,
            "updated_at": self.now,
        }
        if kind is EntryKind.CREDIT_LIMIT:
            values["credit_limit"] = limit
        if hold is not None and kind in _POSTED_BY:
            # a post takes from the hold's fund; a refund gives back what the hold posted
            # (a credit hold's refund may land on prepayment: it still lowers credit's total)
            name = f"{hold.fund.value}_posted"
            values[name] = getattr(account, name) - balance_delta
        self.account = evolved(account, **values)
        entry = JournalEntry(
            tenant_id=account.tenant_id,
            account_id=account.id,
            seq=account.last_seq + 1,
            key=self.key,
            kind=kind,
            fund=fund,
            balance_delta=balance_delta,
            held_delta=held_delta,
            balance_after=balance,
            held_after=held,
            grant_id=grant_id,
            hold_id=hold.id if hold is not None else None,
            order_id=hold.order_id if hold is not None else order,
            created_at=self.now,
        )
        self.entries.append(entry)
        return entry

    def add_grant(self, grant: RebateGrant) -> None:
        """Register a new grant (at zero) so that a REBATE_GRANT entry can fill it."""
        self.grants[grant.id] = grant
        self.new_grants[grant.id] = grant

    def _check(self, what: str, balance: Decimal, held: Decimal) -> None:
        if balance < 0 or held < 0 or held > balance:
            raise ValidationError(
                f"customer account {self.account.id!r}: {what} would become balance "
                f"{balance}, held {held}; balances never go negative and never hold more "
                f"than they have. Nothing was changed.",
                account_id=self.account.id,
            )
