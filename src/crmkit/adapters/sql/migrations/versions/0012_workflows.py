"""Workflow rules (工作流) and business processes (业务流程管理): rules, their firings and
calls out, process definitions and instances (declared record types).

Revision ID: 0012_workflows
Revises: 0011_approvals
Create Date: 2026-11-27
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from crmkit.adapters.sql.migrate import create_field_indexes, create_table
from crmkit.adapters.sql.tables.columns import codes, flags, identity, stamped, texts, times

revision = "0012_workflows"
down_revision = "0011_approvals"
branch_labels = None
depends_on = None

INDEXED: dict[str, tuple[str, ...]] = {
    "crmkit_workflow_rule": ("event",),
    "crmkit_workflow_firing": ("rule_id", "position", "record_key"),
    "crmkit_workflow_call": ("status",),
    "crmkit_process_definition": ("code",),
    "crmkit_process_instance": ("process_code", "record_id", "stage", "status"),
}
"""Each table's indexed fields: index ix_<table>_<field> on (tenant_id, field, id)."""


def upgrade() -> None:
    create_table(
        "crmkit_workflow_rule",
        *identity("crmkit_workflow_rule"),
        *codes(name=200, event=64),
        *codes(nullable=True, subject_type=64, subject_key=64, condition=4000),
        *flags("active"),
        *times("created_at"),
        *texts("actions"),
        *stamped(),
        sa.UniqueConstraint("tenant_id", "name", name="uq_crmkit_workflow_rule_name"),
    )
    create_table(
        "crmkit_workflow_firing",
        *identity("crmkit_workflow_firing", *codes(id=80)),
        *codes(rule_id=32),
        sa.Column("position", sa.BigInteger(), nullable=False),
        *codes(event=64),
        *codes(nullable=True, record_key=64),
        *times("fired_at"),
        *codes(outcome=300),
        *stamped(),
    )
    create_table(
        "crmkit_workflow_call",
        *identity("crmkit_workflow_call", *codes(id=80)),
        *codes(rule_id=32, channel=64, message=500),
        *codes(nullable=True, record_key=64),
        *codes(status=16),
        *times("created_at"),
        *times("sent_at", nullable=True),
        *stamped(),
    )
    create_table(
        "crmkit_process_definition",
        *identity("crmkit_process_definition"),
        *codes(code=32, name=200),
        *times("created_at"),
        *texts("stages", "transitions"),
        *stamped(),
        sa.UniqueConstraint("tenant_id", "code", name="uq_crmkit_process_definition_code"),
    )
    create_table(
        "crmkit_process_instance",
        *identity("crmkit_process_instance"),
        *codes(process_code=32, record_id=64, stage=32, status=16),
        *times("started_at", "stage_entered_at"),
        *texts("tasks", "history"),
        *stamped(),
    )
    for table, fields in INDEXED.items():
        create_field_indexes(table, *fields)


def downgrade() -> None:
    for table in reversed(INDEXED):
        op.drop_table(table)
