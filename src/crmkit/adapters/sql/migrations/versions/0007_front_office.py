"""The sales front office: users, teams, tasks, pools, customers, contacts, leads,
follow-ups, sales processes and opportunities (declared record types).

Revision ID: 0007_front_office
Revises: 0006_orders
Create Date: 2026-11-27
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from alembic import op

from crmkit.adapters.sql.types import ExactDecimal, UtcDateTime, code

revision = "0007_front_office"
down_revision = "0006_orders"
branch_labels = None
depends_on = None

OPTIONS: dict[str, Any] = {"mysql_engine": "InnoDB", "mysql_charset": "utf8mb4"}
INDEXED: dict[str, tuple[str, ...]] = {
    "crmkit_user": ("login", "name", "role", "team_id", "manager_id", "region", "active"),
    "crmkit_team": ("code", "name", "leader_id"),
    "crmkit_task": ("title", "assignee_id", "due_at", "status", "subject_type", "subject_id"),
    "crmkit_pool": ("code", "name", "kind", "region", "industry", "active"),
    "crmkit_pool_seat": ("pool_id", "user_id"),
    "crmkit_pool_event": ("pool_id", "subject_type", "subject_id", "action", "user_id", "at"),
    "crmkit_customer": (
        "code",
        "name",
        "status",
        "region",
        "industry",
        "phone_key",
        "email_key",
        "name_key",
        "pool_id",
        "owner_id",
        "created_at",
    ),
    "crmkit_contact": ("customer_id", "name", "is_primary", "phone_key", "email_key"),
    "crmkit_lead": (
        "source",
        "company",
        "region",
        "industry",
        "status",
        "phone_key",
        "email_key",
        "company_key",
        "customer_id",
        "pool_id",
        "owner_id",
        "created_at",
    ),
    "crmkit_follow_up": ("subject_type", "subject_id", "kind", "user_id", "at"),
    "crmkit_sales_process": ("code", "name", "active"),
    "crmkit_opportunity": (
        "customer_id",
        "process_id",
        "name",
        "amount",
        "expected_close",
        "owner_id",
        "stage",
        "status",
    ),
}
"""Each table's indexed fields: index ix_<table>_<field> on (tenant_id, field, id)."""


