"""An account's due holds by index: (tenant, account, status, expiry) on the holds, so that
reading an account's pending holds whose expiry has passed reads only those.

Revision ID: 0015_hold_due
Revises: 0014_time_rules
Create Date: 2026-11-27
"""

from __future__ import annotations

from alembic import op

revision = "0015_hold_due"
down_revision = "0014_time_rules"
branch_labels = None
depends_on = None

HOLD = "crmkit_account_hold"
INDEX = "ix_crmkit_account_hold_account_due"


def upgrade() -> None:
    op.create_index(INDEX, HOLD, ["tenant_id", "account_id", "status", "expires_at"])


def downgrade() -> None:
    op.drop_index(INDEX, HOLD)
