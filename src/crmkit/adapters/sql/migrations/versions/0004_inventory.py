"""Inventory: warehouses, stock levels, the movement ledger, reservations, stock documents.

Revision ID: 0004_inventory
Revises: 0001_foundation
Create Date: 2026-11-26
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from alembic import op

from crmkit.adapters.sql.types import ExactDecimal, UtcDateTime, code

revision = "0004_inventory"
down_revision = "0003_accounts"
branch_labels = None
depends_on = None

OPTIONS: dict[str, Any] = {"mysql_engine": "InnoDB", "mysql_charset": "utf8mb4"}


def _quantity(name: str) -> sa.Column[object]:
    return sa.Column(name, ExactDecimal(18, 4), nullable=False)


def upgrade() -> None:
    op.create_table(
        "crmkit_warehouse",
        sa.Column("tenant_id", code(64), nullable=False),
        sa.Column("id", code(32), nullable=False),
        sa.Column("code", code(32), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("priority", sa.Integer(), nullable=False),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("updated_at", UtcDateTime(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("tenant_id", "id", name="pk_crmkit_warehouse"),
        sa.UniqueConstraint("tenant_id", "code", name="uq_crmkit_warehouse_tenant_id_code"),
        **OPTIONS,
    )
    op.create_table(
        "crmkit_stock_level",
        sa.Column("tenant_id", code(64), nullable=False),
        sa.Column("product_id", code(32), nullable=False),
        sa.Column("warehouse_id", code(32), nullable=False),
        _quantity("on_hand"),
        _quantity("reserved"),
        _quantity("quarantine"),
        sa.Column("updated_at", UtcDateTime(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint(
            "tenant_id", "product_id", "warehouse_id", name="pk_crmkit_stock_level"
        ),
        sa.CheckConstraint(
            "reserved >= 0 AND reserved <= on_hand",
            name="ck_crmkit_stock_level_reserved_within_on_hand",
        ),
        sa.CheckConstraint("quarantine >= 0", name="ck_crmkit_stock_level_quarantine_not_negative"),
        **OPTIONS,
    )
    op.create_table(
        "crmkit_stock_movement",
        sa.Column("tenant_id", code(64), nullable=False),
        sa.Column("id", code(32), nullable=False),
        sa.Column("product_id", code(32), nullable=False),
        sa.Column("warehouse_id", code(32), nullable=False),
        sa.Column("bucket", code(16), nullable=False),
        _quantity("quantity"),
        sa.Column("kind", code(16), nullable=False),
        sa.Column("document_type", code(32), nullable=False),
        sa.Column("document_id", code(32), nullable=False),
        sa.Column("reason", sa.String(200), nullable=True),
        sa.Column("request_key", code(128), nullable=False),
        sa.Column("line", sa.Integer(), nullable=False),
        sa.Column("occurred_at", UtcDateTime(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("tenant_id", "id", name="pk_crmkit_stock_movement"),
        sa.UniqueConstraint(
            "tenant_id",
            "request_key",
            "line",
            name="uq_crmkit_stock_movement_tenant_id_request_key_line",
        ),
        **OPTIONS,
    )
    op.create_index(
        "ix_crmkit_stock_movement_tenant_id_product_id_occurred_at_id",
        "crmkit_stock_movement",
        ["tenant_id", "product_id", "occurred_at", "id"],
    )
    op.create_table(
        "crmkit_reservation",
        sa.Column("tenant_id", code(64), nullable=False),
        sa.Column("id", code(32), nullable=False),
        sa.Column("order_id", code(64), nullable=False),
        sa.Column("line_id", code(64), nullable=False),
        sa.Column("product_id", code(32), nullable=False),
        sa.Column("warehouse_id", code(32), nullable=False),
        _quantity("quantity"),
        _quantity("shipped"),
        _quantity("released"),
        sa.Column("status", code(16), nullable=False),
        sa.Column("expires_at", UtcDateTime(), nullable=True),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("updated_at", UtcDateTime(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("tenant_id", "id", name="pk_crmkit_reservation"),
        **OPTIONS,
    )
    op.create_index(
        "ix_crmkit_reservation_tenant_id_order_id_status",
        "crmkit_reservation",
        ["tenant_id", "order_id", "status"],
    )
    op.create_index(
        "ix_crmkit_reservation_tenant_id_product_id_warehouse_id_status",
        "crmkit_reservation",
        ["tenant_id", "product_id", "warehouse_id", "status"],
    )
    op.create_index(
        "ix_crmkit_reservation_tenant_id_status_expires_at",
        "crmkit_reservation",
        ["tenant_id", "status", "expires_at"],
    )
    op.create_table(
        "crmkit_stock_document",
        sa.Column("tenant_id", code(64), nullable=False),
        sa.Column("kind", code(32), nullable=False),
        sa.Column("id", code(32), nullable=False),
        sa.Column("status", code(16), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("updated_at", UtcDateTime(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("tenant_id", "kind", "id", name="pk_crmkit_stock_document"),
        **OPTIONS,
    )


def downgrade() -> None:
    op.drop_table("crmkit_stock_document")
    op.drop_table("crmkit_reservation")
    op.drop_table("crmkit_stock_movement")
    op.drop_table("crmkit_stock_level")
    op.drop_table("crmkit_warehouse")
