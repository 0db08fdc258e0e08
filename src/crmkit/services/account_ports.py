"""Ports of the customer account (客户账户): accounts, grants, holds, journal, policies."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Protocol

import attrs

from crmkit.domain.accounts import CustomerAccount, Fund, Hold, JournalEntry, RebateGrant
from crmkit.services.store_ports import RecordStore


@attrs.frozen
class StoredPolicy:
    """A deduction policy as stored: ``scope`` is an account id or ``DEFAULT_SCOPE``."""

    tenant_id: str
    scope: str
    document: str
    updated_at: datetime
    version: int = 1


DEFAULT_SCOPE = "*tenant-default*"
"""The scope of the tenant's default deduction policy."""


class CustomerAccountRepository(Protocol):
    """The customer accounts of the unit of work's tenant."""

    def add(self, account: CustomerAccount) -> None:
        """Store a new account.

        Raises:
            DuplicateRecord: the customer already has an account in this currency.
            ValidationError: the account belongs to another tenant.
        """
        ...

    def get(self, account_id: str, *, for_update: bool = False) -> CustomerAccount:
        """The account with this id; ``for_update`` locks it where the backend can.

        Raises:
            NotFound: no such account in this tenant.
        """
        ...

    def find(
        self, customer_id: str, currency: str, *, for_update: bool = False
    ) -> CustomerAccount | None:
        """The customer's account in ``currency``, or ``None``; ``for_update`` locks it
        where the backend can (as :meth:`get` does)."""
        ...

    def update(self, account: CustomerAccount) -> CustomerAccount:
        """Store a changed account if its stored version is ``account.version``.

        Raises:
            NotFound: no such account.
            ConcurrencyConflict: another writer changed it first.
        """
        ...


class RebateGrantRepository(Protocol):
    """The rebate grants of the tenant's accounts."""

    def add(self, grant: RebateGrant) -> None:
        """Store a new grant.

        Raises:
            DuplicateRecord: the id is taken.
        """
        ...

    def update(self, grant: RebateGrant) -> RebateGrant:
        """Store a changed grant (version-checked), returning it with the next version.

        Raises:
            ConcurrencyConflict: another writer changed it first.
        """
        ...

    def of_account(self, account_id: str) -> list[RebateGrant]:
        """Every grant of the account, ordered by id."""
        ...


class HoldRepository(RecordStore[Hold, str], Protocol):
    """The holds placed on the tenant's accounts."""

    def of_order(self, account_id: str, order_id: str) -> list[Hold]:
        """The account's holds for the order, ordered by id."""
        ...

    def of_account(self, account_id: str) -> list[Hold]:
        """Every hold of the account, ordered by id."""
        ...

    def due(
        self, account_id: str, before: datetime, *, after: Hold | None = None, limit: int = 500
    ) -> list[Hold]:
        """Up to ``limit`` of the account's pending holds with ``expires_at <= before``,
        ordered by expiry and id, after the hold ``after`` (the last of the previous batch):
        a batch found through the index on (tenant, account, status, expiry), whatever the
        account's other holds (ordered by id alone, a planner knowing only average rows per
        status may walk the tenant's holds by id instead)."""
        ...

    def posted_totals(self, account_id: str) -> dict[Fund, Decimal]:
        """Per fund (every fund, zero where none), what the account's holds posted and did
        not refund: the sum of ``posted - refunded``, without loading the holds where the
        backend can sum them."""
        ...

    def expiring(self, before: datetime, limit: int) -> list[Hold]:
        """Up to ``limit`` pending holds with ``expires_at <= before``, by account and id."""
        ...


class JournalRepository(Protocol):
    """The append-only journal of the tenant's accounts."""

    def append(self, entry: JournalEntry) -> None:
        """Store a new entry.

        Raises:
            ConcurrencyConflict: the account already has an entry with this ``seq``.
        """
        ...

    def between(self, account_id: str, first: int, last: int) -> list[JournalEntry]:
        """The account's entries with ``first <= seq <= last``, by seq."""
        ...

    def page(
        self,
        account_id: str,
        *,
        fund: Fund | None,
        since: datetime | None,
        until: datetime | None,
        after_seq: int,
        limit: int,
    ) -> list[JournalEntry]:
        """Up to ``limit`` entries with ``seq > after_seq``, of ``fund`` (``None``: all),
        created in ``[since, until)`` (``None``: open), ordered by seq."""
        ...

    def last_before(self, account_id: str, fund: Fund, moment: datetime) -> JournalEntry | None:
        """The fund's last entry created before ``moment``, or ``None``."""
        ...


class DeductionPolicyRepository(Protocol):
    """Deduction policies: one per account that has its own, plus the tenant default."""

    def get(self, scope: str) -> StoredPolicy | None:
        """The policy of ``scope`` (an account id or ``DEFAULT_SCOPE``), or ``None``."""
        ...

    def add(self, policy: StoredPolicy) -> None:
        """Store the first policy of a scope.

        Raises:
            DuplicateRecord: the scope has a policy already.
        """
        ...

    def update(self, policy: StoredPolicy) -> StoredPolicy:
        """Replace a scope's policy (version-checked), returning it with the next version.

        Raises:
            ConcurrencyConflict: another writer changed it first.
        """
        ...
