"""Tables of pricing: price lists and their entries, quotes, sales orders.

Quotes and sales orders are stored whole in ``body`` (JSON: lines with their frozen
prices and explanations); the columns beside it are what crmkit filters and checks on.
"""

from __future__ import annotations

from sqlalchemy import Column, Index, Integer, String, Table, Text
from sqlalchemy.dialects import mysql
from sqlalchemy.types import TypeEngine

from crmkit.adapters.sql.tables import columns as col
from crmkit.adapters.sql.tables.base import ID, TABLE_OPTIONS, metadata
from crmkit.adapters.sql.types import ExactDecimal


def long_text() -> TypeEngine[str]:
    """Text of any length (MariaDB's TEXT stops at 64 KiB; a large quote needs more)."""
    return Text().with_variant(mysql.LONGTEXT(), "mysql").with_variant(mysql.LONGTEXT(), "mariadb")


price_lists = Table(
    "crmkit_price_list",
    metadata,
    *col.identity("crmkit_price_list"),
    Column("name", String(200), nullable=False),
    *col.codes(currency=3),
    Column("priority", Integer, nullable=False),
    *col.codes(scope_kind=16),
    *col.texts("scope_codes"),
    *col.flags("prices_include_tax"),
    *col.times("valid_from"),
    *col.times("valid_until", nullable=True),
    *col.codes(nullable=True, base_list_id=ID),
    Column("derivation_percent", ExactDecimal(9, 4), nullable=True),
    *col.codes(nullable=True, derivation_rounding=16),
    *col.flags("active"),
    *col.stamped("created_at", "updated_at"),
    **TABLE_OPTIONS,
)

price_entries = Table(
    "crmkit_price_entry",
    metadata,
    *col.identity("crmkit_price_entry"),
    *col.codes(price_list_id=ID, product_id=ID),
    *col.amounts("min_quantity"),
    Column("unit_price", ExactDecimal(22, 6), nullable=False),
    *col.times("valid_from"),
    *col.times("valid_until", nullable=True),
    *col.stamped(),
    Index(None, "tenant_id", "price_list_id", "product_id"),
    **TABLE_OPTIONS,
)

quotes = Table(
    "crmkit_quote",
    metadata,
    *col.identity("crmkit_quote"),
    *col.codes(account_id=64, status=16, currency=3),
    *col.times("valid_until"),
    *col.stamped("created_at", "updated_at"),
    Column("body", long_text(), nullable=False),
    Index(None, "tenant_id", "account_id", "created_at"),
    **TABLE_OPTIONS,
)

sales_orders = Table(
    "crmkit_sales_order",
    metadata,
    *col.identity("crmkit_sales_order"),
    *col.codes(account_id=64, status=16, currency=3),
    *col.codes(nullable=True, quote_id=ID, request_key=128),
    *col.stamped("created_at", "updated_at"),
    Column("body", long_text(), nullable=False),
    *col.codes(nullable=True, number=40),
    Index(None, "tenant_id", "quote_id", "created_at"),
    Index(None, "tenant_id", "number", unique=True),
    *(Index(None, "tenant_id", *by, "created_at", "id") for by in (["account_id"], ["status"], [])),
    **TABLE_OPTIONS,
)
