"""Declared record types: custom field definitions, custom values and custom objects.

Revision ID: 0005_records
Revises: 0004_inventory
Create Date: 2026-11-27
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from alembic import op

from crmkit.adapters.sql.types import ExactDecimal, UtcDateTime, code

revision = "0005_records"
down_revision = "0004_inventory"
branch_labels = None
depends_on = None

OPTIONS: dict[str, Any] = {"mysql_engine": "InnoDB", "mysql_charset": "utf8mb4"}
DEFINITION = "crmkit_custom_field_definition"
VALUE = "crmkit_custom_value"
OBJECT = "crmkit_custom_object"


def upgrade() -> None:
    op.create_table(
        DEFINITION,
        sa.Column("tenant_id", code(64), nullable=False),
        sa.Column("id", code(32), nullable=False),
        sa.Column("record_type", code(64), nullable=False),
        sa.Column("key", code(40), nullable=False),
        sa.Column("label", code(200), nullable=False),
        sa.Column("kind", code(16), nullable=False),
        sa.Column("decimal_places", sa.BigInteger(), nullable=False),
        sa.Column("reference_to", code(64), nullable=True),
        sa.Column("required", sa.Boolean(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("updated_at", UtcDateTime(), nullable=False),
        sa.Column("choices", sa.Text(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=f"pk_{DEFINITION}"),
        sa.UniqueConstraint(
            "tenant_id", "record_type", "key", name=f"uq_{DEFINITION}_record_type_key"
        ),
        **OPTIONS,
    )
    for field in ("record_type", "key", "kind", "active"):
        op.create_index(f"ix_{DEFINITION}_{field}", DEFINITION, ["tenant_id", field, "id"])
    op.create_table(
        VALUE,
        sa.Column("tenant_id", code(64), nullable=False),
        sa.Column("record_type", code(64), nullable=False),
        sa.Column("record_id", code(128), nullable=False),
        sa.Column("field_key", code(40), nullable=False),
        sa.Column("text_value", code(200), nullable=True),
        sa.Column("integer_value", sa.BigInteger(), nullable=True),
        sa.Column("decimal_value", ExactDecimal(18, 6), nullable=True),
        sa.Column("date_value", sa.Date(), nullable=True),
        sa.PrimaryKeyConstraint(
            "tenant_id", "record_type", "record_id", "field_key", name=f"pk_{VALUE}"
        ),
        **OPTIONS,
    )
    for value in ("text_value", "integer_value", "decimal_value", "date_value"):
        op.create_index(
            f"ix_{VALUE}_{value}",
            VALUE,
            ["tenant_id", "record_type", "field_key", value, "record_id"],
        )

    op.create_table(
        OBJECT,
        sa.Column("tenant_id", code(64), nullable=False),
        sa.Column("id", code(32), nullable=False),
        sa.Column("object_type", code(40), nullable=False),
        sa.Column("name", code(200), nullable=False),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("updated_at", UtcDateTime(), nullable=False),
        sa.Column("custom", sa.Text(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=f"pk_{OBJECT}"),
        **OPTIONS,
    )
    for field in ("object_type", "name", "created_at"):
        op.create_index(f"ix_{OBJECT}_{field}", OBJECT, ["tenant_id", field, "id"])


def downgrade() -> None:
    op.drop_table(OBJECT)
    op.drop_table(VALUE)
    op.drop_table(DEFINITION)
