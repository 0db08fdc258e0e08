"""Tables of the product catalog and of processed requests."""

from __future__ import annotations

from sqlalchemy import Boolean, Column, Index, Integer, String, Table, UniqueConstraint

from crmkit.adapters.sql.tables.base import ID, TABLE_OPTIONS, TENANT, metadata
from crmkit.adapters.sql.tables.pricing import long_text
from crmkit.adapters.sql.tables.records import attach_table
from crmkit.adapters.sql.types import ExactDecimal, UtcDateTime, code
from crmkit.domain.product import PRODUCTS

products = Table(
    "crmkit_product",
    metadata,
    Column("tenant_id", code(TENANT), primary_key=True),
    Column("id", code(ID), primary_key=True),
    Column("sku", code(64), nullable=False),
    Column("name", String(200), nullable=False),
    Column("unit", String(16), nullable=False),
    Column("tax_rate", ExactDecimal(5, 4), nullable=False),
    Column("category", code(100), nullable=True),
    Column("active", Boolean, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
    Column("version", Integer, nullable=False),
    UniqueConstraint("tenant_id", "sku"),
    Index(None, "tenant_id", "category", "sku"),
    Index(None, "tenant_id", "active", "sku"),
    **TABLE_OPTIONS,
)
attach_table(PRODUCTS, products)

processed_requests = Table(
    "crmkit_processed_request",
    metadata,
    Column("tenant_id", code(TENANT), primary_key=True),
    Column("key", code(128), primary_key=True),
    Column("operation", code(64), nullable=False),
    Column("fingerprint", code(64), nullable=False),
    Column("result", long_text(), nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("version", Integer, nullable=False),
    **TABLE_OPTIONS,
)
