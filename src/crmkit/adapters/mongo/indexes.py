"""Collections and indexes: the MongoDB counterpart of the SQL migrations."""

from __future__ import annotations

from pymongo import ASCENDING, IndexModel
from pymongo.database import Database

from crmkit.adapters.mongo.backfill import backfill_posted_totals
from crmkit.adapters.mongo.errors import translated
from crmkit.adapters.mongo.records import attach_indexes, record_indexes
from crmkit.domain import custom_fields, custom_objects, product
from crmkit.domain.approvals import APPROVAL_TYPES
from crmkit.domain.field_work.types import FIELD_WORK_TYPES
from crmkit.domain.front_office.types import FRONT_OFFICE_TYPES
from crmkit.domain.inventory import warehouse
from crmkit.domain.receivables import contracts, invoices, payments, plans, refunds
from crmkit.domain.workflow_types import WORKFLOW_TYPES

PRODUCTS = "crmkit_products"
PROCESSED_REQUESTS = "crmkit_processed_requests"
WAREHOUSES = "crmkit_warehouses"
STOCK_LEVELS = "crmkit_stock_levels"
STOCK_MOVEMENTS = "crmkit_stock_movements"
RESERVATIONS = "crmkit_reservations"
STOCK_DOCUMENTS = "crmkit_stock_documents"
PRICE_LISTS = "crmkit_price_lists"
PRICE_ENTRIES = "crmkit_price_entries"
QUOTES = "crmkit_quotes"
SALES_ORDERS = "crmkit_sales_orders"
CUSTOMER_ACCOUNTS = "crmkit_customer_accounts"
REBATE_GRANTS = "crmkit_rebate_grants"
ACCOUNT_HOLDS = "crmkit_account_holds"
JOURNAL_ENTRIES = "crmkit_journal_entries"
DEDUCTION_POLICIES = "crmkit_deduction_policies"
CUSTOM_FIELD_DEFINITIONS = "crmkit_custom_field_definitions"
CUSTOM_OBJECTS = "crmkit_custom_objects"
COUNTERS = "crmkit_counters"
OUTBOX_EVENTS = "crmkit_outbox_events"
OUTBOX_CONSUMERS = "crmkit_outbox_consumers"

