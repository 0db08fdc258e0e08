"""SQL repositories of the customer account: accounts, grants, holds, journal, policies.

Hand-written for what SQL does its own way: row locks (``FOR UPDATE``) on an account, the
posted totals summed by the database, statements built once per shape of query. The queries are
crmkit.adapters.account_store's, turned into the same statements as before.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from decimal import Decimal
from typing import Any, TypeVar

from sqlalchemy import ColumnElement, Integer, Select, Table, bindparam, func, select, type_coerce

from crmkit.adapters import account_store as shared
from crmkit.adapters.account_store import Cond, Order
from crmkit.adapters.session_uow import SessionRepository
from crmkit.adapters.sql.converters import converter, from_row, to_row
from crmkit.adapters.sql.direct import remember
from crmkit.adapters.sql.session import SqlSession
from crmkit.adapters.sql.statements import (
    insert_into,
    keyed,
    select_where,
    set_columns,
    update_params,
    versioned_update,
)
from crmkit.adapters.sql.tables import (
    account_holds,
    customer_accounts,
    deduction_policies,
    journal_entries,
    rebate_grants,
)
from crmkit.domain.accounts import CustomerAccount, Fund, Hold, JournalEntry, RebateGrant
from crmkit.domain.versioning import next_version
from crmkit.services.account_ports import DEFAULT_SCOPE, StoredPolicy

R = TypeVar("R")


class _Records(SessionRepository[SqlSession], shared.AccountRecords[R]):
    """Rows of one table as records of one class; ``json_fields`` are kept as JSON text."""

    table: Table
    json_fields: tuple[str, ...] = ()

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

    def _write(self, record: Any, *, expected: int | None) -> bool:
        row = self._row(record)
        if expected is None:
            self._session.write(
                insert_into(self.table),
                row,
                on_unique=lambda constraint: self._duplicate(record, constraint),
            )
            return True
        keys = ("tenant_id", *self.key)
        result = self._session.execute(
            versioned_update(self.table, keys, set_columns(row, keys)),
            update_params(row, keys, expected),
        )
        return bool(result.rowcount == 1)

    def _update(self, record: Any) -> Any:
        """As the shared one, with the version check after the write (which may be queued)."""
        self._check_tenant(record)
        saved = next_version(record)
        row = self._row(saved)
        keys = ("tenant_id", *self.key)

        def check(count: int) -> None:
            if count != 1:
                raise self._lost(record)

        self._session.write(
            versioned_update(self.table, keys, set_columns(row, keys)),
            update_params(row, keys, record.version),
            check=check,
        )
        return saved

    def _select(
        self, where: Sequence[Cond], order: Order = (), limit: int = 0, *, lock: bool = False
    ) -> tuple[Select[Any], dict[str, Any]]:
        """The statement for this shape of query, built once, and its parameters."""
        params: dict[str, Any] = {"p_tenant": self._tenant}
        for number, cond in enumerate(where):
            if cond.stored is not None:
                params[f"p{number}"] = cond.stored
        if limit:
            params["p_limit"] = limit
        shape = (
            self.table,
            tuple((c.field, c.op, c.stored is None) for c in where),
            tuple(order),
            bool(limit),
            lock,
        )
        query = _BUILT.get(shape)
        if query is None:
            query = _BUILT[shape] = remember(_build(self.table, where, order, bool(limit), lock))
        return query, params

    def _find(self, where: Sequence[Cond], order: Order = (), limit: int = 0) -> list[R]:
        query, params = self._select(where, order, limit)
        return [self._load(row) for row in self._session.execute(query, params)]


_BUILT: dict[tuple[Any, ...], Select[Any]] = {}
"""Statements by the shape of their query: SQLAlchemy neither rebuilds them nor their cache key."""


def _build(
    table: Table, where: Sequence[Cond], order: Order, limited: bool, lock: bool
) -> Select[Any]:
    t = table.c
    clauses: list[ColumnElement[bool]] = [t.tenant_id == bindparam("p_tenant")]
    for number, cond in enumerate(where):
        column = t[cond.field]
        if cond.stored is None:
            clauses.append(column.is_(None) if cond.op == "==" else column.is_not(None))
        else:
            clauses.append(shared.COMPARE[cond.op](column, bindparam(f"p{number}")))
    query = select(table).where(*clauses)
    if order:
        query = query.order_by(*(t[name].desc() if desc else t[name] for name, desc in order))
    if limited:
        query = query.limit(bindparam("p_limit", type_=Integer))
    return query.with_for_update() if lock else query


class SqlCustomerAccountRepository(_Records[CustomerAccount], shared.CustomerAccounts):
    table = customer_accounts

    def _find_locked(self, where: Sequence[Cond]) -> CustomerAccount | None:
        query, params = self._select(where, lock=True)
        row = self._session.execute(query, params).one_or_none()
        return None if row is None else self._load(row)


class SqlRebateGrantRepository(_Records[RebateGrant], shared.RebateGrants):
    table = rebate_grants
    json_fields = ("products", "categories")


class SqlHoldRepository(_Records[Hold], shared.Holds):
    table = account_holds
    json_fields = ("shares",)

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


class SqlJournalRepository(_Records[JournalEntry], shared.Journal):
    table = journal_entries


class SqlDeductionPolicyRepository(_Records[StoredPolicy], shared.DeductionPolicies):
    """An account's policy is read together with the tenant default, in one query; the
    default is kept for the next ``get`` only (``policy_for`` reads the account's, then
    the default's) and forgotten on any write."""

    table = deduction_policies

    def __init__(self, session: SqlSession) -> None:
        super().__init__(session)
        self._default: tuple[StoredPolicy | None] | None = None

    def get(self, scope: str) -> StoredPolicy | None:
        kept, self._default = self._default, None
        if kept is not None and scope == DEFAULT_SCOPE:
            return kept[0]
        if scope == DEFAULT_SCOPE or not isinstance(scope, str):
            return super().get(scope)
        rows = self._session.execute(
            select_where(self.table, ("tenant_id",), among="scope"),
            keyed(tenant_id=self._tenant, scope=[scope, DEFAULT_SCOPE]),
        )
        found = {policy.scope: policy for policy in map(self._load, rows)}
        self._default = (found.get(DEFAULT_SCOPE),)
        return found.get(scope)

    def add(self, record: StoredPolicy) -> None:
        self._default = None
        super().add(record)

    def update(self, record: StoredPolicy) -> StoredPolicy:
        self._default = None
        return super().update(record)
