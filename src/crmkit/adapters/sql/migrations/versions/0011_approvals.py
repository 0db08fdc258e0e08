"""Approval flows (审批流): flows, instances with their audit trail, delegations.

Revision ID: 0011_approvals
Revises: 0010_receivables
Create Date: 2026-11-27
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from crmkit.adapters.sql.migrate import create_field_indexes, create_table
from crmkit.adapters.sql.tables import columns as col

revision = "0011_approvals"
down_revision = "0010_receivables"
branch_labels = None
depends_on = None

FLOW = "crmkit_approval_flow"
INSTANCE = "crmkit_approval_instance"
DELEGATION = "crmkit_approval_delegation"


def upgrade() -> None:
    create_table(
        FLOW,
        *col.identity(FLOW),
        *col.codes(code=32, name=200, record_type=32, action=32, condition_json=4000),
        sa.Column("priority", sa.BigInteger(), nullable=False),
        *col.flags("active"),
        *col.times("created_at", "updated_at"),
        *col.texts("steps"),
        *col.stamped(),
        sa.UniqueConstraint("tenant_id", "code", name=f"uq_{FLOW}_code"),
    )
    create_field_indexes(FLOW, "code", "record_type", "action", "active")
    create_table(
        INSTANCE,
        *col.identity(INSTANCE),
        *col.codes(flow_id=32, flow_code=32, record_type=32, action=32, subject_id=32),
        *col.codes(subject_label=64),
        *col.codes(nullable=True, submitted_by=32),
        *col.codes(status=16),
        sa.Column("step_no", sa.BigInteger(), nullable=False),
        *col.times("due_at", nullable=True),
        *col.flags("escalated"),
        *col.codes(nullable=True, reason=500),
        *col.times("created_at", "updated_at"),
        *col.texts("steps", "approvers", "approved_by", "history"),
        *col.stamped(),
    )
    create_field_indexes(
        INSTANCE, "flow_id", "record_type", "subject_id", "submitted_by", "status", "due_at",
        "created_at",
    )  # fmt: skip
    create_table(
        DELEGATION,
        *col.identity(DELEGATION),
        *col.codes(user_id=32, delegate_id=32),
        *col.times("starts_at", "ends_at"),
        *col.stamped("created_at"),
    )
    create_field_indexes(DELEGATION, "user_id", "delegate_id", "ends_at")


def downgrade() -> None:
    op.drop_table(DELEGATION)
    op.drop_table(INSTANCE)
    op.drop_table(FLOW)
