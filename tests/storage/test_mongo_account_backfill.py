"""The MongoDB schema upgrade backfills posted totals of accounts written before they were
stored (the counterpart of SQL migration 0013_account_totals)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from pymongo import MongoClient

from crmkit.adapters.mongo import MongoStorage, ensure_indexes
from crmkit.adapters.mongo.backfill import POSTED_FIELDS, backfill_posted_totals
from crmkit.adapters.mongo.indexes import ACCOUNT_HOLDS, CUSTOMER_ACCOUNTS
from crmkit.domain import TenantId, new_id
from crmkit.domain.accounts import Fund
from crmkit.domain.deduction import OrderLine
from crmkit.testing.ledger import accounts_service, cny

TENANT = TenantId("totals")


@pytest.mark.mongo
class TestPostedTotalsBackfill:
    def test_upgrade_sums_what_the_holds_posted_less_refunds(self, mongo_url: str) -> None:
        """An account stored without ``*_posted`` reads zero; after ``ensure_indexes`` it
        reads what its holds posted less refunds, and a second run changes nothing."""
        client: MongoClient[dict[str, Any]] = MongoClient(mongo_url, tz_aware=True)
        name = f"crmkit_backfill_{new_id()[:8]}"
        try:
            ensure_indexes(client[name])
            service = accounts_service(MongoStorage(client, name), TENANT)
            account = service.open_account("C-1", "CNY")
            untouched = service.open_account("C-2", "CNY")
            service.deposit(account.id, cny(500), key="d")
            for order in ("o-1", "o-2"):
                line = OrderLine("p", None, cny(100))
                service.place_holds(account.id, order, cny(100), [line], key=f"h-{order}")
            hold = service.holds_of_order(account.id, "o-1")[0]
            service.post_hold(hold.id, key="p")
            service.refund_order(account.id, "o-1", cny(30), key="r")
            expected = service.fund_summaries(account.id)[Fund.PREPAYMENT].posted
            assert expected == Decimal(70)
            stored = service.get_account(account.id)

            accounts = client[name][CUSTOMER_ACCOUNTS]
            accounts.update_many({}, {"$unset": dict.fromkeys(POSTED_FIELDS, "")})
            assert service.get_account(account.id).posted(Fund.PREPAYMENT) == 0  # as before

            ensure_indexes(client[name])

            restored = service.get_account(account.id)
            assert restored == stored
            assert restored.posted(Fund.PREPAYMENT) == expected
            assert restored.posted(Fund.CREDIT) == restored.posted(Fund.REBATE) == 0
            assert service.get_account(untouched.id).posted(Fund.PREPAYMENT) == 0
            assert backfill_posted_totals(client[name], CUSTOMER_ACCOUNTS, ACCOUNT_HOLDS) == 0
            assert service.get_account(account.id) == stored
        finally:
            client.drop_database(name)
            client.close()
