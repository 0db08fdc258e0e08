"""Inventory: warehouses, stock levels, the movement ledger, reservations, stock documents.

Revision ID: 0004_inventory
Revises: 0001_foundation
Create Date: 2026-11-26
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from crmkit.adapters.sql.migrate import create_index, create_table
from crmkit.adapters.sql.tables import columns as col

revision = "0004_inventory"
down_revision = "0003_accounts"
branch_labels = None
depends_on = None


def upgrade() -> None:
    create_table(
        "crmkit_warehouse",
        *col.identity("crmkit_warehouse"),
        *col.codes(code=32),
        sa.Column("name", sa.String(200), nullable=False),
        *col.flags("active"),
        sa.Column("priority", sa.Integer(), nullable=False),
        *col.stamped("created_at", "updated_at"),
        sa.UniqueConstraint("tenant_id", "code", name="uq_crmkit_warehouse_tenant_id_code"),
    )
    create_table(
        "crmkit_stock_level",
        *col.identity("crmkit_stock_level", "product_id", "warehouse_id"),
        *col.amounts("on_hand", "reserved", "quarantine"),
        *col.stamped("updated_at"),
        sa.CheckConstraint(
            "reserved >= 0 AND reserved <= on_hand",
            name="ck_crmkit_stock_level_reserved_within_on_hand",
        ),
        sa.CheckConstraint("quarantine >= 0", name="ck_crmkit_stock_level_quarantine_not_negative"),
    )
    create_table(
        "crmkit_stock_movement",
        *col.identity("crmkit_stock_movement"),
        *col.codes(product_id=32, warehouse_id=32, bucket=16),
        *col.amounts("quantity"),
        *col.codes(kind=16, document_type=32, document_id=32),
        sa.Column("reason", sa.String(200), nullable=True),
        *col.codes(request_key=128),
        sa.Column("line", sa.Integer(), nullable=False),
        *col.stamped("occurred_at"),
        sa.UniqueConstraint(
            "tenant_id",
            "request_key",
            "line",
            name="uq_crmkit_stock_movement_tenant_id_request_key_line",
        ),
    )
    create_index("crmkit_stock_movement", "tenant_id", "product_id", "occurred_at", "id")
    create_table(
        "crmkit_reservation",
        *col.identity("crmkit_reservation"),
        *col.codes(order_id=64, line_id=64, product_id=32, warehouse_id=32),
        *col.amounts("quantity", "shipped", "released"),
        *col.codes(status=16),
        *col.times("expires_at", nullable=True),
        *col.stamped("created_at", "updated_at"),
    )
    create_index("crmkit_reservation", "tenant_id", "order_id", "status")
    create_index("crmkit_reservation", "tenant_id", "product_id", "warehouse_id", "status")
    create_index("crmkit_reservation", "tenant_id", "status", "expires_at")
    create_table(
        "crmkit_stock_document",
        *col.identity("crmkit_stock_document", "kind", "id"),
        *col.codes(status=16),
        *col.texts("body"),
        *col.stamped("created_at", "updated_at"),
    )


def downgrade() -> None:
    op.drop_table("crmkit_stock_document")
    op.drop_table("crmkit_reservation")
    op.drop_table("crmkit_stock_movement")
    op.drop_table("crmkit_stock_level")
    op.drop_table("crmkit_warehouse")
