"""MongoDB repositories of the customer account: accounts, grants, holds, journal, policies."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any, Generic, TypeVar

import attrs
from bson import ObjectId
from pymongo import ASCENDING, DESCENDING

from crmkit.adapters.mongo.converters import from_document, to_document
from crmkit.adapters.mongo.indexes import (
    ACCOUNT_HOLDS,
    CUSTOMER_ACCOUNTS,
    DEDUCTION_POLICIES,
    JOURNAL_ENTRIES,
    REBATE_GRANTS,
)
from crmkit.adapters.mongo.session import MongoSession
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


class _Documents(Generic[R]):
    """Documents of one collection as records of one class, confined to the tenant."""

    collection: str
    record: type[R]
    entity: str
    key: tuple[str, ...] = ("id",)

    def __init__(self, session: MongoSession) -> None:
        self._session = session
        self._tenant = session.tenant_id
        self._docs = session.database[self.collection]

    def _record_id(self, record: Any) -> object:
        return getattr(record, self.key[-1])

    def _filter_of(self, record: Any) -> dict[str, Any]:
        return {"tenant_id": self._tenant, **{k: getattr(record, k) for k in self.key}}

    def _insert(self, record: Any) -> None:
        if record.tenant_id != self._tenant:
            raise self._session.fail(
                WrongTenant(self.entity, self._record_id(record), record.tenant_id, self._tenant)
            )
        document = to_document(record)
        self._session.run(
            lambda s: self._docs.insert_one(document, session=s),
            on_duplicate=lambda index: self._duplicate(record, index),
        )

    def _duplicate(self, record: Any, index: str) -> CrmkitError:
        return DuplicateRecord(self.entity, "id", self._record_id(record), record.tenant_id)

    def _update(self, record: Any) -> Any:
        if record.tenant_id != self._tenant:
            raise self._session.fail(
                WrongTenant(self.entity, self._record_id(record), record.tenant_id, self._tenant)
            )
        saved = attrs.evolve(record, version=record.version + 1)
        result = self._session.run(
            lambda s: self._docs.update_one(
                {**self._filter_of(record), "version": record.version},
                {"$set": to_document(saved)},
                session=s,
            )
        )
        if result.matched_count != 1:
            raise self._session.fail(
                ConcurrencyConflict(
                    self.entity,
                    self._record_id(record),
                    self._tenant,
                    f"its stored version is no longer {record.version} (or it is gone)",
                )
            )
        return saved

    def _find(self, query: dict[str, Any], sort: list[tuple[str, int]], limit: int = 0) -> list[R]:
        documents = self._session.run(
            lambda s: list(
                self._docs.find({"tenant_id": self._tenant, **query}, session=s)
                .sort(sort)
                .limit(limit)
            )
        )
        return [from_document(d, self.record) for d in documents]

    def _find_one(self, query: dict[str, Any]) -> R | None:
        document = self._session.run(
            lambda s: self._docs.find_one({"tenant_id": self._tenant, **query}, session=s)
        )
        return None if document is None else from_document(document, self.record)


class MongoCustomerAccountRepository(_Documents[CustomerAccount]):
    collection = CUSTOMER_ACCOUNTS
    record = CustomerAccount
    entity = "CustomerAccount"

    def add(self, account: CustomerAccount) -> None:
        self._insert(account)

    def _duplicate(self, record: Any, index: str) -> CrmkitError:
        if "customer" in index:
            return DuplicateRecord(
                self.entity,
                "customer and currency",
                (record.customer_id, record.currency),
                record.tenant_id,
            )
        return super()._duplicate(record, index)

    def get(self, account_id: str, *, for_update: bool = False) -> CustomerAccount:
        if for_update:
            # MongoDB has no read lock. Writing a claim token into the document first
            # makes a concurrent movement on the same account conflict at its start
            # (cheap to retry) instead of at its end; the version-checked update stays
            # the guard.
            self._session.run(
                lambda s: self._docs.update_one(
                    {"tenant_id": self._tenant, "id": account_id},
                    {"$set": {"claim": ObjectId()}},
                    session=s,
                )
            )
        account = self._find_one({"id": account_id})
        if account is None:
            raise NotFound(self.entity, "id", account_id, self._tenant)
        return account

    def find(
        self, customer_id: str, currency: str, *, for_update: bool = False
    ) -> CustomerAccount | None:
        found = self._find_one({"customer_id": customer_id, "currency": currency})
        return self.get(found.id, for_update=True) if found is not None and for_update else found

    def update(self, account: CustomerAccount) -> CustomerAccount:
        saved: CustomerAccount = self._update(account)
        return saved


class MongoRebateGrantRepository(_Documents[RebateGrant]):
    collection = REBATE_GRANTS
    record = RebateGrant
    entity = "RebateGrant"

    def add(self, grant: RebateGrant) -> None:
        self._insert(grant)

    def update(self, grant: RebateGrant) -> RebateGrant:
        saved: RebateGrant = self._update(grant)
        return saved

    def of_account(self, account_id: str) -> list[RebateGrant]:
        return self._find({"account_id": account_id}, [("id", ASCENDING)])


class MongoHoldRepository(_Documents[Hold]):
    collection = ACCOUNT_HOLDS
    record = Hold
    entity = "Hold"

    def add(self, hold: Hold) -> None:
        self._insert(hold)

    def get(self, hold_id: str) -> Hold:
        hold = self._find_one({"id": hold_id})
        if hold is None:
            raise NotFound(self.entity, "id", hold_id, self._tenant)
        return hold

    def update(self, hold: Hold) -> Hold:
        saved: Hold = self._update(hold)
        return saved

    def of_order(self, account_id: str, order_id: str) -> list[Hold]:
        return self._find({"account_id": account_id, "order_id": order_id}, [("id", ASCENDING)])

    def of_account(self, account_id: str) -> list[Hold]:
        return self._find({"account_id": account_id}, [("id", ASCENDING)])

    def due(
        self, account_id: str, before: datetime, *, after: str | None = None, limit: int = 500
    ) -> list[Hold]:
        query: dict[str, Any] = {
            "account_id": account_id,
            "status": HoldStatus.PENDING.value,
            "expires_at": {"$ne": None, "$lte": before},
        }
        if after is not None:
            query["id"] = {"$gt": after}
        return self._find(query, [("id", ASCENDING)], limit)

    def posted_totals(self, account_id: str) -> dict[Fund, Decimal]:
        totals = dict.fromkeys(Fund, Decimal(0))
        for hold in self.of_account(account_id):
            totals[hold.fund] += hold.posted - hold.refunded
        return totals

    def expiring(self, before: datetime, limit: int) -> list[Hold]:
        return self._find(
            {"status": HoldStatus.PENDING.value, "expires_at": {"$ne": None, "$lte": before}},
            [("account_id", ASCENDING), ("id", ASCENDING)],
            limit,
        )


class MongoJournalRepository(_Documents[JournalEntry]):
    collection = JOURNAL_ENTRIES
    record = JournalEntry
    entity = "JournalEntry"
    key = ("account_id", "seq")

    def append(self, entry: JournalEntry) -> None:
        if entry.tenant_id != self._tenant:
            raise self._session.fail(
                WrongTenant(self.entity, entry.seq, entry.tenant_id, self._tenant)
            )
        document = to_document(entry)
        self._session.run(
            lambda s: self._docs.insert_one(document, session=s),
            on_duplicate=lambda _: ConcurrencyConflict(
                self.entity, entry.seq, self._tenant, "another writer appended this seq first"
            ),
        )

    def between(self, account_id: str, first: int, last: int) -> list[JournalEntry]:
        return self._find(
            {"account_id": account_id, "seq": {"$gte": first, "$lte": last}},
            [("seq", ASCENDING)],
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
        query: dict[str, Any] = {"account_id": account_id, "seq": {"$gt": after_seq}}
        if fund is not None:
            query["fund"] = fund.value
        period: dict[str, datetime] = {}
        if since is not None:
            period["$gte"] = since
        if until is not None:
            period["$lt"] = until
        if period:
            query["created_at"] = period
        if since is None:
            return self._find(query, [("seq", ASCENDING)], limit)
        # entry times never go backwards on an account, so (created_at, seq) is seq's order
        return self._find(query, [("created_at", ASCENDING), ("seq", ASCENDING)], limit)

    def last_before(self, account_id: str, fund: Fund, moment: datetime) -> JournalEntry | None:
        found = self._find(
            {"account_id": account_id, "fund": fund.value, "created_at": {"$lt": moment}},
            # times never go backwards on an account: the last by time is the last by seq
            [("created_at", DESCENDING), ("seq", DESCENDING)],
            1,
        )
        return found[0] if found else None


class MongoDeductionPolicyRepository(_Documents[StoredPolicy]):
    collection = DEDUCTION_POLICIES
    record = StoredPolicy
    entity = "DeductionPolicy"
    key = ("scope",)

    def get(self, scope: str) -> StoredPolicy | None:
        return self._find_one({"scope": scope})

    def add(self, policy: StoredPolicy) -> None:
        self._insert(policy)

    def update(self, policy: StoredPolicy) -> StoredPolicy:
        saved: StoredPolicy = self._update(policy)
        return saved
