"""Foundation: product catalog and processed requests.

Revision ID: 0001_foundation
Revises:
Create Date: 2026-11-26
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from crmkit.adapters.sql.types import ExactDecimal, UtcDateTime, code

revision = "0001_foundation"
down_revision = None
branch_labels = ("crmkit",)
depends_on = None


def upgrade() -> None:
    op.create_table(
        "crmkit_product",
        sa.Column("tenant_id", code(64), nullable=False),
        sa.Column("id", code(32), nullable=False),
        sa.Column("sku", code(64), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("unit", sa.String(16), nullable=False),
        sa.Column("tax_rate", ExactDecimal(5, 4), nullable=False),
        sa.Column("category", code(100), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("updated_at", UtcDateTime(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("tenant_id", "id", name="pk_crmkit_product"),
        sa.UniqueConstraint("tenant_id", "sku", name="uq_crmkit_product_tenant_id_sku"),
        mysql_engine="InnoDB",
        mysql_charset="utf8mb4",
    )
    op.create_index(
        "ix_crmkit_product_tenant_id_category_sku",
        "crmkit_product",
        ["tenant_id", "category", "sku"],
    )
    op.create_index(
        "ix_crmkit_product_tenant_id_active_sku",
        "crmkit_product",
        ["tenant_id", "active", "sku"],
    )
    op.create_table(
        "crmkit_processed_request",
        sa.Column("tenant_id", code(64), nullable=False),
        sa.Column("key", code(128), nullable=False),
        sa.Column("operation", code(64), nullable=False),
        sa.Column("fingerprint", code(64), nullable=False),
        sa.Column("result", sa.Text(), nullable=False),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("tenant_id", "key", name="pk_crmkit_processed_request"),
        mysql_engine="InnoDB",
        mysql_charset="utf8mb4",
    )


def downgrade() -> None:
    op.drop_table("crmkit_processed_request")
    op.drop_table("crmkit_product")
