"""Declared record types: custom field definitions, custom values and custom objects.

Revision ID: 0005_records
Revises: 0004_inventory
Create Date: 2026-11-27
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from crmkit.adapters.sql.migrate import create_record_tables, create_table, drop_record_tables
from crmkit.adapters.sql.tables import columns as col
from crmkit.adapters.sql.types import ExactDecimal
from crmkit.domain.custom_fields import CUSTOM_FIELD_DEFINITIONS
from crmkit.domain.custom_objects import CUSTOM_OBJECTS

revision = "0005_records"
down_revision = "0004_inventory"
branch_labels = None
depends_on = None

VALUE = "crmkit_custom_value"


def upgrade() -> None:
    create_record_tables(CUSTOM_FIELD_DEFINITIONS)
    create_table(
        VALUE,
        *col.identity(VALUE, *col.codes(record_type=64, record_id=128, field_key=40)),
        *col.codes(nullable=True, text_value=200),
        sa.Column("integer_value", sa.BigInteger(), nullable=True),
        sa.Column("decimal_value", ExactDecimal(18, 6), nullable=True),
        sa.Column("date_value", sa.Date(), nullable=True),
    )
    for value in ("text_value", "integer_value", "decimal_value", "date_value"):
        op.create_index(
            f"ix_{VALUE}_{value}",
            VALUE,
            ["tenant_id", "record_type", "field_key", value, "record_id"],
        )

    create_record_tables(CUSTOM_OBJECTS)


def downgrade() -> None:
    drop_record_tables(CUSTOM_OBJECTS)
    op.drop_table(VALUE)
    drop_record_tables(CUSTOM_FIELD_DEFINITIONS)
