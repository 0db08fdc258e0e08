"""Request results of any length: a keyed order command keeps the order it returned.

Revision ID: 0007_request_results
Revises: 0006_orders
Create Date: 2026-11-27
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from crmkit.adapters.sql.tables.pricing import long_text

revision = "0007_request_results"
down_revision = "0006_orders"
branch_labels = None
depends_on = None

TABLE = "crmkit_processed_request"


def upgrade() -> None:
    with op.batch_alter_table(TABLE) as batch:
        batch.alter_column(
            "result", existing_type=sa.Text(), type_=long_text(), existing_nullable=False
        )


def downgrade() -> None:
    with op.batch_alter_table(TABLE) as batch:
        batch.alter_column(
            "result", existing_type=long_text(), type_=sa.Text(), existing_nullable=False
        )
