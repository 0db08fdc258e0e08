"""Customer accounts: accounts, rebate grants, holds, journal entries, deduction policies.

Revision ID: 0003_accounts
Revises: 0001_foundation
Create Date: 2026-11-26
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from alembic import op

from crmkit.adapters.sql.types import ExactDecimal, UtcDateTime, code

revision = "0003_accounts"
down_revision = "0002_pricing"
branch_labels = None
depends_on = None

OPTIONS: dict[str, Any] = {"mysql_engine": "InnoDB", "mysql_charset": "utf8mb4"}


def _amount(name: str) -> sa.Column[object]:
    return sa.Column(name, ExactDecimal(18, 4), nullable=False)


def upgrade() -> None:
    op.create_table(
        "crmkit_customer_account",
        sa.Column("tenant_id", code(64), nullable=False),
        sa.Column("id", code(32), nullable=False),
        sa.Column("customer_id", code(64), nullable=False),
        sa.Column("currency", code(3), nullable=False),
        _amount("prepayment_balance"),
        _amount("prepayment_held"),
        _amount("rebate_balance"),
        _amount("rebate_held"),
        _amount("credit_balance"),
        _amount("credit_held"),
        _amount("credit_limit"),
        sa.Column("last_seq", sa.Integer(), nullable=False),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("updated_at", UtcDateTime(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("tenant_id", "id", name="pk_crmkit_customer_account"),
        sa.UniqueConstraint(
            "tenant_id",
            "customer_id",
            "currency",
            name="uq_crmkit_customer_account_tenant_id_customer_id_currency",
        ),
        **OPTIONS,
    )
    op.create_table(
        "crmkit_rebate_grant",
        sa.Column("tenant_id", code(64), nullable=False),
        sa.Column("id", code(32), nullable=False),
        sa.Column("account_id", code(32), nullable=False),
        _amount("granted"),
        _amount("balance"),
        _amount("held"),
        sa.Column("expires_at", UtcDateTime(), nullable=True),
        sa.Column("products", sa.Text(), nullable=False),
        sa.Column("categories", sa.Text(), nullable=False),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("tenant_id", "id", name="pk_crmkit_rebate_grant"),
        **OPTIONS,
    )
    op.create_index(
        "ix_crmkit_rebate_grant_tenant_id_account_id_id",
        "crmkit_rebate_grant",
        ["tenant_id", "account_id", "id"],
    )
    op.create_table(
        "crmkit_account_hold",
        sa.Column("tenant_id", code(64), nullable=False),
        sa.Column("id", code(32), nullable=False),
        sa.Column("account_id", code(32), nullable=False),
        sa.Column("order_id", code(64), nullable=False),
        sa.Column("fund", code(16), nullable=False),
        _amount("amount"),
        _amount("posted"),
        _amount("voided"),
        _amount("refunded"),
        sa.Column("shares", sa.Text(), nullable=False),
        sa.Column("status", code(16), nullable=False),
        sa.Column("expires_at", UtcDateTime(), nullable=True),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("updated_at", UtcDateTime(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("tenant_id", "id", name="pk_crmkit_account_hold"),
        **OPTIONS,
    )
    op.create_index(
        "ix_crmkit_account_hold_tenant_id_account_id_order_id_id",
        "crmkit_account_hold",
        ["tenant_id", "account_id", "order_id", "id"],
    )
    op.create_index(
        "ix_crmkit_account_hold_tenant_id_status_expires_at",
        "crmkit_account_hold",
        ["tenant_id", "status", "expires_at"],
    )
    op.create_table(
        "crmkit_journal_entry",
        sa.Column("tenant_id", code(64), nullable=False),
        sa.Column("account_id", code(32), nullable=False),
        sa.Column("seq", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("key", code(128), nullable=False),
        sa.Column("kind", code(32), nullable=False),
        sa.Column("fund", code(16), nullable=False),
        _amount("balance_delta"),
        _amount("held_delta"),
        _amount("balance_after"),
        _amount("held_after"),
        sa.Column("grant_id", code(32), nullable=True),
        sa.Column("hold_id", code(32), nullable=True),
        sa.Column("order_id", code(64), nullable=True),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("tenant_id", "account_id", "seq", name="pk_crmkit_journal_entry"),
        **OPTIONS,
    )
    op.create_index(
        "ix_crmkit_journal_entry_tenant_id_account_id_fund_seq",
        "crmkit_journal_entry",
        ["tenant_id", "account_id", "fund", "seq"],
    )
    op.create_index(
        "ix_crmkit_journal_entry_tenant_id_account_id_created_at",
        "crmkit_journal_entry",
        ["tenant_id", "account_id", "created_at"],
    )
    op.create_table(
        "crmkit_deduction_policy",
        sa.Column("tenant_id", code(64), nullable=False),
        sa.Column("scope", code(32), nullable=False),
        sa.Column("document", sa.Text(), nullable=False),
        sa.Column("updated_at", UtcDateTime(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("tenant_id", "scope", name="pk_crmkit_deduction_policy"),
        **OPTIONS,
    )


def downgrade() -> None:
    op.drop_table("crmkit_deduction_policy")
    op.drop_table("crmkit_journal_entry")
    op.drop_table("crmkit_account_hold")
    op.drop_table("crmkit_rebate_grant")
    op.drop_table("crmkit_customer_account")
