"""MongoDB repositories of the customer account: accounts, grants, holds, journal, policies.

Hand-written for what MongoDB does its own way: a claim token instead of a row lock, the
conditional update_one as the version check. The queries are crmkit.adapters.account_store's.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, TypeVar

from bson import ObjectId
from pymongo import ASCENDING, DESCENDING

from crmkit.adapters import account_store as shared
from crmkit.adapters.account_store import Cond, Order
from crmkit.adapters.mongo.converters import from_document, to_document
from crmkit.adapters.mongo.indexes import (
    ACCOUNT_HOLDS,
    CUSTOMER_ACCOUNTS,
    DEDUCTION_POLICIES,
    JOURNAL_ENTRIES,
    REBATE_GRANTS,
)
from crmkit.adapters.mongo.session import MongoSession
from crmkit.adapters.session_uow import SessionRepository
from crmkit.domain.accounts import CustomerAccount, Hold, JournalEntry, RebateGrant
from crmkit.services.account_ports import StoredPolicy

R = TypeVar("R")


class _Documents(SessionRepository[MongoSession], shared.AccountRecords[R]):
    """Documents of one collection as records of one class, confined to the tenant."""

    collection: str

    def __init__(self, session: MongoSession) -> None:
        super().__init__(session)
        self._docs = session.database[self.collection]

    def _write(self, record: Any, *, expected: int | None) -> bool:
        document = to_document(record)
        if expected is None:
            self._session.run(
                lambda s: self._docs.insert_one(document, session=s),
                on_duplicate=lambda index: self._duplicate(record, index),
            )
            return True
        keys = {"tenant_id": self._tenant, **{k: getattr(record, k) for k in self.key}}
        result = self._session.run(
            lambda s: self._docs.update_one(
                {**keys, "version": expected}, {"$set": document}, session=s
            )
        )
        return bool(result.matched_count == 1)

    def _find(self, where: Sequence[Cond], order: Order = (), limit: int = 0) -> list[R]:
        query = _query(self._tenant, where)
        sort = [(name, DESCENDING if desc else ASCENDING) for name, desc in order]
        documents = self._session.run(
            lambda s: list(self._docs.find(query, session=s, sort=sort or None).limit(limit))
        )
        return [from_document(d, self.record) for d in documents]


def _query(tenant_id: str, where: Sequence[Cond]) -> dict[str, Any]:
    query: dict[str, Any] = {"tenant_id": tenant_id}
    for cond in where:
        value = cond.stored
        if cond.op == "==":
            query[cond.field] = value
        else:
            query.setdefault(cond.field, {})[_OPERATORS[cond.op]] = value
    return query


_OPERATORS = {"!=": "$ne", "<": "$lt", "<=": "$lte", ">": "$gt", ">=": "$gte"}


class MongoCustomerAccountRepository(_Documents[CustomerAccount], shared.CustomerAccounts):
    collection = CUSTOMER_ACCOUNTS

    def _find_locked(self, where: Sequence[Cond]) -> CustomerAccount | None:
        # MongoDB has no read lock. Writing a claim token into the document first makes a
        # concurrent movement on the same account conflict at its start (cheap to retry)
        # instead of at its end; the version-checked update stays the guard.
        query = _query(self._tenant, where)
        self._session.run(
            lambda s: self._docs.update_one(query, {"$set": {"claim": ObjectId()}}, session=s)
        )
        return self._one(*where)


class MongoRebateGrantRepository(_Documents[RebateGrant], shared.RebateGrants):
    collection = REBATE_GRANTS


class MongoHoldRepository(_Documents[Hold], shared.Holds):
    collection = ACCOUNT_HOLDS


class MongoJournalRepository(_Documents[JournalEntry], shared.Journal):
    collection = JOURNAL_ENTRIES


class MongoDeductionPolicyRepository(_Documents[StoredPolicy], shared.DeductionPolicies):
    collection = DEDUCTION_POLICIES
