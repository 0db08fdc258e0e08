"""Foundation: product catalog and processed requests.

Revision ID: 0001_foundation
Revises:
Create Date: 2026-11-26
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from crmkit.adapters.sql.migrate import create_index, create_table
from crmkit.adapters.sql.tables import columns as col
from crmkit.adapters.sql.types import ExactDecimal, code

revision = "0001_foundation"
down_revision = None
branch_labels = ("crmkit",)
depends_on = None


def upgrade() -> None:
    create_table(
        "crmkit_product",
        *col.identity("crmkit_product"),
        sa.Column("sku", code(64), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("unit", sa.String(16), nullable=False),
        sa.Column("tax_rate", ExactDecimal(5, 4), nullable=False),
        *col.codes(nullable=True, category=100),
        *col.flags("active"),
        *col.stamped("created_at", "updated_at"),
        sa.UniqueConstraint("tenant_id", "sku", name="uq_crmkit_product_tenant_id_sku"),
    )
    create_index("crmkit_product", "tenant_id", "category", "sku")
    create_index("crmkit_product", "tenant_id", "active", "sku")
    create_table(
        "crmkit_processed_request",
        *col.identity("crmkit_processed_request", sa.Column("key", code(128), nullable=False)),
        *col.codes(operation=64, fingerprint=64),
        *col.texts("result"),
        *col.stamped("created_at"),
    )


def downgrade() -> None:
    op.drop_table("crmkit_processed_request")
    op.drop_table("crmkit_product")
