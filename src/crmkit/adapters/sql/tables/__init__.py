"""SQLAlchemy Core tables, one module per area, all on one ``metadata``.

Alembic migrations in ``migrations/`` create exactly these tables; a test compares them.
"""

from crmkit.adapters.sql.tables.accounts import (
    account_holds,
    customer_accounts,
    deduction_policies,
    journal_entries,
    rebate_grants,
)
from crmkit.adapters.sql.tables.base import VERSION_TABLE, metadata
from crmkit.adapters.sql.tables.catalog import processed_requests, products
from crmkit.adapters.sql.tables.field_work import field_work_tables
from crmkit.adapters.sql.tables.front_office import front_office_tables
from crmkit.adapters.sql.tables.inventory import (
    reservations,
    stock_documents,
    stock_levels,
    stock_movements,
    warehouses,
)
from crmkit.adapters.sql.tables.orders import counters, outbox_consumers, outbox_events
from crmkit.adapters.sql.tables.pricing import (
    price_entries,
    price_lists,
    quotes,
    sales_orders,
)
from crmkit.adapters.sql.tables.process import process_tables
from crmkit.adapters.sql.tables.receivables import (
    contracts,
    invoice_requests,
    order_invoicing,
    order_receipts,
    payment_plans,
    payments,
    refunds,
)
from crmkit.adapters.sql.tables.records import (
    custom_field_definitions,
    custom_objects,
    custom_values,
    record_table,
)
from crmkit.adapters.sql.tables.workflows import workflow_tables

__all__ = ["VERSION_TABLE", "metadata", "processed_requests", "products"]
__all__ += ["reservations", "stock_documents", "stock_levels", "stock_movements", "warehouses"]
__all__ += ["price_entries", "price_lists", "quotes", "sales_orders"]
__all__ += [
    "account_holds",
    "customer_accounts",
    "deduction_policies",
    "journal_entries",
    "rebate_grants",
]
__all__ += ["custom_field_definitions", "custom_objects", "custom_values", "record_table"]
__all__ += ["counters", "outbox_consumers", "outbox_events"]
__all__ += ["front_office_tables"]
__all__ += ["field_work_tables"]
__all__ += ["order_receipts", "payment_plans", "payments", "refunds"]
__all__ += ["contracts", "invoice_requests", "order_invoicing"]
__all__ += ["process_tables"]
__all__ += ["workflow_tables"]
