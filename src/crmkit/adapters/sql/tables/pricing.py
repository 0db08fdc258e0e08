"""Tables of pricing: price lists and their entries, quotes, sales orders.

Quotes and sales orders are stored whole in ``body`` (JSON: lines with their frozen
prices and explanations); the columns beside it are what crmkit filters and checks on.
"""

from __future__ import annotations

from sqlalchemy import Boolean, Column, Index, Integer, String, Table, Text
from sqlalchemy.dialects import mysql
from sqlalchemy.types import TypeEngine

from crmkit.adapters.sql.tables.base import ID, TABLE_OPTIONS, TENANT, metadata
from crmkit.adapters.sql.types import ExactDecimal, UtcDateTime, code


def long_text() -> TypeEngine[str]:
    """Text of any length (MariaDB's TEXT stops at 64 KiB; a large quote needs more)."""
    return Text().with_variant(mysql.LONGTEXT(), "mysql").with_variant(mysql.LONGTEXT(), "mariadb")


price_lists = Table(
    "crmkit_price_list",
    metadata,
    Column("tenant_id", code(TENANT), primary_key=True),
    Column("id", code(ID), primary_key=True),
    Column("name", String(200), nullable=False),
    Column("currency", code(3), nullable=False),
    Column("priority", Integer, nullable=False),
    Column("scope_kind", code(16), nullable=False),
    Column("scope_codes", Text, nullable=False),
    Column("prices_include_tax", Boolean, nullable=False),
    Column("valid_from", UtcDateTime, nullable=False),
    Column("valid_until", UtcDateTime, nullable=True),
    Column("base_list_id", code(ID), nullable=True),
    Column("derivation_percent", ExactDecimal(9, 4), nullable=True),
    Column("derivation_rounding", code(16), nullable=True),
    Column("active", Boolean, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
    Column("version", Integer, nullable=False),
    **TABLE_OPTIONS,
)

price_entries = Table(
    "crmkit_price_entry",
    metadata,
    Column("tenant_id", code(TENANT), primary_key=True),
    Column("id", code(ID), primary_key=True),
    Column("price_list_id", code(ID), nullable=False),
    Column("product_id", code(ID), nullable=False),
    Column("min_quantity", ExactDecimal(18, 4), nullable=False),
    Column("unit_price", ExactDecimal(22, 6), nullable=False),
    Column("valid_from", UtcDateTime, nullable=False),
    Column("valid_until", UtcDateTime, nullable=True),
    Column("version", Integer, nullable=False),
    Index(None, "tenant_id", "price_list_id", "product_id"),
    **TABLE_OPTIONS,
)

quotes = Table(
    "crmkit_quote",
    metadata,
    Column("tenant_id", code(TENANT), primary_key=True),
    Column("id", code(ID), primary_key=True),
    Column("account_id", code(64), nullable=False),
    Column("status", code(16), nullable=False),
    Column("currency", code(3), nullable=False),
    Column("valid_until", UtcDateTime, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
    Column("version", Integer, nullable=False),
    Column("body", long_text(), nullable=False),
    Index(None, "tenant_id", "account_id", "created_at"),
    **TABLE_OPTIONS,
)

sales_orders = Table(
    "crmkit_sales_order",
    metadata,
    Column("tenant_id", code(TENANT), primary_key=True),
    Column("id", code(ID), primary_key=True),
    Column("account_id", code(64), nullable=False),
    Column("status", code(16), nullable=False),
    Column("currency", code(3), nullable=False),
    Column("quote_id", code(ID), nullable=True),
    Column("request_key", code(128), nullable=True),
    Column("created_at", UtcDateTime, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
    Column("version", Integer, nullable=False),
    Column("body", long_text(), nullable=False),
    Column("number", code(40), nullable=True),
    Index(None, "tenant_id", "quote_id", "created_at"),
    Index(None, "tenant_id", "number", unique=True),
    Index(None, "tenant_id", "account_id", "created_at", "id"),
    Index(None, "tenant_id", "status", "created_at", "id"),
    Index(None, "tenant_id", "created_at", "id"),
    **TABLE_OPTIONS,
)
