"""Time rules of workflows: a rule's date field and offset in days.

Revision ID: 0014_time_rules
Revises: 0013_account_totals
Create Date: 2026-11-27
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from crmkit.adapters.sql.migrate import translated_schema
from crmkit.adapters.sql.types import code

revision = "0014_time_rules"
down_revision = "0013_account_totals"
branch_labels = None
depends_on = None

RULE = "crmkit_workflow_rule"


def upgrade() -> None:
    # ALTER TABLE is not compiled through a schema_translate_map: name the schema explicitly.
    schema = translated_schema(op.get_bind())
    op.add_column(RULE, sa.Column("date_field", code(64), nullable=True), schema=schema)
    op.add_column(RULE, sa.Column("offset_days", sa.BigInteger(), nullable=True), schema=schema)


def downgrade() -> None:
    schema = translated_schema(op.get_bind())
    op.drop_column(RULE, "offset_days", schema=schema)
    op.drop_column(RULE, "date_field", schema=schema)
