"""The customer account's repositories, written once over each backend's few primitives.

A backend supplies :meth:`AccountRecords._find` (conditions, order, limit), ``_write``
(insert, or replace at the record's version) and ``_fail``; the queries, the version
bump, the tenant check and the errors are the same on memory, SQL and MongoDB. What a
backend must do its own way (a row lock, a claim, an aggregate) it overrides.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Sequence
from datetime import datetime
from decimal import Decimal
from enum import Enum
from typing import Any, Generic, NamedTuple, TypeVar

from crmkit.domain import (
    ConcurrencyConflict,
    CrmkitError,
    DuplicateRecord,
    NotFound,
    TenantId,
    WrongTenant,
)
from crmkit.domain.accounts import (
    CustomerAccount,
    Fund,
    Hold,
    HoldStatus,
    JournalEntry,
    RebateGrant,
)
from crmkit.domain.versioning import next_version
from crmkit.services.account_ports import StoredPolicy

R = TypeVar("R")


class Cond(NamedTuple):
    """``field <op> value``; ``op`` is one of ``== != < <= > >=`` (``!= None``: is set)."""

    field: str
    op: str
    value: Any

    @property
    def stored(self) -> Any:
        """The value as a document or row holds it (an enum's value)."""
        return self.value.value if isinstance(self.value, Enum) else self.value


COMPARE: dict[str, Callable[[Any, Any], Any]] = {
    "==": operator.eq,
    "!=": operator.ne,
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
}
"""Each condition's operator as a function (on values, or on a SQL column and a value)."""


def eq(field: str, value: Any) -> Cond:
    return Cond(field, "==", value)


Order = Sequence[tuple[str, bool]]
"""Fields to sort by, each with ``True`` for descending."""


def by(*fields: str, descending: bool = False) -> list[tuple[str, bool]]:
    return [(field, descending) for field in fields]


class AccountRecords(Generic[R]):
    """One record class of the account area, confined to the unit of work's tenant."""

    record: type[R]
    entity: str
    key: tuple[str, ...] = ("id",)
    _tenant: TenantId

    # -- what a backend supplies ---------------------------------------------------------

    def _find(self, where: Sequence[Cond], order: Order = (), limit: int = 0) -> list[R]:
        """The tenant's records meeting every condition, in ``order``, at most ``limit``
        (0: all)."""
        raise NotImplementedError

    def _write(self, record: Any, *, expected: int | None) -> bool:
        """Insert ``record`` (``expected`` is ``None``) or replace the stored one whose
        version is ``expected``; ``False`` when no stored record had that version.

        A duplicate insert raises the error of :meth:`_duplicate`."""
        raise NotImplementedError

    def _fail(self, error: CrmkitError) -> CrmkitError:
        """``error``, after the unit of work is marked for rollback."""
        raise NotImplementedError

    # -- the same on every backend -------------------------------------------------------

    def _record_id(self, record: Any) -> object:
        return getattr(record, self.key[-1])

    def _duplicate(self, record: Any, constraint: str) -> CrmkitError:
        """The error of an insert that the unique key or index ``constraint`` refused."""
        return DuplicateRecord(self.entity, "id", self._record_id(record), record.tenant_id)

    def _check_tenant(self, record: Any) -> None:
        if record.tenant_id != self._tenant:
            raise self._fail(
                WrongTenant(self.entity, self._record_id(record), record.tenant_id, self._tenant)
            )

    def _insert(self, record: Any) -> None:
        self._check_tenant(record)
        self._write(record, expected=None)

    def _update(self, record: Any) -> Any:
        self._check_tenant(record)
        saved = next_version(record)
        if not self._write(saved, expected=record.version):
            raise self._lost(record)
        return saved

    def _lost(self, record: Any) -> CrmkitError:
        """The error of an update of ``record`` that matched no stored version, after the
        rollback."""
        return self._fail(
            ConcurrencyConflict(
                self.entity,
                self._record_id(record),
                self._tenant,
                f"its stored version is no longer {record.version} (or it is gone)",
            )
        )

    def _one(self, *where: Cond) -> R | None:
        found = self._find(where)
        return found[0] if found else None

    def _get(self, value: str) -> R:
        found = self._one(eq(self.key[-1], value))
        if found is None:
            raise NotFound(self.entity, self.key[-1], value, self._tenant)
        return found

    def add(self, record: R) -> None:
        self._insert(record)

    def update(self, record: R) -> R:
        saved: R = self._update(record)
        return saved


class CustomerAccounts(AccountRecords[CustomerAccount]):
    record = CustomerAccount
    entity = "CustomerAccount"

    def _duplicate(self, record: Any, constraint: str) -> CrmkitError:
        if "customer" in constraint:
            return DuplicateRecord(
                self.entity,
                "customer and currency",
                (record.customer_id, record.currency),
                record.tenant_id,
            )
        return super()._duplicate(record, constraint)

    def _find_locked(self, where: Sequence[Cond]) -> CustomerAccount | None:
        """The account meeting ``where``, locked for the unit of work where the backend can."""
        return self._one(*where)

    def get(self, account_id: str, *, for_update: bool = False) -> CustomerAccount:
        where = [eq("id", account_id)]
        account = self._find_locked(where) if for_update else self._one(*where)
        if account is None:
            raise NotFound(self.entity, "id", account_id, self._tenant)
        return account

    def find(
        self, customer_id: str, currency: str, *, for_update: bool = False
    ) -> CustomerAccount | None:
        where = [eq("customer_id", customer_id), eq("currency", currency)]
        return self._find_locked(where) if for_update else self._one(*where)


class RebateGrants(AccountRecords[RebateGrant]):
    record = RebateGrant
    entity = "RebateGrant"

    def of_account(self, account_id: str) -> list[RebateGrant]:
        return self._find([eq("account_id", account_id)], by("id"))


def _pending_until(before: datetime) -> list[Cond]:
    return [
        eq("status", HoldStatus.PENDING),
        Cond("expires_at", "!=", None),
        Cond("expires_at", "<=", before),
    ]


class Holds(AccountRecords[Hold]):
    record = Hold
    entity = "Hold"

    def get(self, hold_id: str) -> Hold:
        return self._get(hold_id)

    def of_order(self, account_id: str, order_id: str) -> list[Hold]:
        return self._find([eq("account_id", account_id), eq("order_id", order_id)], by("id"))

    def of_account(self, account_id: str) -> list[Hold]:
        return self._find([eq("account_id", account_id)], by("id"))

    def due(
        self, account_id: str, before: datetime, *, after: Hold | None = None, limit: int = 500
    ) -> list[Hold]:
        mine = [eq("account_id", account_id), eq("status", HoldStatus.PENDING)]
        order = by("expires_at", "id")
        if after is None:
            until = [Cond("expires_at", "!=", None), Cond("expires_at", "<=", before)]
            return self._find([*mine, *until], order, limit)
        # The rest of the last batch's expiry, then the later ones: two index ranges, no OR.
        tied = [eq("expires_at", after.expires_at), Cond("id", ">", after.id)]
        found = self._find([*mine, *tied], order, limit)
        if len(found) < limit:
            later = [Cond("expires_at", ">", after.expires_at), Cond("expires_at", "<=", before)]
            found += self._find([*mine, *later], order, limit - len(found))
        return found

    def posted_totals(self, account_id: str) -> dict[Fund, Decimal]:
        totals = dict.fromkeys(Fund, Decimal(0))
        for hold in self.of_account(account_id):
            totals[hold.fund] += hold.posted - hold.refunded
        return totals

    def expiring(self, before: datetime, limit: int) -> list[Hold]:
        return self._find(_pending_until(before), by("account_id", "id"), limit)


class Journal(AccountRecords[JournalEntry]):
    record = JournalEntry
    entity = "JournalEntry"
    key = ("account_id", "seq")

    def _duplicate(self, record: Any, constraint: str) -> CrmkitError:
        return ConcurrencyConflict(
            self.entity, record.seq, self._tenant, "another writer appended this seq first"
        )

    def append(self, entry: JournalEntry) -> None:
        self._insert(entry)

    def between(self, account_id: str, first: int, last: int) -> list[JournalEntry]:
        where = [eq("account_id", account_id), Cond("seq", ">=", first), Cond("seq", "<=", last)]
        return self._find(where, by("seq"))

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
        where = [eq("account_id", account_id), Cond("seq", ">", after_seq)]
        where += [] if fund is None else [eq("fund", fund)]
        where += [] if until is None else [Cond("created_at", "<", until)]
        if since is None:
            return self._find(where, by("seq"), limit)
        # entry times never go backwards on an account, so (created_at, seq) is seq's order
        # and an index by time finds the page's start in one probe
        where.append(Cond("created_at", ">=", since))
        return self._find(where, by("created_at", "seq"), limit)

    def last_before(self, account_id: str, fund: Fund, moment: datetime) -> JournalEntry | None:
        where = [eq("account_id", account_id), eq("fund", fund), Cond("created_at", "<", moment)]
        # times never go backwards on an account: the last by time is the last by seq
        found = self._find(where, by("created_at", "seq", descending=True), 1)
        return found[0] if found else None


class DeductionPolicies(AccountRecords[StoredPolicy]):
    record = StoredPolicy
    entity = "DeductionPolicy"
    key = ("scope",)

    def get(self, scope: str) -> StoredPolicy | None:
        return self._one(eq("scope", scope))
