"""Workflow rules (工作流) and business processes (业务流程管理): rules, their firings and
calls out, process definitions and instances (declared record types).

Revision ID: 0012_workflows
Revises: 0011_approvals
Create Date: 2026-11-27
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from alembic import op

from crmkit.adapters.sql.types import UtcDateTime, code

revision = "0012_workflows"
down_revision = "0011_approvals"
branch_labels = None
depends_on = None

OPTIONS: dict[str, Any] = {"mysql_engine": "InnoDB", "mysql_charset": "utf8mb4"}
INDEXED: dict[str, tuple[str, ...]] = {
    "crmkit_workflow_rule": ("event",),
    "crmkit_workflow_firing": ("rule_id", "position", "record_key"),
    "crmkit_workflow_call": ("status",),
    "crmkit_process_definition": ("code",),
    "crmkit_process_instance": ("process_code", "record_id", "stage", "status"),
}
"""Each table's indexed fields: index ix_<table>_<field> on (tenant_id, field, id)."""


def upgrade() -> None:
    op.create_table(
        "crmkit_workflow_rule",
        sa.Column("tenant_id", code(64), nullable=False),
        sa.Column("id", code(32), nullable=False),
        sa.Column("name", code(200), nullable=False),
        sa.Column("event", code(64), nullable=False),
        sa.Column("subject_type", code(64), nullable=True),
        sa.Column("subject_key", code(64), nullable=True),
        sa.Column("condition", code(4000), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("actions", sa.Text(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("tenant_id", "id", name="pk_crmkit_workflow_rule"),
        sa.UniqueConstraint("tenant_id", "name", name="uq_crmkit_workflow_rule_name"),
        **OPTIONS,
    )
    op.create_table(
        "crmkit_workflow_firing",
        sa.Column("tenant_id", code(64), nullable=False),
        sa.Column("id", code(80), nullable=False),
        sa.Column("rule_id", code(32), nullable=False),
        sa.Column("position", sa.BigInteger(), nullable=False),
        sa.Column("event", code(64), nullable=False),
        sa.Column("record_key", code(64), nullable=True),
        sa.Column("fired_at", UtcDateTime(), nullable=False),
        sa.Column("outcome", code(300), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("tenant_id", "id", name="pk_crmkit_workflow_firing"),
        **OPTIONS,
    )
    op.create_table(
        "crmkit_workflow_call",
        sa.Column("tenant_id", code(64), nullable=False),
        sa.Column("id", code(80), nullable=False),
        sa.Column("rule_id", code(32), nullable=False),
        sa.Column("channel", code(64), nullable=False),
        sa.Column("message", code(500), nullable=False),
        sa.Column("record_key", code(64), nullable=True),
        sa.Column("status", code(16), nullable=False),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("sent_at", UtcDateTime(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("tenant_id", "id", name="pk_crmkit_workflow_call"),
        **OPTIONS,
    )
    op.create_table(
        "crmkit_process_definition",
        sa.Column("tenant_id", code(64), nullable=False),
        sa.Column("id", code(32), nullable=False),
        sa.Column("code", code(32), nullable=False),
        sa.Column("name", code(200), nullable=False),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("stages", sa.Text(), nullable=False),
        sa.Column("transitions", sa.Text(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("tenant_id", "id", name="pk_crmkit_process_definition"),
        sa.UniqueConstraint("tenant_id", "code", name="uq_crmkit_process_definition_code"),
        **OPTIONS,
    )
    op.create_table(
        "crmkit_process_instance",
        sa.Column("tenant_id", code(64), nullable=False),
        sa.Column("id", code(32), nullable=False),
        sa.Column("process_code", code(32), nullable=False),
        sa.Column("record_id", code(64), nullable=False),
        sa.Column("stage", code(32), nullable=False),
        sa.Column("status", code(16), nullable=False),
        sa.Column("started_at", UtcDateTime(), nullable=False),
        sa.Column("stage_entered_at", UtcDateTime(), nullable=False),
        sa.Column("tasks", sa.Text(), nullable=False),
        sa.Column("history", sa.Text(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("tenant_id", "id", name="pk_crmkit_process_instance"),
        **OPTIONS,
    )
    for table, fields in INDEXED.items():
        for field in fields:
            op.create_index(f"ix_{table}_{field}", table, ["tenant_id", field, "id"])


def downgrade() -> None:
    for table in reversed(INDEXED):
        op.drop_table(table)
