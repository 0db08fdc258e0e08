"""SQL repositories of the customer account: accounts, grants, holds, journal, policies."""

from __future__ import annotations

import json
from datetime import datetime
from decimal import Decimal
from typing import Any, Generic, TypeVar

import attrs
from sqlalchemy import ColumnElement, Select, Table, func, select, type_coerce

from crmkit.adapters.sql.converters import converter, from_row, to_row
from crmkit.adapters.sql.session import SqlSession
from crmkit.adapters.sql.statements import insert_into, set_columns, update_params, versioned_update
from crmkit.adapters.sql.tables import (
    account_holds,
    customer_accounts,
    deduction_policies,
    journal_entries,
    rebate_grants,
)
from crmkit.domain import (
    ConcurrencyConflict,
    CrmkitError,
    DuplicateRecord,
    NotFound,
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
from crmkit.services.account_ports import StoredPolicy

R = TypeVar("R")


class _Records(Generic[R]):
    """Rows of one table as records of one class; ``json_fields`` are kept as JSON text."""

    table: Table
    record: type[R]
    entity: str
    key: tuple[str, ...] = ("id",)
    json_fields: tuple[str, ...] = ()

    def __init__(self, session: SqlSession) -> None:
        self._session = session
        self._tenant = session.tenant_id

    def _row(self, record: Any) -> dict[str, Any]:
        row = to_row(record)
        for name in self.json_fields:
            row[name] = json.dumps(converter.unstructure(getattr(record, name)), default=str)
        return row

    def _load(self, row: Any) -> R:
        values = dict(row._mapping)
        for name in self.json_fields:
            values[name] = json.loads(values[name])
        return from_row(values, self.record)

    def _mine(self) -> ColumnElement[bool]:
        mine: ColumnElement[bool] = self.table.c.tenant_id == self._tenant
        return mine

    def _record_id(self, record: Any) -> object:
        return getattr(record, self.key[-1])

    def _insert(self, record: Any) -> None:
        if record.tenant_id != self._tenant:
            raise self._session.fail(
                WrongTenant(self.entity, self._record_id(record), record.tenant_id, self._tenant)
            )
        self._session.execute(
            insert_into(self.table),
            self._row(record),
            on_unique=lambda constraint: self._duplicate(record, constraint),
        )

    def _duplicate(self, record: Any, constraint: str) -> CrmkitError:
        return DuplicateRecord(self.entity, "id", self._record_id(record), record.tenant_id)

    def _update(self, record: Any) -> Any:
        if record.tenant_id != self._tenant:
            raise self._session.fail(
                WrongTenant(self.entity, self._record_id(record), record.tenant_id, self._tenant)
            )
        saved = attrs.evolve(record, version=record.version + 1)
        row = self._row(saved)
        keys = ("tenant_id", *self.key)
        result = self._session.execute(
            versioned_update(self.table, keys, set_columns(row, keys)),
            update_params(row, keys, record.version),
        )
        if result.rowcount != 1:
            raise self._session.fail(
                ConcurrencyConflict(
                    self.entity,
                    self._record_id(record),
                    self._tenant,
                    f"its stored version is no longer {record.version} (or it is gone)",
                )
            )
        return saved

    def _all(self, query: Select[Any]) -> list[R]:
        return [self._load(row) for row in self._session.execute(query)]

    def _one(self, query: Select[Any]) -> R | None:
        row = self._session.execute(query).one_or_none()
        return None if row is None else self._load(row)


class SqlCustomerAccountRepository(_Records[CustomerAccount]):
    table = customer_accounts
    record = CustomerAccount
    entity = "CustomerAccount"

    def add(self, account: CustomerAccount) -> None:
        self._insert(account)

    def _duplicate(self, record: Any, constraint: str) -> CrmkitError:
        if "customer" in constraint:
            return DuplicateRecord(
                self.entity,
                "customer and currency",
                (record.customer_id, record.currency),
                record.tenant_id,
            )
        return super()._duplicate(record, constraint)

    def get(self, account_id: str, *, for_update: bool = False) -> CustomerAccount:
        query = select(self.table).where(self._mine(), self.table.c.id == account_id)
        if for_update:
            query = query.with_for_update()
        account = self._one(query)
        if account is None:
            raise NotFound(self.entity, "id", account_id, self._tenant)
        return account

    def find(
        self, customer_id: str, currency: str, *, for_update: bool = False
    ) -> CustomerAccount | None:
        t = self.table.c
        query = select(self.table).where(
            self._mine(), t.customer_id == customer_id, t.currency == currency
        )
        return self._one(query.with_for_update() if for_update else query)

    def update(self, account: CustomerAccount) -> CustomerAccount:
        saved: CustomerAccount = self._update(account)
        return saved


class SqlRebateGrantRepository(_Records[RebateGrant]):
    table = rebate_grants
    record = RebateGrant
    entity = "RebateGrant"
    json_fields = ("products", "categories")

    def add(self, grant: RebateGrant) -> None:
        self._insert(grant)

    def update(self, grant: RebateGrant) -> RebateGrant:
        saved: RebateGrant = self._update(grant)
        return saved

    def of_account(self, account_id: str) -> list[RebateGrant]:
        t = self.table.c
        return self._all(
            select(self.table).where(self._mine(), t.account_id == account_id).order_by(t.id)
        )


class SqlHoldRepository(_Records[Hold]):
    table = account_holds
    record = Hold
    entity = "Hold"
    json_fields = ("shares",)

    def add(self, hold: Hold) -> None:
        self._insert(hold)

    def get(self, hold_id: str) -> Hold:
        hold = self._one(select(self.table).where(self._mine(), self.table.c.id == hold_id))
        if hold is None:
            raise NotFound(self.entity, "id", hold_id, self._tenant)
        return hold

    def update(self, hold: Hold) -> Hold:
        saved: Hold = self._update(hold)
        return saved

    def of_order(self, account_id: str, order_id: str) -> list[Hold]:
        t = self.table.c
        return self._all(
            select(self.table)
            .where(self._mine(), t.account_id == account_id, t.order_id == order_id)
            .order_by(t.id)
        )

    def of_account(self, account_id: str) -> list[Hold]:
        t = self.table.c
        return self._all(
            select(self.table).where(self._mine(), t.account_id == account_id).order_by(t.id)
        )

    def due(
        self, account_id: str, before: datetime, *, after: str | None = None, limit: int = 500
    ) -> list[Hold]:
        t = self.table.c
        query = select(self.table).where(
            self._mine(),
            t.account_id == account_id,
            t.status == HoldStatus.PENDING.value,
            t.expires_at.is_not(None),
            t.expires_at <= before,
        )
        if after is not None:
            query = query.where(t.id > after)
        return self._all(query.order_by(t.id).limit(limit))

    def posted_totals(self, account_id: str) -> dict[Fund, Decimal]:
        t = self.table.c
        posted = type_coerce(func.sum(t.posted), t.posted.type)
        refunded = type_coerce(func.sum(t.refunded), t.refunded.type)
        rows: Any = self._session.execute(
            select(t.fund, posted, refunded)
            .where(self._mine(), t.account_id == account_id)
            .group_by(t.fund)
        )
        totals = dict.fromkeys(Fund, Decimal(0))
        for row in rows:
            totals[Fund(row[0])] = row[1] - row[2]
        return totals

    def expiring(self, before: datetime, limit: int) -> list[Hold]:
        t = self.table.c
        return self._all(
            select(self.table)
            .where(
                self._mine(),
                t.status == HoldStatus.PENDING.value,
                t.expires_at.is_not(None),
                t.expires_at <= before,
            )
            .order_by(t.account_id, t.id)
            .limit(limit)
        )


class SqlJournalRepository(_Records[JournalEntry]):
    table = journal_entries
    record = JournalEntry
    entity = "JournalEntry"
    key = ("account_id", "seq")

    def append(self, entry: JournalEntry) -> None:
        if entry.tenant_id != self._tenant:
            raise self._session.fail(
                WrongTenant(self.entity, entry.seq, entry.tenant_id, self._tenant)
            )
        self._session.execute(
            insert_into(self.table),
            self._row(entry),
            on_unique=lambda _: ConcurrencyConflict(
                self.entity, entry.seq, self._tenant, "another writer appended this seq first"
            ),
        )

    def between(self, account_id: str, first: int, last: int) -> list[JournalEntry]:
        t = self.table.c
        return self._all(
            select(self.table)
            .where(self._mine(), t.account_id == account_id, t.seq >= first, t.seq <= last)
            .order_by(t.seq)
        )

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
        t = self.table.c
        query = select(self.table).where(
            self._mine(), t.account_id == account_id, t.seq > after_seq
        )
        if fund is not None:
            query = query.where(t.fund == fund.value)
        if until is not None:
            query = query.where(t.created_at < until)
        if since is None:
            return self._all(query.order_by(t.seq).limit(limit))
        # entry times never go backwards on an account, so (created_at, seq) is seq's order
        # and the index by time finds the page's start in one probe
        query = query.where(t.created_at >= since)
        return self._all(query.order_by(t.created_at, t.seq).limit(limit))

    def last_before(self, account_id: str, fund: Fund, moment: datetime) -> JournalEntry | None:
        t = self.table.c
        return self._one(
            select(self.table)
            .where(
                self._mine(),
                t.account_id == account_id,
                t.fund == fund.value,
                t.created_at < moment,
            )
            # times never go backwards on an account: the last by time is the last by seq
            .order_by(t.created_at.desc(), t.seq.desc())
            .limit(1)
        )


class SqlDeductionPolicyRepository(_Records[StoredPolicy]):
    table = deduction_policies
    record = StoredPolicy
    entity = "DeductionPolicy"
    key = ("scope",)

    def get(self, scope: str) -> StoredPolicy | None:
        return self._one(select(self.table).where(self._mine(), self.table.c.scope == scope))

    def add(self, policy: StoredPolicy) -> None:
        self._insert(policy)

    def update(self, policy: StoredPolicy) -> StoredPolicy:
        saved: StoredPolicy = self._update(policy)
        return saved