INDEXES: dict[str, list[IndexModel]] = {
    PRODUCTS: attach_indexes(
        product.PRODUCTS,
        [
            IndexModel(
                [("tenant_id", ASCENDING), ("id", ASCENDING)], name="tenant_id", unique=True
            ),
            IndexModel(
                [("tenant_id", ASCENDING), ("sku", ASCENDING)], name="tenant_sku", unique=True
            ),
            IndexModel(
                [("tenant_id", ASCENDING), ("category", ASCENDING), ("sku", ASCENDING)],
                name="tenant_category_sku",
            ),
            IndexModel(
                [("tenant_id", ASCENDING), ("active", ASCENDING), ("sku", ASCENDING)],
                name="tenant_active_sku",
            ),
        ],
    ),
    PROCESSED_REQUESTS: [
        IndexModel([("tenant_id", ASCENDING), ("key", ASCENDING)], name="tenant_key", unique=True),
    ],
    WAREHOUSES: attach_indexes(
        warehouse.WAREHOUSES,
        [
            IndexModel(
                [("tenant_id", ASCENDING), ("id", ASCENDING)], name="tenant_id", unique=True
            ),
            IndexModel(
                [("tenant_id", ASCENDING), ("code", ASCENDING)], name="tenant_code", unique=True
            ),
        ],
    ),
    STOCK_LEVELS: [
        IndexModel(
            [("tenant_id", ASCENDING), ("product_id", ASCENDING), ("warehouse_id", ASCENDING)],
            name="tenant_product_warehouse",
            unique=True,
        ),
    ],
    STOCK_MOVEMENTS: [
        IndexModel([("tenant_id", ASCENDING), ("id", ASCENDING)], name="tenant_id", unique=True),
        IndexModel(
            [("tenant_id", ASCENDING), ("request_key", ASCENDING), ("line", ASCENDING)],
            name="tenant_request_key_line",
            unique=True,
        ),
        IndexModel(
            [
                ("tenant_id", ASCENDING),
                ("product_id", ASCENDING),
                ("occurred_at", ASCENDING),
                ("id", ASCENDING),
            ],
            name="tenant_product_occurred",
        ),
    ],
    RESERVATIONS: [
        IndexModel([("tenant_id", ASCENDING), ("id", ASCENDING)], name="tenant_id", unique=True),
        IndexModel(
            [("tenant_id", ASCENDING), ("order_id", ASCENDING), ("status", ASCENDING)],
            name="tenant_order_status",
        ),
        IndexModel(
            [
                ("tenant_id", ASCENDING),
                ("product_id", ASCENDING),
                ("warehouse_id", ASCENDING),
                ("status", ASCENDING),
            ],
            name="tenant_stock_status",
        ),
        IndexModel(
            [("tenant_id", ASCENDING), ("status", ASCENDING), ("expires_at", ASCENDING)],
            name="tenant_status_expiry",
        ),
    ],
    STOCK_DOCUMENTS: [
        IndexModel(
            [("tenant_id", ASCENDING), ("kind", ASCENDING), ("id", ASCENDING)],
            name="tenant_kind_id",
            unique=True,
        ),
    ],
    PRICE_LISTS: [
        IndexModel([("tenant_id", ASCENDING), ("id", ASCENDING)], name="tenant_id", unique=True),
    ],
    PRICE_ENTRIES: [
        IndexModel([("tenant_id", ASCENDING), ("id", ASCENDING)], name="tenant_id", unique=True),
        IndexModel(
            [("tenant_id", ASCENDING), ("price_list_id", ASCENDING), ("product_id", ASCENDING)],
            name="tenant_list_product",
        ),
    ],
    QUOTES: [
        IndexModel([("tenant_id", ASCENDING), ("id", ASCENDING)], name="tenant_id", unique=True),
    ],
    SALES_ORDERS: [
        IndexModel([("tenant_id", ASCENDING), ("id", ASCENDING)], name="tenant_id", unique=True),
        IndexModel(
            [("tenant_id", ASCENDING), ("quote_id", ASCENDING), ("created_at", ASCENDING)],
            name="tenant_quote_created",
        ),
        IndexModel([("tenant_id", ASCENDING), ("number", ASCENDING)], name="tenant_number"),
        IndexModel(
            [
                ("tenant_id", ASCENDING),
                ("account_id", ASCENDING),
                ("created_at", ASCENDING),
                ("id", ASCENDING),
            ],
            name="tenant_account_created",
        ),
        IndexModel(
            [("tenant_id", ASCENDING), ("created_at", ASCENDING), ("id", ASCENDING)],
            name="tenant_created",
        ),
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
        IndexModel(
            [
                ("tenant_id", ASCENDING),
                ("account_id", ASCENDING),
                ("status", ASCENDING),
                ("expires_at", ASCENDING),
            ],
            name="tenant_account_status_expires_at",
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
        # a statement's opening balance and first page by time: one probe, not a walk by seq
        IndexModel(
            [
                ("tenant_id", ASCENDING),
                ("account_id", ASCENDING),
                ("created_at", ASCENDING),
                ("seq", ASCENDING),
            ],
            name="tenant_account_time_seq",
        ),
        IndexModel(
            [
                ("tenant_id", ASCENDING),
                ("account_id", ASCENDING),
                ("fund", ASCENDING),
                ("created_at", ASCENDING),
                ("seq", ASCENDING),
            ],
            name="tenant_account_fund_time_seq",
        ),
    ],
    DEDUCTION_POLICIES: [
        IndexModel(
            [("tenant_id", ASCENDING), ("scope", ASCENDING)], name="tenant_scope", unique=True
        ),
    ],
    CUSTOM_FIELD_DEFINITIONS: record_indexes(custom_fields.CUSTOM_FIELD_DEFINITIONS),
    CUSTOM_OBJECTS: record_indexes(custom_objects.CUSTOM_OBJECTS),
    payments.PAYMENTS.collection_name: record_indexes(payments.PAYMENTS),
    payments.ORDER_RECEIPTS.collection_name: record_indexes(payments.ORDER_RECEIPTS),
    plans.PAYMENT_PLANS.collection_name: record_indexes(plans.PAYMENT_PLANS),
    refunds.REFUNDS.collection_name: record_indexes(refunds.REFUNDS),
    contracts.CONTRACTS.collection_name: record_indexes(contracts.CONTRACTS),
    invoices.INVOICE_REQUESTS.collection_name: record_indexes(invoices.INVOICE_REQUESTS),
    invoices.ORDER_INVOICING.collection_name: record_indexes(invoices.ORDER_INVOICING),
    COUNTERS: [
        IndexModel(
            [("tenant_id", ASCENDING), ("series", ASCENDING)], name="tenant_series", unique=True
        ),
    ],
    OUTBOX_EVENTS: [
        IndexModel(
            [("tenant_id", ASCENDING), ("position", ASCENDING)],
            name="tenant_position",
            unique=True,
        ),
    ],
    OUTBOX_CONSUMERS: [
        IndexModel(
            [("tenant_id", ASCENDING), ("name", ASCENDING)], name="tenant_name", unique=True
        ),
    ],
}
INDEXES.update({t.collection_name: record_indexes(t) for t in FRONT_OFFICE_TYPES})
INDEXES.update({t.collection_name: record_indexes(t) for t in APPROVAL_TYPES})
INDEXES.update({t.collection_name: record_indexes(t) for t in FIELD_WORK_TYPES})
INDEXES.update({t.collection_name: record_indexes(t) for t in WORKFLOW_TYPES})


def ensure_indexes(database: Database[dict[str, object]]) -> None:
    """Create crmkit's collections and indexes in ``database`` and fill what older crmkit
    did not store (:mod:`~crmkit.adapters.mongo.backfill`); safe to run again.

    Collections are created here, outside any transaction, because MongoDB cannot create
    a collection implicitly inside a multi-document transaction on every version.

    Raises:
        StorageUnavailable: the server cannot be reached.
        StorageError: the server refused to create a collection or index.
    """
    with translated():
        existing = set(database.list_collection_names())
        for name, indexes in INDEXES.items():
            if name not in existing:
                database.create_collection(name)
            database[name].create_indexes(indexes)
        backfill_posted_totals(database, CUSTOMER_ACCOUNTS, ACCOUNT_HOLDS)


def missing_collections(database: Database[dict[str, object]]) -> set[str]:
    """crmkit collections that :func:`ensure_indexes` has not created yet."""
    return set(INDEXES) - set(database.list_collection_names())
