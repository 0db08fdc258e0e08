"""Data upgrades of the MongoDB schema: the counterpart of the SQL migrations' backfills.

:func:`backfill_posted_totals` gives accounts written before crmkit kept each fund's posted
total on the account (``prepayment_posted``, ``rebate_posted``, ``credit_posted``; SQL
migration ``0013_account_totals``) those totals, summed from their holds: ``posted -
refunded`` per fund. Without it such an account reads its totals as zero until a posting
rewrites it. :func:`~crmkit.adapters.mongo.indexes.ensure_indexes` runs it; it is safe to
run again (it touches only accounts that lack the fields).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from bson.decimal128 import Decimal128
from pymongo.database import Database

from crmkit.domain.accounts import Fund

POSTED_FIELDS = tuple(f"{fund.value}_posted" for fund in Fund)
BATCH = 500


def _decimal(value: object) -> Decimal:
    return value.to_decimal() if isinstance(value, Decimal128) else Decimal(str(value or 0))


def backfill_posted_totals(database: Database[dict[str, Any]], accounts: str, holds: str) -> int:
    """Set the posted totals of every account in ``accounts`` that has none from its holds
    in ``holds``; the number of accounts set. One read of each such account's holds (by the
    index on tenant, account, order, id), in batches of accounts."""
    lacking = {"$or": [{name: {"$exists": False}} for name in POSTED_FIELDS]}
    done = 0
    while True:
        batch = list(database[accounts].find(lacking, {"tenant_id": 1, "id": 1}, limit=BATCH))
        if not batch:
            return done
        for account in batch:
            totals = dict.fromkeys(Fund, Decimal(0))
            found = database[holds].find(
                {"tenant_id": account["tenant_id"], "account_id": account["id"]},
                {"fund": 1, "posted": 1, "refunded": 1},
            )
            for hold in found:
                totals[Fund(hold["fund"])] += _decimal(hold.get("posted")) - _decimal(
                    hold.get("refunded")
                )
            values = {f"{fund.value}_posted": Decimal128(totals[fund]) for fund in Fund}
            database[accounts].update_one({"_id": account["_id"], **lacking}, {"$set": values})
        done += len(batch)
