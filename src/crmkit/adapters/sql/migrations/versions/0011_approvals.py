"""Approval flows (审批流): flows, instances with their audit trail, delegations.

Revision ID: 0011_approvals
Revises: 0010_receivables
Create Date: 2026-11-27
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from alembic import op

from crmkit.adapters.sql.types import UtcDateTime, code

revision = "0011_approvals"
down_revision = "0010_receivables"
branch_labels = None
depends_on = None

OPTIONS: dict[str, Any] = {"mysql_engine": "InnoDB", "mysql_charset": "utf8mb4"}
FLOW = "crmkit_approval_flow"
INSTANCE = "crmkit_approval_instance"
DELEGATION = "crmkit_approval_delegation"


def upgrade() -> None:
    op.create_table(
        FLOW,
        sa.Column("tenant_id", code(64), nullable=False),
        sa.Column("id", code(32), nullable=False),
        sa.Column("code", code(32), nullable=False),
        sa.Column("name", code(200), nullable=False),
        sa.Column("record_type", code(32), nullable=False),
        sa.Column("action", code(32), nullable=False),
        sa.Column("condition_json", code(4000), nullable=False),
        sa.Column("priority", sa.BigInteger(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("updated_at", UtcDateTime(), nullable=False),
        sa.Column("steps", sa.Text(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=f"pk_{FLOW}"),
        sa.UniqueConstraint("tenant_id", "code", name=f"uq_{FLOW}_code"),
        **OPTIONS,
    )
    for field in ("code", "record_type", "action", "active"):
        op.create_index(f"ix_{FLOW}_{field}", FLOW, ["tenant_id", field, "id"])
    op.create_table(
        INSTANCE,
        sa.Column("tenant_id", code(64), nullable=False),
        sa.Column("id", code(32), nullable=False),
        sa.Column("flow_id", code(32), nullable=False),
        sa.Column("flow_code", code(32), nullable=False),
        sa.Column("record_type", code(32), nullable=False),
        sa.Column("action", code(32), nullable=False),
        sa.Column("subject_id", code(32), nullable=False),
        sa.Column("subject_label", code(64), nullable=False),
        sa.Column("submitted_by", code(32), nullable=True),
        sa.Column("status", code(16), nullable=False),
        sa.Column("step_no", sa.BigInteger(), nullable=False),
        sa.Column("due_at", UtcDateTime(), nullable=True),
        sa.Column("escalated", sa.Boolean(), nullable=False),
        sa.Column("reason", code(500), nullable=True),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("updated_at", UtcDateTime(), nullable=False),
        sa.Column("steps", sa.Text(), nullable=False),
        sa.Column("approvers", sa.Text(), nullable=False),
        sa.Column("approved_by", sa.Text(), nullable=False),
        sa.Column("history", sa.Text(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=f"pk_{INSTANCE}"),
        **OPTIONS,
    )
    indexed = ("flow_id", "record_type", "subject_id", "submitted_by", "status", "due_at",
               "created_at")  # fmt: skip
    for field in indexed:
        op.create_index(f"ix_{INSTANCE}_{field}", INSTANCE, ["tenant_id", field, "id"])
    op.create_table(
        DELEGATION,
        sa.Column("tenant_id", code(64), nullable=False),
        sa.Column("id", code(32), nullable=False),
        sa.Column("user_id", code(32), nullable=False),
        sa.Column("delegate_id", code(32), nullable=False),
        sa.Column("starts_at", UtcDateTime(), nullable=False),
        sa.Column("ends_at", UtcDateTime(), nullable=False),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=f"pk_{DELEGATION}"),
        **OPTIONS,
    )
    for field in ("user_id", "delegate_id", "ends_at"):
        op.create_index(f"ix_{DELEGATION}_{field}", DELEGATION, ["tenant_id", field, "id"])


def downgrade() -> None:
    op.drop_table(DELEGATION)
    op.drop_table(INSTANCE)
    op.drop_table(FLOW)
