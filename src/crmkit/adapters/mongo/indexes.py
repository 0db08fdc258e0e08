"""Collections and indexes: the MongoDB counterpart of the SQL migrations."""

from __future__ import annotations

from pymongo import ASCENDING, IndexModel
from pymongo.database import Database

PRODUCTS = "crmkit_products"
PROCESSED_REQUESTS = "crmkit_processed_requests"
CUSTOMER_ACCOUNTS = "crmkit_customer_accounts"
REBATE_GRANTS = "crmkit_rebate_grants"
ACCOUNT_HOLDS = "crmkit_account_holds"
JOURNAL_ENTRIES = "crmkit_journal_entries"
DEDUCTION_POLICIES = "crmkit_deduction_policies"

INDEXES: dict[str, list[IndexModel]] = {
    PRODUCTS: [
        IndexModel([("tenant_id", ASCENDING), ("id", ASCENDING)], name="tenant_id", unique=True),
        IndexModel([("tenant_id", ASCENDING), ("sku", ASCENDING)], name="tenant_sku", unique=True),
        IndexModel(
            [("tenant_id", ASCENDING), ("category", ASCENDING), ("sku", ASCENDING)],
            name="tenant_category_sku",
        ),
        IndexModel(
            [("tenant_id", ASCENDING), ("active", ASCENDING), ("sku", ASCENDING)],
            name="tenant_active_sku",
        ),
    ],
    PROCESSED_REQUESTS: [
        IndexModel([("tenant_id", ASCENDING), ("key", ASCENDING)], name="tenant_key", unique=True),
    ],
    CUSTOMER_ACCOUNTS: [
        IndexModel([("tenant_id", ASCENDING), ("id", ASCENDING)], name="tenant_id", unique=True),
        IndexModel(
            [("tenant_id", ASCENDING), ("customer_id", ASCENDING), ("currency", ASCENDING)],
            name="tenant_customer_currency",
            unique=True,
        ),
    ],
    REBATE_GRANTS: [
        IndexModel([("tenant_id", ASCENDING), ("id", ASCENDING)], name="tenant_id", unique=True),
        IndexModel(
            [("tenant_id", ASCENDING), ("account_id", ASCENDING), ("id", ASCENDING)],
            name="tenant_account_id",
        ),
    ],
    ACCOUNT_HOLDS: [
        IndexModel([("tenant_id", ASCENDING), ("id", ASCENDING)], name="tenant_id", unique=True),
        IndexModel(
            [
                ("tenant_id", ASCENDING),
                ("account_id", ASCENDING),
                ("order_id", ASCENDING),
                ("id", ASCENDING),
            ],
            name="tenant_account_order_id",
        ),
        IndexModel(
            [("tenant_id", ASCENDING), ("status", ASCENDING), ("expires_at", ASCENDING)],
            name="tenant_status_expires_at",
        ),
    ],
    JOURNAL_ENTRIES: [
        IndexModel(
            [("tenant_id", ASCENDING), ("account_id", ASCENDING), ("seq", ASCENDING)],
            name="tenant_account_seq",
            unique=True,
        ),
        IndexModel(
            [
                ("tenant_id", ASCENDING),
                ("account_id", ASCENDING),
                ("fund", ASCENDING),
                ("seq", ASCENDING),
            ],
            name="tenant_account_fund_seq",
        ),
    ],
    DEDUCTION_POLICIES: [
        IndexModel(
            [("tenant_id", ASCENDING), ("scope", ASCENDING)], name="tenant_scope", unique=True
        ),
    ],
}


def ensure_indexes(database: Database[dict[str, object]]) -> None:
    """Create crmkit's collections and indexes in ``database``; safe to run again.

    Collections are created here, outside any transaction, because MongoDB cannot create
    a collection implicitly inside a multi-document transaction on every version.
    """
    existing = set(database.list_collection_names())
    for name, indexes in INDEXES.items():
        if name not in existing:
            database.create_collection(name)
        database[name].create_indexes(indexes)


def missing_collections(database: Database[dict[str, object]]) -> set[str]:
    """crmkit collections that :func:`ensure_indexes` has not created yet."""
    return set(INDEXES) - set(database.list_collection_names())
