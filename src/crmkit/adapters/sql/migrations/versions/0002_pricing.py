"""Pricing: price lists, price entries, quotes, sales orders.

Revision ID: 0002_pricing
Revises: 0001_foundation
Create Date: 2026-11-26
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from alembic import op

from crmkit.adapters.sql.tables.pricing import long_text
from crmkit.adapters.sql.types import ExactDecimal, UtcDateTime, code

revision = "0002_pricing"
down_revision = "0001_foundation"
branch_labels = None
depends_on = None

OPTIONS: dict[str, Any] = {"mysql_engine": "InnoDB", "mysql_charset": "utf8mb4"}


def upgrade() -> None:
    op.create_table(
        "crmkit_price_list",
        sa.Column("tenant_id", code(64), nullable=False),
        sa.Column("id", code(32), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("currency", code(3), nullable=False),
        sa.Column("priority", sa.Integer(), nullable=False),
        sa.Column("scope_kind", code(16), nullable=False),
        sa.Column("scope_codes", sa.Text(), nullable=False),
        sa.Column("prices_include_tax", sa.Boolean(), nullable=False),
        sa.Column("valid_from", UtcDateTime(), nullable=False),
        sa.Column("valid_until", UtcDateTime(), nullable=True),
        sa.Column("base_list_id", code(32), nullable=True),
        sa.Column("derivation_percent", ExactDecimal(9, 4), nullable=True),
        sa.Column("derivation_rounding", code(16), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("updated_at", UtcDateTime(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("tenant_id", "id", name="pk_crmkit_price_list"),
        **OPTIONS,
    )
    op.create_table(
        "crmkit_price_entry",
        sa.Column("tenant_id", code(64), nullable=False),
        sa.Column("id", code(32), nullable=False),
        sa.Column("price_list_id", code(32), nullable=False),
        sa.Column("product_id", code(32), nullable=False),
        sa.Column("min_quantity", ExactDecimal(18, 4), nullable=False),
        sa.Column("unit_price", ExactDecimal(22, 6), nullable=False),
        sa.Column("valid_from", UtcDateTime(), nullable=False),
        sa.Column("valid_until", UtcDateTime(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("tenant_id", "id", name="pk_crmkit_price_entry"),
        **OPTIONS,
    )
    op.create_index(
        "ix_crmkit_price_entry_tenant_id_price_list_id_product_id",
        "crmkit_price_entry",
        ["tenant_id", "price_list_id", "product_id"],
    )
    op.create_table(
        "crmkit_quote",
        sa.Column("tenant_id", code(64), nullable=False),
        sa.Column("id", code(32), nullable=False),
        sa.Column("account_id", code(64), nullable=False),
        sa.Column("status", code(16), nullable=False),
        sa.Column("currency", code(3), nullable=False),
        sa.Column("valid_until", UtcDateTime(), nullable=False),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("updated_at", UtcDateTime(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("body", long_text(), nullable=False),
        sa.PrimaryKeyConstraint("tenant_id", "id", name="pk_crmkit_quote"),
        **OPTIONS,
    )
    op.create_index(
        "ix_crmkit_quote_tenant_id_account_id_created_at",
        "crmkit_quote",
        ["tenant_id", "account_id", "created_at"],
    )
    op.create_table(
        "crmkit_sales_order",
        sa.Column("tenant_id", code(64), nullable=False),
        sa.Column("id", code(32), nullable=False),
        sa.Column("account_id", code(64), nullable=False),
        sa.Column("status", code(16), nullable=False),
        sa.Column("currency", code(3), nullable=False),
        sa.Column("quote_id", code(32), nullable=True),
        sa.Column("request_key", code(128), nullable=True),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("updated_at", UtcDateTime(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("body", long_text(), nullable=False),
        sa.PrimaryKeyConstraint("tenant_id", "id", name="pk_crmkit_sales_order"),
        **OPTIONS,
    )
    op.create_index(
        "ix_crmkit_sales_order_tenant_id_quote_id_created_at",
        "crmkit_sales_order",
        ["tenant_id", "quote_id", "created_at"],
    )


def downgrade() -> None:
    op.drop_table("crmkit_sales_order")
    op.drop_table("crmkit_quote")
    op.drop_table("crmkit_price_entry")
    op.drop_table("crmkit_price_list")
