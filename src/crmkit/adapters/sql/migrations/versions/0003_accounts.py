"""Customer accounts: accounts, rebate grants, holds, journal entries, deduction policies.

Revision ID: 0003_accounts
Revises: 0001_foundation
Create Date: 2026-11-26
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from crmkit.adapters.sql.migrate import create_index, create_table
from crmkit.adapters.sql.tables import columns as col

revision = "0003_accounts"
down_revision = "0002_pricing"
branch_labels = None
depends_on = None

FUNDS = ("prepayment", "rebate", "credit")


def upgrade() -> None:
    create_table(
        "crmkit_customer_account",
        *col.identity("crmkit_customer_account"),
        *col.codes(customer_id=64, currency=3),
        *col.amounts(*(f"{fund}_{part}" for fund in FUNDS for part in ("balance", "held"))),
        *col.amounts("credit_limit"),
        sa.Column("last_seq", sa.Integer(), nullable=False),
        *col.stamped("created_at", "updated_at"),
        sa.UniqueConstraint(
            "tenant_id",
            "customer_id",
            "currency",
            name="uq_crmkit_customer_account_tenant_id_customer_id_currency",
        ),
    )
    create_table(
        "crmkit_rebate_grant",
        *col.identity("crmkit_rebate_grant"),
        *col.codes(account_id=32),
        *col.amounts("granted", "balance", "held"),
        *col.times("expires_at", nullable=True),
        *col.texts("products", "categories"),
        *col.stamped("created_at"),
    )
    create_index("crmkit_rebate_grant", "tenant_id", "account_id", "id")
    create_table(
        "crmkit_account_hold",
        *col.identity("crmkit_account_hold"),
        *col.codes(account_id=32, order_id=64, fund=16),
        *col.amounts("amount", "posted", "voided", "refunded"),
        *col.texts("shares"),
        *col.codes(status=16),
        *col.times("expires_at", nullable=True),
        *col.stamped("created_at", "updated_at"),
    )
    create_index("crmkit_account_hold", "tenant_id", "account_id", "order_id", "id")
    create_index("crmkit_account_hold", "tenant_id", "status", "expires_at")
    seq = sa.Column("seq", sa.Integer(), autoincrement=False, nullable=False)
    create_table(
        "crmkit_journal_entry",
        *col.identity("crmkit_journal_entry", *col.codes(account_id=32), seq),
        *col.codes(key=128, kind=32, fund=16),
        *col.amounts("balance_delta", "held_delta", "balance_after", "held_after"),
        *col.codes(nullable=True, grant_id=32, hold_id=32, order_id=64),
        *col.stamped("created_at"),
    )
    create_index("crmkit_journal_entry", "tenant_id", "account_id", "fund", "seq")
    create_index("crmkit_journal_entry", "tenant_id", "account_id", "created_at")
    create_table(
        "crmkit_deduction_policy",
        *col.identity("crmkit_deduction_policy", "scope"),
        *col.texts("document"),
        *col.stamped("updated_at"),
    )


def downgrade() -> None:
    op.drop_table("crmkit_deduction_policy")
    op.drop_table("crmkit_journal_entry")
    op.drop_table("crmkit_account_hold")
    op.drop_table("crmkit_rebate_grant")
    op.drop_table("crmkit_customer_account")
