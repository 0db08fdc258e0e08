"""Field work and service: visit action templates, visits, shelf checks, business
calendars and work orders (declared record types).

Revision ID: 0008_field_work
Revises: 0007_front_office
Create Date: 2026-11-27
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from alembic import op

from crmkit.adapters.sql.types import ExactDecimal, UtcDateTime, code

revision = "0008_field_work"
down_revision = "0007_front_office"
branch_labels = None
depends_on = None

OPTIONS: dict[str, Any] = {"mysql_engine": "InnoDB", "mysql_charset": "utf8mb4"}
INDEXED: dict[str, tuple[str, ...]] = {
    "crmkit_visit_action_template": ("visit_type", "version_no"),
    "crmkit_visit": ("customer_id", "rep_id", "visit_type", "planned_at", "status"),
    "crmkit_shelf_check": ("customer_id", "visit_id", "checked_at"),
    "crmkit_business_calendar": ("code",),
    "crmkit_work_order": (
        "number",
        "request_key",
        "customer_id",
        "kind",
        "priority",
        "status",
        "assignee_id",
        "response_due",
        "resolution_due",
    ),
}
"""Each table's indexed fields: index ix_<table>_<field> on (tenant_id, field, id)."""


def upgrade() -> None:
    op.create_table(
        "crmkit_visit_action_template",
        sa.Column("tenant_id", code(64), nullable=False),
        sa.Column("id", code(32), nullable=False),
        sa.Column("visit_type", code(32), nullable=False),
        sa.Column("version_no", sa.BigInteger(), nullable=False),
        sa.Column("name", code(200), nullable=False),
        sa.Column("grace_minutes", sa.BigInteger(), nullable=False),
        sa.Column("radius_metres", sa.BigInteger(), nullable=True),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("steps", sa.Text(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("tenant_id", "id", name="pk_crmkit_visit_action_template"),
        sa.UniqueConstraint(
            "tenant_id",
            "visit_type",
            "version_no",
            name="uq_crmkit_visit_action_template_visit_type_version_no",
        ),
        **OPTIONS,
    )
    op.create_table(
        "crmkit_visit",
        sa.Column("tenant_id", code(64), nullable=False),
        sa.Column("id", code(32), nullable=False),
        sa.Column("customer_id", code(32), nullable=False),
        sa.Column("rep_id", code(32), nullable=False),
        sa.Column("visit_type", code(32), nullable=False),
        sa.Column("template_id", code(32), nullable=False),
        sa.Column("template_version", sa.BigInteger(), nullable=False),
        sa.Column("planned_at", UtcDateTime(), nullable=False),
        sa.Column("status", code(16), nullable=False),
        sa.Column("checked_in_at", UtcDateTime(), nullable=True),
        sa.Column("latitude", ExactDecimal(9, 6), nullable=True),
        sa.Column("longitude", ExactDecimal(10, 6), nullable=True),
        sa.Column("distance_metres", sa.BigInteger(), nullable=True),
        sa.Column("checked_out_at", UtcDateTime(), nullable=True),
        sa.Column("cancel_reason", code(200), nullable=True),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("entries", sa.Text(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("tenant_id", "id", name="pk_crmkit_visit"),
        **OPTIONS,
    )
    op.create_table(
        "crmkit_shelf_check",
        sa.Column("tenant_id", code(64), nullable=False),
        sa.Column("id", code(32), nullable=False),
        sa.Column("customer_id", code(32), nullable=False),
        sa.Column("visit_id", code(32), nullable=False),
        sa.Column("checked_at", UtcDateTime(), nullable=False),
        sa.Column("lines", sa.Text(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("tenant_id", "id", name="pk_crmkit_shelf_check"),
        **OPTIONS,
    )
    op.create_table(
        "crmkit_business_calendar",
        sa.Column("tenant_id", code(64), nullable=False),
        sa.Column("id", code(32), nullable=False),
        sa.Column("code", code(32), nullable=False),
        sa.Column("time_zone", code(64), nullable=False),
        sa.Column("day_start", sa.BigInteger(), nullable=False),
        sa.Column("day_end", sa.BigInteger(), nullable=False),
        sa.Column("reopen_days", sa.BigInteger(), nullable=False),
        sa.Column("holidays", sa.Text(), nullable=False),
        sa.Column("extra_working_days", sa.Text(), nullable=False),
        sa.Column("targets", sa.Text(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("tenant_id", "id", name="pk_crmkit_business_calendar"),
        sa.UniqueConstraint("tenant_id", "code", name="uq_crmkit_business_calendar_code"),
        **OPTIONS,
    )
    op.create_table(
        "crmkit_work_order",
        sa.Column("tenant_id", code(64), nullable=False),
        sa.Column("id", code(32), nullable=False),
        sa.Column("number", code(32), nullable=False),
        sa.Column("request_key", code(128), nullable=False),
        sa.Column("customer_id", code(32), nullable=False),
        sa.Column("contact_id", code(32), nullable=True),
        sa.Column("product_id", code(32), nullable=True),
        sa.Column("order_ref", code(64), nullable=True),
        sa.Column("kind", code(32), nullable=False),
        sa.Column("priority", code(16), nullable=False),
        sa.Column("title", code(200), nullable=False),
        sa.Column("status", code(16), nullable=False),
        sa.Column("assignee_id", code(32), nullable=True),
        sa.Column("calendar_code", code(32), nullable=False),
        sa.Column("response_due", UtcDateTime(), nullable=False),
        sa.Column("resolution_due", UtcDateTime(), nullable=False),
        sa.Column("responded_at", UtcDateTime(), nullable=True),
        sa.Column("resolved_at", UtcDateTime(), nullable=True),
        sa.Column("closed_at", UtcDateTime(), nullable=True),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("assignments", sa.Text(), nullable=False),
        sa.Column("comments", sa.Text(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("tenant_id", "id", name="pk_crmkit_work_order"),
        sa.UniqueConstraint("tenant_id", "number", name="uq_crmkit_work_order_number"),
        **OPTIONS,
    )
    for table, fields in INDEXED.items():
        for field in fields:
            op.create_index(f"ix_{table}_{field}", table, ["tenant_id", field, "id"])


def downgrade() -> None:
    for table in reversed(INDEXED):
        op.drop_table(table)
