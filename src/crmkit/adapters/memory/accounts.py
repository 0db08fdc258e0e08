"""In-memory repositories of the customer account: accounts, grants, holds, journal, policies.

Hand-written for the in-memory tables: Python filters over the transaction's rows, the
tables' own write errors. The queries themselves are crmkit.adapters.account_store's.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from operator import attrgetter
from typing import Any, TypeVar

from crmkit.adapters import account_store as shared
from crmkit.adapters.account_store import Cond, Order
from crmkit.adapters.memory.tables import (
    TENANT,
    GuardedRepository,
    TableTransaction,
    WriteRejected,
)
from crmkit.domain import ConcurrencyConflict, CrmkitError, DuplicateRecord, NotFound, TenantId
from crmkit.domain.accounts import CustomerAccount, Hold, HoldStatus, JournalEntry, RebateGrant
from crmkit.services.account_ports import StoredPolicy

AccountKey = tuple[TenantId, str]
EntryKey = tuple[TenantId, str, int]
PolicyKey = tuple[str, str]

R = TypeVar("R")


class _Rows(GuardedRepository, shared.AccountRecords[R]):
    """The account area's rows in one in-memory table; a failed write rolls the unit of work
    back. Python filters stand in for queries."""

    def __init__(
        self,
        tenant_id: TenantId,
        tx: TableTransaction[Any, Any],
        rollback: Callable[[], None],
    ) -> None:
        self._tenant = tenant_id  # GuardedRepository's, set here: one call per repository
        self._rollback = rollback
        self._tx = tx

    def _fail(self, error: CrmkitError) -> CrmkitError:
        self._rollback()
        return error

    def _write(self, record: Any, *, expected: int | None) -> bool:
        # the table raises its own error when the key is taken or the row stale or missing
        try:
            if expected is None:
                self._tx.insert(record)
            else:
                self._tx.update(record)
        except Exception:
            self._rollback()
            raise
        return True

    def _find(self, where: Sequence[Cond], order: Order = (), limit: int = 0) -> list[R]:
        keyed = {c.field: c.value for c in where if c.op == "=="}
        key: list[Any] = [self._tenant]
        for name in self.key:
            if name not in keyed:
                break
            key.append(keyed[name])
        else:  # the key names one row: no scan
            row = self._tx.get(tuple(key))
            rows: list[Any] = [] if row is None else [row]
        if len(key) <= len(self.key):  # not every key field given
            if "account_id" in keyed and ACCOUNT in self._tx.table.group_of:
                group = EXPIRING if _expiring(keyed, where, self._tx) else ACCOUNT
                rows = self._tx.rows_in(group, (self._tenant, keyed["account_id"]))
            else:
                rows = self._tx.rows_in(TENANT, self._tenant)
        if not rows:
            return []
        found = [r for r in rows if _meets_all(r, where)]
        for name, descending in reversed(order):
            found.sort(key=attrgetter(name), reverse=descending)
        return found[:limit] if limit else found


ACCOUNT = "account"
"""The group of an account's rows (grants, holds, journal entries): (tenant, account id)."""
EXPIRING = "expiring"
"""The group of an account's pending holds that expire: (tenant, account id)."""


def _expiring(keyed: dict[str, Any], where: Sequence[Cond], tx: TableTransaction[Any, Any]) -> bool:
    """Whether the query asks only for pending holds that expire (the holds' second group)."""
    return (
        EXPIRING in tx.table.group_of
        and keyed.get("status") is HoldStatus.PENDING
        and any(c.field == "expires_at" and c.op == "!=" and c.value is None for c in where)
    )


def _meets_all(row: Any, where: Sequence[Cond]) -> bool:
    for cond in where:  # noqa: SIM110 -- a loop: a generator per row cost more than the match
        if not _meets(row, cond):
            return False
    return True


def _meets(row: Any, cond: Cond) -> bool:
    value = getattr(row, cond.field)
    if cond.value is None:
        return (value is None) is (cond.op == "==")
    return value is not None and bool(shared.COMPARE[cond.op](value, cond.value))


class InMemoryCustomerAccountRepository(_Rows[CustomerAccount], shared.CustomerAccounts):
    def find(
        self, customer_id: str, currency: str, *, for_update: bool = False
    ) -> CustomerAccount | None:
        found: CustomerAccount | None = self._tx.find_unique(
            "customer", (self._tenant, customer_id, currency)
        )
        return found


class InMemoryRebateGrantRepository(_Rows[RebateGrant], shared.RebateGrants):
    pass


class InMemoryHoldRepository(_Rows[Hold], shared.Holds):
    pass


class InMemoryJournalRepository(_Rows[JournalEntry], shared.Journal):
    pass


class InMemoryDeductionPolicyRepository(_Rows[StoredPolicy], shared.DeductionPolicies):
    pass


def _id(record: Any) -> object:
    return getattr(record, "id", None) or getattr(record, "scope", None) or record.seq


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
