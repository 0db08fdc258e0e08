"""Tables of the inventory area (库存): warehouses, stock levels, the movement ledger,
reservations and stock documents."""

from __future__ import annotations

from sqlalchemy import CheckConstraint, Column, Index, Integer, String, Table, UniqueConstraint

from crmkit.adapters.sql.tables import columns as col
from crmkit.adapters.sql.tables.base import ID, TABLE_OPTIONS, metadata
from crmkit.adapters.sql.tables.records import attach_table
from crmkit.domain.inventory.warehouse import WAREHOUSES

warehouses = Table(
    "crmkit_warehouse",
    metadata,
    *col.identity("crmkit_warehouse"),
    *col.codes(code=32),
    Column("name", String(200), nullable=False),
    *col.flags("active"),
    Column("priority", Integer, nullable=False),
    *col.stamped("created_at", "updated_at"),
    UniqueConstraint("tenant_id", "code"),
    **TABLE_OPTIONS,
)
attach_table(WAREHOUSES, warehouses)

stock_levels = Table(
    "crmkit_stock_level",
    metadata,
    *col.identity("crmkit_stock_level", "product_id", "warehouse_id"),
    *col.amounts("on_hand", "reserved", "quarantine"),
    *col.stamped("updated_at"),
    CheckConstraint("reserved >= 0 AND reserved <= on_hand", name="reserved_within_on_hand"),
    CheckConstraint("quarantine >= 0", name="quarantine_not_negative"),
    **TABLE_OPTIONS,
)

stock_movements = Table(
    "crmkit_stock_movement",
    metadata,
    *col.identity("crmkit_stock_movement"),
    *col.codes(product_id=ID, warehouse_id=ID, bucket=16),
    *col.amounts("quantity"),
    *col.codes(kind=16, document_type=32, document_id=ID),
    Column("reason", String(200), nullable=True),
    *col.codes(request_key=128),
    Column("line", Integer, nullable=False),
    *col.stamped("occurred_at"),
    UniqueConstraint("tenant_id", "request_key", "line"),
    Index(None, "tenant_id", "product_id", "occurred_at", "id"),
    **TABLE_OPTIONS,
)

reservations = Table(
    "crmkit_reservation",
    metadata,
    *col.identity("crmkit_reservation"),
    *col.codes(order_id=64, line_id=64, product_id=ID, warehouse_id=ID),
    *col.amounts("quantity", "shipped", "released"),
    *col.codes(status=16),
    *col.times("expires_at", nullable=True),
    *col.stamped("created_at", "updated_at"),
    Index(None, "tenant_id", "order_id", "status"),
    Index(None, "tenant_id", "product_id", "warehouse_id", "status"),
    Index(None, "tenant_id", "status", "expires_at"),
    **TABLE_OPTIONS,
)

stock_documents = Table(
    "crmkit_stock_document",
    metadata,
    *col.identity("crmkit_stock_document", "kind", "id"),
    *col.codes(status=16),
    *col.texts("body"),
    *col.stamped("created_at", "updated_at"),
    **TABLE_OPTIONS,
)
