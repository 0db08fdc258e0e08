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
from crmkit.adapters.sql.tables import columns as col

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
        *col.identity("crmkit_workflow_rule"),
        *col.codes(name=200, event=64),
        *col.codes(nullable=True, subject_type=64, subject_key=64, condition=4000),
        *col.flags("active"),
        *col.times("created_at"),
        *col.texts("actions"),
        *col.stamped(),
        sa.UniqueConstraint("tenant_id", "name", name="uq_crmkit_workflow_rule_name"),
    )
    create_table(
        "crmkit_workflow_firing",
        *col.identity("crmkit_workflow_firing", *col.codes(id=80)),
        *col.codes(rule_id=32),
        sa.Column("position", sa.BigInteger(), nullable=False),
        *col.codes(event=64),
        *col.codes(nullable=True, record_key=64),
        *col.times("fired_at"),
        *col.codes(outcome=300),
        *col.stamped(),
    )
    create_table(
        "crmkit_workflow_call",
        *col.identity("crmkit_workflow_call", *col.codes(id=80)),
        *col.codes(rule_id=32, channel=64, message=500),
        *col.codes(nullable=True, record_key=64),
        *col.codes(status=16),
        *col.times("created_at"),
        *col.times("sent_at", nullable=True),
        *col.stamped(),
    )
    create_table(
        "crmkit_process_definition",
        *col.identity("crmkit_process_definition"),
        *col.codes(code=32, name=200),
        *col.times("created_at"),
        *col.texts("stages", "transitions"),
        *col.stamped(),
        sa.UniqueConstraint("tenant_id", "code", name="uq_crmkit_process_definition_code"),
    )
    create_table(
        "crmkit_process_instance",
        *col.identity("crmkit_process_instance"),
        *col.codes(process_code=32, record_id=64, stage=32, status=16),
        *col.times("started_at", "stage_entered_at"),
        *col.texts("tasks", "history"),
        *col.stamped(),
    )
    for table, fields in INDEXED.items():
        create_field_indexes(table, *fields)


def downgrade() -> None:
    for table in reversed(INDEXED):
        op.drop_table(table)
