"""In-memory repositories of the customer account: accounts, grants, holds, journal, policies."""

from __future__ import annotations

from collections.abc import Callable, Hashable
from datetime import datetime
from decimal import Decimal
from typing import Any, Generic, TypeVar

import attrs

from crmkit.adapters.memory.tables import TableTransaction, WriteRejected
from crmkit.domain import ConcurrencyConflict, DuplicateRecord, NotFound, TenantId, WrongTenant
from crmkit.domain.accounts import (
    CustomerAccount,
    Fund,
    Hold,
    HoldStatus,
    JournalEntry,
    RebateGrant,
)
from crmkit.services.account_ports import StoredPolicy

AccountKey = tuple[TenantId, str]
EntryKey = tuple[TenantId, str, int]
PolicyKey = tuple[str, str]

K = TypeVar("K", bound=Hashable)
R = TypeVar("R")


class _Repository(Generic[K, R]):
    """Tenant-confined access to one table; a failed write rolls the unit of work back."""

    entity = "record"

    def __init__(
        self,
        tenant_id: TenantId,
        tx: TableTransaction[K, Any],
        rollback: Callable[[], None],
    ) -> None:
        self._tenant = tenant_id
        self._tx = tx
        self._rollback = rollback

    def _write(self, record: Any, *, insert: bool) -> None:
        try:
            if record.tenant_id != self._tenant:
                raise WrongTenant(self.entity, _id(record), record.tenant_id, self._tenant)
            if insert:
                self._tx.insert(record)
            else:
                self._tx.update(record)
        except Exception:
            self._rollback()
            raise

    def _mine(self) -> list[Any]:
        return [r for r in self._tx.rows() if r.tenant_id == self._tenant]


def _id(record: Any) -> object:
    return getattr(record, "id", None) or getattr(record, "scope", None) or record.seq


class InMemoryCustomerAccountRepository(_Repository[AccountKey, CustomerAccount]):
    entity = "CustomerAccount"

    def add(self, account: CustomerAccount) -> None:
        self._write(account, insert=True)

    def get(self, account_id: str, *, for_update: bool = False) -> CustomerAccount:
        account: CustomerAccount | None = self._tx.get((self._tenant, account_id))
        if account is None:
            raise NotFound("CustomerAccount", "id", account_id, self._tenant)
        return account

    def find(
        self, customer_id: str, currency: str, *, for_update: bool = False
    ) -> CustomerAccount | None:
        found: CustomerAccount | None = self._tx.find_unique(
            "customer", (self._tenant, customer_id, currency)
        )
        return found

    def update(self, account: CustomerAccount) -> CustomerAccount:
        saved = attrs.evolve(account, version=account.version + 1)
        self._write(saved, insert=False)
        return saved


class InMemoryRebateGrantRepository(_Repository[AccountKey, RebateGrant]):
    entity = "RebateGrant"

    def add(self, grant: RebateGrant) -> None:
        self._write(grant, insert=True)

    def update(self, grant: RebateGrant) -> RebateGrant:
        saved = attrs.evolve(grant, version=grant.version + 1)
        self._write(saved, insert=False)
        return saved

    def of_account(self, account_id: str) -> list[RebateGrant]:
        return sorted((g for g in self._mine() if g.account_id == account_id), key=lambda g: g.id)


class InMemoryHoldRepository(_Repository[AccountKey, Hold]):
    entity = "Hold"

    def add(self, hold: Hold) -> None:
        self._write(hold, insert=True)

    def get(self, hold_id: str) -> Hold:
        hold: Hold | None = self._tx.get((self._tenant, hold_id))
        if hold is None:
            raise NotFound("Hold", "id", hold_id, self._tenant)
        return hold

    def update(self, hold: Hold) -> Hold:
        saved = attrs.evolve(hold, version=hold.version + 1)
        self._write(saved, insert=False)
        return saved

    def of_order(self, account_id: str, order_id: str) -> list[Hold]:
        return sorted(
            (h for h in self._mine() if h.account_id == account_id and h.order_id == order_id),
            key=lambda h: h.id,
        )

    def of_account(self, account_id: str) -> list[Hold]:
        return sorted((h for h in self._mine() if h.account_id == account_id), key=lambda h: h.id)

    def due(
        self, account_id: str, before: datetime, *, after: str | None = None, limit: int = 500
    ) -> list[Hold]:
        return [
            h
            for h in self.of_account(account_id)
            if h.status is HoldStatus.PENDING
            and h.expires_at is not None
            and h.expires_at <= before
            and (after is None or h.id > after)
        ][:limit]

    def posted_totals(self, account_id: str) -> dict[Fund, Decimal]:
        totals = dict.fromkeys(Fund, Decimal(0))
        for hold in self.of_account(account_id):
            totals[hold.fund] += hold.posted - hold.refunded
        return totals

    def expiring(self, before: datetime, limit: int) -> list[Hold]:
        due = [
            h
            for h in self._mine()
            if h.status is HoldStatus.PENDING
            and h.expires_at is not None
            and h.expires_at <= before
        ]
        return sorted(due, key=lambda h: (h.account_id, h.id))[:limit]


class InMemoryJournalRepository(_Repository[EntryKey, JournalEntry]):
    entity = "JournalEntry"

    def append(self, entry: JournalEntry) -> None:
        self._write(entry, insert=True)

    def between(self, account_id: str, first: int, last: int) -> list[JournalEntry]:
        found = (self._tx.get((self._tenant, account_id, seq)) for seq in range(first, last + 1))
        return [e for e in found if e is not None]

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
        rows = [
            e
            for e in self._mine()
            if e.account_id == account_id
            and e.seq > after_seq
            and (fund is None or e.fund is fund)
            and (since is None or e.created_at >= since)
            and (until is None or e.created_at < until)
        ]
        return sorted(rows, key=lambda e: e.seq)[:limit]

    def last_before(self, account_id: str, fund: Fund, moment: datetime) -> JournalEntry | None:
        rows = [
            e
            for e in self._mine()
            if e.account_id == account_id and e.fund is fund and e.created_at < moment
        ]
        return max(rows, key=lambda e: e.seq, default=None)


class InMemoryDeductionPolicyRepository(_Repository[PolicyKey, StoredPolicy]):
    entity = "DeductionPolicy"

    def get(self, scope: str) -> StoredPolicy | None:
        found: StoredPolicy | None = self._tx.get((self._tenant, scope))
        return found

    def add(self, policy: StoredPolicy) -> None:
        self._write(policy, insert=True)

    def update(self, policy: StoredPolicy) -> StoredPolicy:
        saved = attrs.evolve(policy, version=policy.version + 1)
        self._write(saved, insert=False)
        return saved


def account_write_error(entity: str) -> Callable[[WriteRejected, Any], Exception]:
    """The crmkit error for a rejected write of an account-area ``entity``."""

    def error(rejected: WriteRejected, record: Any) -> Exception:
        if entity == "JournalEntry" and rejected.reason == "exists":
            return ConcurrencyConflict(
                entity, record.seq, record.tenant_id, "another writer appended this seq first"
            )
        if rejected.reason == "unique":
            return DuplicateRecord(
                entity,
                "customer and currency",
                (record.customer_id, record.currency),
                record.tenant_id,
            )
        if rejected.reason == "exists":
            return DuplicateRecord(entity, "id", _id(record), record.tenant_id)
        if rejected.reason == "missing":
            return NotFound(entity, "id", _id(record), record.tenant_id)
        return ConcurrencyConflict(
            entity,
            _id(record),
            record.tenant_id,
            f"its stored version is no longer {record.version - 1}",
        )

    return error
