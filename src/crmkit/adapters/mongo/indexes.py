"""Collections and indexes: the MongoDB counterpart of the SQL migrations."""

from __future__ import annotations

from pymongo import IndexModel
from pymongo.database import Database

from crmkit.adapters.mongo.backfill import backfill_posted_totals
from crmkit.adapters.mongo.errors import translated
from crmkit.adapters.mongo.records import attach_indexes, record_indexes, tenant_index
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
            tenant_index("id", name="tenant_id", unique=True),
            tenant_index("sku", name="tenant_sku", unique=True),
            tenant_index("category", "sku", name="tenant_category_sku"),
            tenant_index("active", "sku", name="tenant_active_sku"),
        ],
    ),
    PROCESSED_REQUESTS: [
        tenant_index("key", name="tenant_key", unique=True),
    ],
    WAREHOUSES: attach_indexes(
        warehouse.WAREHOUSES,
        [
            tenant_index("id", name="tenant_id", unique=True),
            tenant_index("code", name="tenant_code", unique=True),
        ],
    ),
    STOCK_LEVELS: [
        tenant_index("product_id", "warehouse_id", name="tenant_product_warehouse", unique=True),
    ],
    STOCK_MOVEMENTS: [
        tenant_index("id", name="tenant_id", unique=True),
        tenant_index("request_key", "line", name="tenant_request_key_line", unique=True),
        tenant_index("product_id", "occurred_at", "id", name="tenant_product_occurred"),
    ],
    RESERVATIONS: [
        tenant_index("id", name="tenant_id", unique=True),
        tenant_index("order_id", "status", name="tenant_order_status"),
        tenant_index("product_id", "warehouse_id", "status", name="tenant_stock_status"),
        tenant_index("status", "expires_at", name="tenant_status_expiry"),
    ],
    STOCK_DOCUMENTS: [
        tenant_index("kind", "id", name="tenant_kind_id", unique=True),
    ],
    PRICE_LISTS: [
        tenant_index("id", name="tenant_id", unique=True),
    ],
    PRICE_ENTRIES: [
        tenant_index("id", name="tenant_id", unique=True),
        tenant_index("price_list_id", "product_id", name="tenant_list_product"),
    ],
    QUOTES: [
        tenant_index("id", name="tenant_id", unique=True),
    ],
    SALES_ORDERS: [
        tenant_index("id", name="tenant_id", unique=True),
        tenant_index("quote_id", "created_at", name="tenant_quote_created"),
        tenant_index("number", name="tenant_number"),
        tenant_index("account_id", "created_at", "id", name="tenant_account_created"),
        tenant_index("created_at", "id", name="tenant_created"),
    ],
    CUSTOMER_ACCOUNTS: [
        tenant_index("id", name="tenant_id", unique=True),
        tenant_index("customer_id", "currency", name="tenant_customer_currency", unique=True),
    ],
    REBATE_GRANTS: [
        tenant_index("id", name="tenant_id", unique=True),
        tenant_index("account_id", "id", name="tenant_account_id"),
    ],
    ACCOUNT_HOLDS: [
        tenant_index("id", name="tenant_id", unique=True),
        tenant_index("account_id", "order_id", "id", name="tenant_account_order_id"),
        tenant_index("status", "expires_at", name="tenant_status_expires_at"),
        tenant_index("account_id", "status", "expires_at", name="tenant_account_status_expires_at"),
    ],
    JOURNAL_ENTRIES: [
        tenant_index("account_id", "seq", name="tenant_account_seq", unique=True),
        tenant_index("account_id", "fund", "seq", name="tenant_account_fund_seq"),
        # a statement's opening balance and first page by time: one probe, not a walk by seq
        tenant_index("account_id", "created_at", "seq", name="tenant_account_time_seq"),
        tenant_index(
            "account_id", "fund", "created_at", "seq", name="tenant_account_fund_time_seq"
        ),
    ],
    DEDUCTION_POLICIES: [
        tenant_index("scope", name="tenant_scope", unique=True),
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
        tenant_index("series", name="tenant_series", unique=True),
    ],
    OUTBOX_EVENTS: [
        tenant_index("position", name="tenant_position", unique=True),
    ],
    OUTBOX_CONSUMERS: [
        tenant_index("name", name="tenant_name", unique=True),
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
