"""Request results of any length: a keyed order command keeps the order it returned.

Revision ID: 0009_request_results
Revises: 0008_field_work
Create Date: 2026-11-27
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from crmkit.adapters.sql.migrate import translated_schema
from crmkit.adapters.sql.tables.pricing import long_text

revision = "0009_request_results"
down_revision = "0008_field_work"
branch_labels = None
depends_on = None

TABLE = "crmkit_processed_request"


def upgrade() -> None:
    # ALTER TABLE is not compiled through a schema_translate_map: name the schema explicitly.
    with op.batch_alter_table(TABLE, schema=translated_schema(op.get_bind())) as batch:
        batch.alter_column(
            "result", existing_type=sa.Text(), type_=long_text(), existing_nullable=False
        )


def downgrade() -> None:
    with op.batch_alter_table(TABLE, schema=translated_schema(op.get_bind())) as batch:
        batch.alter_column(
            "result", existing_type=long_text(), type_=sa.Text(), existing_nullable=False
        )
