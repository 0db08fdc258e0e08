"""Order lifecycle: order numbers and listing indexes, number series, the outbox.

Revision ID: 0006_orders
Revises: 0005_records
Create Date: 2026-11-27
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from alembic import op

from crmkit.adapters.sql.migrate import translated_schema
from crmkit.adapters.sql.tables.pricing import long_text
from crmkit.adapters.sql.types import UtcDateTime, code

revision = "0006_orders"
down_revision = "0005_records"
branch_labels = None
depends_on = None

OPTIONS: dict[str, Any] = {"mysql_engine": "InnoDB", "mysql_charset": "utf8mb4"}
ORDER = "crmkit_sales_order"


def upgrade() -> None:
    # ALTER TABLE is not compiled through a schema_translate_map: name the schema explicitly.
    schema = translated_schema(op.get_bind())
    op.add_column(ORDER, sa.Column("number", code(40), nullable=True), schema=schema)
    op.create_index(
        "ix_crmkit_sales_order_tenant_id_number", ORDER, ["tenant_id", "number"], unique=True
    )
    for columns in (["account_id"], ["status"], []):
        name = "_".join(["ix_crmkit_sales_order_tenant_id", *columns, "created_at_id"])
        op.create_index(name, ORDER, ["tenant_id", *columns, "created_at", "id"])
    op.create_table(
        "crmkit_counter",
        sa.Column("tenant_id", code(64), nullable=False),
        sa.Column("series", code(32), nullable=False),
        sa.Column("value", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("tenant_id", "series", name="pk_crmkit_counter"),
        **OPTIONS,
    )
    op.create_table(
        "crmkit_outbox_event",
        sa.Column("tenant_id", code(64), nullable=False),
        sa.Column("position", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("name", code(64), nullable=False),
        sa.Column("aggregate_id", code(64), nullable=False),
        sa.Column("payload", long_text(), nullable=False),
        sa.Column("occurred_at", UtcDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("tenant_id", "position", name="pk_crmkit_outbox_event"),
        **OPTIONS,
    )
    op.create_table(
        "crmkit_outbox_consumer",
        sa.Column("tenant_id", code(64), nullable=False),
        sa.Column("name", code(64), nullable=False),
        sa.Column("position", sa.BigInteger(), nullable=False),
        sa.Column("updated_at", UtcDateTime(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("tenant_id", "name", name="pk_crmkit_outbox_consumer"),
        **OPTIONS,
    )


def downgrade() -> None:
    op.drop_table("crmkit_outbox_consumer")
    op.drop_table("crmkit_outbox_event")
    op.drop_table("crmkit_counter")
    for columns in (["account_id"], ["status"], []):
        name = "_".join(["ix_crmkit_sales_order_tenant_id", *columns, "created_at_id"])
        op.drop_index(name, ORDER)
    op.drop_index("ix_crmkit_sales_order_tenant_id_number", ORDER)
    with op.batch_alter_table(ORDER, schema=translated_schema(op.get_bind())) as batch:
        batch.drop_column("number")
