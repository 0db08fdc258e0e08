"""Tables of the product catalog and of processed requests."""

from __future__ import annotations

from sqlalchemy import Column, Index, String, Table, UniqueConstraint

from crmkit.adapters.sql.tables import columns as col
from crmkit.adapters.sql.tables.base import TABLE_OPTIONS, metadata
from crmkit.adapters.sql.tables.pricing import long_text
from crmkit.adapters.sql.tables.records import attach_table
from crmkit.adapters.sql.types import ExactDecimal
from crmkit.domain.product import PRODUCTS

products = Table(
    "crmkit_product",
    metadata,
    *col.identity("crmkit_product"),
    *col.codes(sku=64),
    Column("name", String(200), nullable=False),
    Column("unit", String(16), nullable=False),
    Column("tax_rate", ExactDecimal(5, 4), nullable=False),
    *col.codes(nullable=True, category=100),
    *col.flags("active"),
    *col.stamped("created_at", "updated_at"),
    UniqueConstraint("tenant_id", "sku"),
    Index(None, "tenant_id", "category", "sku"),
    Index(None, "tenant_id", "active", "sku"),
    **TABLE_OPTIONS,
)
attach_table(PRODUCTS, products)

processed_requests = Table(
    "crmkit_processed_request",
    metadata,
    *col.identity("crmkit_processed_request", *col.codes(key=128)),
    *col.codes(operation=64, fingerprint=64),
    Column("result", long_text(), nullable=False),
    *col.stamped("created_at"),
    **TABLE_OPTIONS,
)
