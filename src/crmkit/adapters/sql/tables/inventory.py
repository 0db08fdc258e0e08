"""Tables of the inventory area (库存): warehouses, stock levels, the movement ledger,
reservations and stock documents."""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Column,
    Index,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
)

from crmkit.adapters.sql.tables.base import ID, TABLE_OPTIONS, TENANT, metadata
from crmkit.adapters.sql.tables.records import attach_table
from crmkit.adapters.sql.types import ExactDecimal, UtcDateTime, code
from crmkit.domain.inventory.warehouse import WAREHOUSES

QUANTITY = (18, 4)

warehouses = Table(
    "crmkit_warehouse",
    metadata,
    Column("tenant_id", code(TENANT), primary_key=True),
    Column("id", code(ID), primary_key=True),
    Column("code", code(32), nullable=False),
    Column("name", String(200), nullable=False),
    Column("active", Boolean, nullable=False),
    Column("priority", Integer, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
    Column("version", Integer, nullable=False),
    UniqueConstraint("tenant_id", "code"),
    **TABLE_OPTIONS,
)
attach_table(WAREHOUSES, warehouses)

stock_levels = Table(
    "crmkit_stock_level",
    metadata,
    Column("tenant_id", code(TENANT), primary_key=True),
    Column("product_id", code(ID), primary_key=True),
    Column("warehouse_id", code(ID), primary_key=True),
    Column("on_hand", ExactDecimal(*QUANTITY), nullable=False),
    Column("reserved", ExactDecimal(*QUANTITY), nullable=False),
    Column("quarantine", ExactDecimal(*QUANTITY), nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
    Column("version", Integer, nullable=False),
    CheckConstraint("reserved >= 0 AND reserved <= on_hand", name="reserved_within_on_hand"),
    CheckConstraint("quarantine >= 0", name="quarantine_not_negative"),
    **TABLE_OPTIONS,
)

stock_movements = Table(
    "crmkit_stock_movement",
    metadata,
    Column("tenant_id", code(TENANT), primary_key=True),
    Column("id", code(ID), primary_key=True),
    Column("product_id", code(ID), nullable=False),
    Column("warehouse_id", code(ID), nullable=False),
    Column("bucket", code(16), nullable=False),
    Column("quantity", ExactDecimal(*QUANTITY), nullable=False),
    Column("kind", code(16), nullable=False),
    Column("document_type", code(32), nullable=False),
    Column("document_id", code(ID), nullable=False),
    Column("reason", String(200), nullable=True),
    Column("request_key", code(128), nullable=False),
    Column("line", Integer, nullable=False),
    Column("occurred_at", UtcDateTime, nullable=False),
    Column("version", Integer, nullable=False),
    UniqueConstraint("tenant_id", "request_key", "line"),
    Index(None, "tenant_id", "product_id", "occurred_at", "id"),
    **TABLE_OPTIONS,
)

reservations = Table(
    "crmkit_reservation",
    metadata,
    Column("tenant_id", code(TENANT), primary_key=True),
    Column("id", code(ID), primary_key=True),
    Column("order_id", code(64), nullable=False),
    Column("line_id", code(64), nullable=False),
    Column("product_id", code(ID), nullable=False),
    Column("warehouse_id", code(ID), nullable=False),
    Column("quantity", ExactDecimal(*QUANTITY), nullable=False),
    Column("shipped", ExactDecimal(*QUANTITY), nullable=False),
    Column("released", ExactDecimal(*QUANTITY), nullable=False),
    Column("status", code(16), nullable=False),
    Column("expires_at", UtcDateTime, nullable=True),
    Column("created_at", UtcDateTime, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
    Column("version", Integer, nullable=False),
    Index(None, "tenant_id", "order_id", "status"),
    Index(None, "tenant_id", "product_id", "warehouse_id", "status"),
    Index(None, "tenant_id", "status", "expires_at"),
    **TABLE_OPTIONS,
)

stock_documents = Table(
    "crmkit_stock_document",
    metadata,
    Column("tenant_id", code(TENANT), primary_key=True),
    Column("kind", code(32), primary_key=True),
    Column("id", code(ID), primary_key=True),
    Column("status", code(16), nullable=False),
    Column("body", Text, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
    Column("version", Integer, nullable=False),
    **TABLE_OPTIONS,
)