def upgrade() -> None:
    op.create_table(
        "crmkit_user",
        sa.Column("tenant_id", code(64), nullable=False),
        sa.Column("id", code(32), nullable=False),
        sa.Column("login", code(64), nullable=False),
        sa.Column("name", code(200), nullable=False),
        sa.Column("role", code(16), nullable=False),
        sa.Column("team_id", code(32), nullable=True),
        sa.Column("manager_id", code(32), nullable=True),
        sa.Column("region", code(64), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("tenant_id", "id", name="pk_crmkit_user"),
        sa.UniqueConstraint("tenant_id", "login", name="uq_crmkit_user_login"),
        **OPTIONS,
    )
    op.create_table(
        "crmkit_team",
        sa.Column("tenant_id", code(64), nullable=False),
        sa.Column("id", code(32), nullable=False),
        sa.Column("code", code(32), nullable=False),
        sa.Column("name", code(200), nullable=False),
        sa.Column("leader_id", code(32), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("tenant_id", "id", name="pk_crmkit_team"),
        sa.UniqueConstraint("tenant_id", "code", name="uq_crmkit_team_code"),
        **OPTIONS,
    )
    op.create_table(
        "crmkit_task",
        sa.Column("tenant_id", code(64), nullable=False),
        sa.Column("id", code(32), nullable=False),
        sa.Column("title", code(200), nullable=False),
        sa.Column("assignee_id", code(32), nullable=False),
        sa.Column("due_at", UtcDateTime(), nullable=False),
        sa.Column("status", code(16), nullable=False),
        sa.Column("subject_type", code(32), nullable=True),
        sa.Column("subject_id", code(32), nullable=True),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("custom", sa.Text(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("tenant_id", "id", name="pk_crmkit_task"),
        **OPTIONS,
    )
    op.create_table(
        "crmkit_pool",
        sa.Column("tenant_id", code(64), nullable=False),
        sa.Column("id", code(32), nullable=False),
        sa.Column("code", code(32), nullable=False),
        sa.Column("name", code(200), nullable=False),
        sa.Column("kind", code(16), nullable=False),
        sa.Column("region", code(64), nullable=True),
        sa.Column("industry", code(64), nullable=True),
        sa.Column("claim_limit", sa.BigInteger(), nullable=False),
        sa.Column("cool_down_minutes", sa.BigInteger(), nullable=False),
        sa.Column("return_after_days", sa.BigInteger(), nullable=True),
        sa.Column("return_without_win_days", sa.BigInteger(), nullable=True),
        sa.Column("assignment", code(16), nullable=False),
        sa.Column("next_turn", sa.BigInteger(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("members", sa.Text(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("tenant_id", "id", name="pk_crmkit_pool"),
        sa.UniqueConstraint("tenant_id", "code", name="uq_crmkit_pool_code"),
        **OPTIONS,
    )
    op.create_table(
        "crmkit_pool_seat",
        sa.Column("tenant_id", code(64), nullable=False),
        sa.Column("id", code(80), nullable=False),
        sa.Column("pool_id", code(32), nullable=False),
        sa.Column("user_id", code(32), nullable=False),
        sa.Column("claims", sa.BigInteger(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("tenant_id", "id", name="pk_crmkit_pool_seat"),
        **OPTIONS,
    )
    op.create_table(
        "crmkit_pool_event",
        sa.Column("tenant_id", code(64), nullable=False),
        sa.Column("id", code(80), nullable=False),
        sa.Column("pool_id", code(32), nullable=False),
        sa.Column("subject_type", code(16), nullable=False),
        sa.Column("subject_id", code(32), nullable=False),
        sa.Column("action", code(16), nullable=False),
        sa.Column("user_id", code(32), nullable=True),
        sa.Column("actor_id", code(32), nullable=True),
        sa.Column("reason", code(200), nullable=True),
        sa.Column("at", UtcDateTime(), nullable=False),
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("tenant_id", "id", name="pk_crmkit_pool_event"),
        **OPTIONS,
    )
    op.create_table(
        "crmkit_customer",
        sa.Column("tenant_id", code(64), nullable=False),
        sa.Column("id", code(32), nullable=False),
        sa.Column("code", code(32), nullable=False),
        sa.Column("name", code(200), nullable=False),
        sa.Column("kind", code(16), nullable=False),
        sa.Column("status", code(16), nullable=False),
        sa.Column("address", code(200), nullable=True),
        sa.Column("latitude", ExactDecimal(9, 6), nullable=True),
        sa.Column("longitude", ExactDecimal(10, 6), nullable=True),
        sa.Column("region", code(64), nullable=True),
        sa.Column("industry", code(64), nullable=True),
        sa.Column("phone_key", code(20), nullable=True),
        sa.Column("email_key", code(200), nullable=True),
        sa.Column("name_key", code(200), nullable=True),
        sa.Column("pool_id", code(32), nullable=True),
        sa.Column("owner_id", code(32), nullable=True),
        sa.Column("owned_since", UtcDateTime(), nullable=True),
        sa.Column("last_follow_up_at", UtcDateTime(), nullable=True),
        sa.Column("last_won_at", UtcDateTime(), nullable=True),
        sa.Column("returned_by", code(32), nullable=True),
        sa.Column("returned_at", UtcDateTime(), nullable=True),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("groups", sa.Text(), nullable=False),
        sa.Column("custom", sa.Text(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("tenant_id", "id", name="pk_crmkit_customer"),
        sa.UniqueConstraint("tenant_id", "code", name="uq_crmkit_customer_code"),
        **OPTIONS,
    )
    op.create_table(
        "crmkit_contact",
        sa.Column("tenant_id", code(64), nullable=False),
        sa.Column("id", code(32), nullable=False),
        sa.Column("customer_id", code(32), nullable=False),
        sa.Column("name", code(200), nullable=False),
        sa.Column("is_primary", sa.Boolean(), nullable=False),
        sa.Column("phone", code(40), nullable=True),
        sa.Column("email", code(200), nullable=True),
        sa.Column("phone_key", code(20), nullable=True),
        sa.Column("email_key", code(200), nullable=True),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("roles", sa.Text(), nullable=False),
        sa.Column("custom", sa.Text(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("tenant_id", "id", name="pk_crmkit_contact"),
        **OPTIONS,
    )
    op.create_table(
        "crmkit_lead",
        sa.Column("tenant_id", code(64), nullable=False),
        sa.Column("id", code(32), nullable=False),
        sa.Column("source", code(16), nullable=False),
        sa.Column("company", code(200), nullable=True),
        sa.Column("person", code(200), nullable=True),
        sa.Column("phone", code(40), nullable=True),
        sa.Column("email", code(200), nullable=True),
        sa.Column("region", code(64), nullable=True),
        sa.Column("industry", code(64), nullable=True),
        sa.Column("status", code(16), nullable=False),
        sa.Column("invalid_reason", code(200), nullable=True),
        sa.Column("phone_key", code(20), nullable=True),
        sa.Column("email_key", code(200), nullable=True),
        sa.Column("company_key", code(200), nullable=True),
        sa.Column("customer_id", code(32), nullable=True),
        sa.Column("contact_id", code(32), nullable=True),
        sa.Column("opportunity_id", code(32), nullable=True),
        sa.Column("pool_id", code(32), nullable=True),
        sa.Column("owner_id", code(32), nullable=True),
        sa.Column("owned_since", UtcDateTime(), nullable=True),
        sa.Column("last_follow_up_at", UtcDateTime(), nullable=True),
        sa.Column("last_won_at", UtcDateTime(), nullable=True),
        sa.Column("returned_by", code(32), nullable=True),
        sa.Column("returned_at", UtcDateTime(), nullable=True),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("custom", sa.Text(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("tenant_id", "id", name="pk_crmkit_lead"),
        **OPTIONS,
    )
    op.create_table(
        "crmkit_follow_up",
        sa.Column("tenant_id", code(64), nullable=False),
        sa.Column("id", code(32), nullable=False),
        sa.Column("subject_type", code(16), nullable=False),
        sa.Column("subject_id", code(32), nullable=False),
        sa.Column("kind", code(16), nullable=False),
        sa.Column("user_id", code(32), nullable=False),
        sa.Column("at", UtcDateTime(), nullable=False),
        sa.Column("outcome", code(200), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("tenant_id", "id", name="pk_crmkit_follow_up"),
        **OPTIONS,
    )
    op.create_table(
        "crmkit_sales_process",
        sa.Column("tenant_id", code(64), nullable=False),
        sa.Column("id", code(32), nullable=False),
        sa.Column("code", code(32), nullable=False),
        sa.Column("name", code(200), nullable=False),
        sa.Column("skip_forward", sa.Boolean(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("stages", sa.Text(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("tenant_id", "id", name="pk_crmkit_sales_process"),
        sa.UniqueConstraint("tenant_id", "code", name="uq_crmkit_sales_process_code"),
        **OPTIONS,
    )
    op.create_table(
        "crmkit_opportunity",
        sa.Column("tenant_id", code(64), nullable=False),
        sa.Column("id", code(32), nullable=False),
        sa.Column("customer_id", code(32), nullable=False),
        sa.Column("process_id", code(32), nullable=False),
        sa.Column("name", code(200), nullable=False),
        sa.Column("amount", ExactDecimal(18, 4), nullable=False),
        sa.Column("currency", code(3), nullable=False),
        sa.Column("expected_close", sa.Date(), nullable=False),
        sa.Column("owner_id", code(32), nullable=False),
        sa.Column("stage", code(32), nullable=False),
        sa.Column("status", code(16), nullable=False),
        sa.Column("won_by_type", code(16), nullable=True),
        sa.Column("won_by_id", code(64), nullable=True),
        sa.Column("lost_reason", code(200), nullable=True),
        sa.Column("closed_at", UtcDateTime(), nullable=True),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("custom", sa.Text(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("tenant_id", "id", name="pk_crmkit_opportunity"),
        **OPTIONS,
    )
    for table, fields in INDEXED.items():
        for field in fields:
            op.create_index(f"ix_{table}_{field}", table, ["tenant_id", field, "id"])


def downgrade() -> None:
    for table in reversed(INDEXED):
        op.drop_table(table)
