"""Order lifecycle: order numbers and listing indexes, number series, the outbox.

Revision ID: 0006_orders
Revises: 0005_records
Create Date: 2026-11-27
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from crmkit.adapters.sql.migrate import create_index, create_table, translated_schema
from crmkit.adapters.sql.tables import columns as col
from crmkit.adapters.sql.tables.pricing import long_text
from crmkit.adapters.sql.types import code

revision = "0006_orders"
down_revision = "0005_records"
branch_labels = None
depends_on = None

ORDER = "crmkit_sales_order"


def upgrade() -> None:
    # ALTER TABLE is not compiled through a schema_translate_map: name the schema explicitly.
    schema = translated_schema(op.get_bind())
    op.add_column(ORDER, sa.Column("number", code(40), nullable=True), schema=schema)
    create_index(ORDER, "tenant_id", "number", unique=True)
    for columns in (["account_id"], ["status"], []):
        create_index(ORDER, "tenant_id", *columns, "created_at", "id")
    create_table(
        "crmkit_counter",
        *col.identity("crmkit_counter", "series"),
        sa.Column("value", sa.BigInteger(), nullable=False),
    )
    position = sa.Column("position", sa.BigInteger(), autoincrement=False, nullable=False)
    create_table(
        "crmkit_outbox_event",
        *col.identity("crmkit_outbox_event", position),
        *col.codes(name=64, aggregate_id=64),
        sa.Column("payload", long_text(), nullable=False),
        *col.times("occurred_at"),
    )
    create_table(
        "crmkit_outbox_consumer",
        *col.identity("crmkit_outbox_consumer", *col.codes(name=64)),
        sa.Column("position", sa.BigInteger(), nullable=False),
        *col.stamped("updated_at"),
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
