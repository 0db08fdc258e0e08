"""Flat account reads: what each fund's holds posted, kept on the account row (backfilled
from the holds), and journal indexes by time for a statement's opening balance and page.

Revision ID: 0013_account_totals
Revises: 0012_workflows
Create Date: 2026-11-27
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from crmkit.adapters.sql.migrate import translated_schema
from crmkit.adapters.sql.types import ExactDecimal

revision = "0013_account_totals"
down_revision = "0012_workflows"
branch_labels = None
depends_on = None

ACCOUNT = "crmkit_customer_account"
HOLD = "crmkit_account_hold"
JOURNAL = "crmkit_journal_entry"
FUNDS = ("prepayment", "rebate", "credit")
OLD_INDEX = "ix_crmkit_journal_entry_tenant_id_account_id_created_at"
INDEXES = {
    "ix_crmkit_journal_entry_time_seq": ["tenant_id", "account_id", "created_at", "seq"],
    "ix_crmkit_journal_entry_fund_time_seq": [
        "tenant_id",
        "account_id",
        "fund",
        "created_at",
        "seq",
    ],
}


def upgrade() -> None:
    # ALTER TABLE is not compiled through a schema_translate_map: name the schema explicitly.
    schema = translated_schema(op.get_bind())
    for fund in FUNDS:
        op.add_column(
            ACCOUNT,
            sa.Column(f"{fund}_posted", ExactDecimal(18, 4), nullable=False, server_default="0"),
            schema=schema,
        )
    account = sa.table(
        ACCOUNT,
        *(sa.column(f"{fund}_posted") for fund in FUNDS),
        sa.column("tenant_id"),
        sa.column("id"),
        schema=schema,
    )
    hold = sa.table(
        HOLD,
        sa.column("tenant_id"),
        sa.column("account_id"),
        sa.column("fund"),
        sa.column("posted"),
        sa.column("refunded"),
        schema=schema,
    )
    for fund in FUNDS:
        total = (
            sa.select(sa.func.coalesce(sa.func.sum(hold.c.posted - hold.c.refunded), 0))
            .where(
                hold.c.tenant_id == account.c.tenant_id,
                hold.c.account_id == account.c.id,
                hold.c.fund == fund,
            )
            .scalar_subquery()
        )
        op.execute(account.update().values({f"{fund}_posted": total}))
    for name, columns in INDEXES.items():
        op.create_index(name, JOURNAL, columns)
    op.drop_index(OLD_INDEX, JOURNAL)  # its columns lead the index by time and seq


def downgrade() -> None:
    op.create_index(OLD_INDEX, JOURNAL, ["tenant_id", "account_id", "created_at"])
    for name in INDEXES:
        op.drop_index(name, JOURNAL)
    with op.batch_alter_table(ACCOUNT, schema=translated_schema(op.get_bind())) as batch:
        for fund in FUNDS:
            batch.drop_column(f"{fund}_posted")
