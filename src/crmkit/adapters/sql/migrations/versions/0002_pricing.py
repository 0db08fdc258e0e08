"""Pricing: price lists, price entries, quotes, sales orders.

Revision ID: 0002_pricing
Revises: 0001_foundation
Create Date: 2026-11-26
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from crmkit.adapters.sql.migrate import create_index, create_table
from crmkit.adapters.sql.tables import columns as col
from crmkit.adapters.sql.tables.pricing import long_text
from crmkit.adapters.sql.types import ExactDecimal

revision = "0002_pricing"
down_revision = "0001_foundation"
branch_labels = None
depends_on = None


def upgrade() -> None:
    create_table(
        "crmkit_price_list",
        *col.identity("crmkit_price_list"),
        sa.Column("name", sa.String(200), nullable=False),
        *col.codes(currency=3),
        sa.Column("priority", sa.Integer(), nullable=False),
        *col.codes(scope_kind=16),
        *col.texts("scope_codes"),
        *col.flags("prices_include_tax"),
        *col.times("valid_from"),
        *col.times("valid_until", nullable=True),
        *col.codes(nullable=True, base_list_id=32),
        sa.Column("derivation_percent", ExactDecimal(9, 4), nullable=True),
        *col.codes(nullable=True, derivation_rounding=16),
        *col.flags("active"),
        *col.stamped("created_at", "updated_at"),
    )
    create_table(
        "crmkit_price_entry",
        *col.identity("crmkit_price_entry"),
        *col.codes(price_list_id=32, product_id=32),
        *col.amounts("min_quantity"),
        sa.Column("unit_price", ExactDecimal(22, 6), nullable=False),
        *col.times("valid_from"),
        *col.times("valid_until", nullable=True),
        *col.stamped(),
    )
    create_index("crmkit_price_entry", "tenant_id", "price_list_id", "product_id")
    create_table(
        "crmkit_quote",
        *col.identity("crmkit_quote"),
        *col.codes(account_id=64, status=16, currency=3),
        *col.times("valid_until"),
        *col.stamped("created_at", "updated_at"),
        sa.Column("body", long_text(), nullable=False),
    )
    create_index("crmkit_quote", "tenant_id", "account_id", "created_at")
    create_table(
        "crmkit_sales_order",
        *col.identity("crmkit_sales_order"),
        *col.codes(account_id=64, status=16, currency=3),
        *col.codes(nullable=True, quote_id=32, request_key=128),
        *col.stamped("created_at", "updated_at"),
        sa.Column("body", long_text(), nullable=False),
    )
    create_index("crmkit_sales_order", "tenant_id", "quote_id", "created_at")


def downgrade() -> None:
    op.drop_table("crmkit_sales_order")
    op.drop_table("crmkit_quote")
    op.drop_table("crmkit_price_entry")
    op.drop_table("crmkit_price_list")
