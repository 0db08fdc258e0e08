"""Receivables: payments received, what each order received, payment plans, refunds,
invoice requests, contracts.

Revision ID: 0010_receivables
Revises: 0009_request_results
Create Date: 2026-11-27
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from alembic import op

from crmkit.adapters.sql.types import ExactDecimal, UtcDateTime, code

revision = "0010_receivables"
down_revision = "0009_request_results"
branch_labels = None
depends_on = None

OPTIONS: dict[str, Any] = {"mysql_engine": "InnoDB", "mysql_charset": "utf8mb4"}
PAYMENT = "crmkit_payment"
RECEIPTS = "crmkit_order_receipts"
PLAN = "crmkit_payment_plan"
REFUND = "crmkit_refund"
INVOICE = "crmkit_invoice_request"
INVOICING = "crmkit_order_invoicing"
CONTRACT = "crmkit_contract"


def upgrade() -> None:
    op.create_table(
        PAYMENT,
        sa.Column("tenant_id", code(64), nullable=False),
        sa.Column("id", code(32), nullable=False),
        sa.Column("account_id", code(32), nullable=False),
        sa.Column("customer_id", code(64), nullable=False),
        sa.Column("reference", code(200), nullable=False),
        sa.Column("amount", ExactDecimal(18, 4), nullable=False),
        sa.Column("currency", code(3), nullable=False),
        sa.Column("method", code(32), nullable=False),
        sa.Column("received_on", sa.Date(), nullable=False),
        sa.Column("status", code(16), nullable=False),
        sa.Column("to_prepayment", ExactDecimal(18, 4), nullable=False),
        sa.Column("reversal_reason", code(500), nullable=True),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("updated_at", UtcDateTime(), nullable=False),
        sa.Column("allocations", sa.Text(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=f"pk_{PAYMENT}"),
        **OPTIONS,
    )
    for field in ("account_id", "customer_id", "reference", "received_on", "status"):
        op.create_index(f"ix_{PAYMENT}_{field}", PAYMENT, ["tenant_id", field, "id"])
    op.create_table(
        RECEIPTS,
        sa.Column("tenant_id", code(64), nullable=False),
        sa.Column("order_id", code(32), nullable=False),
        sa.Column("account_id", code(32), nullable=False),
        sa.Column("currency", code(3), nullable=False),
        sa.Column("received", ExactDecimal(18, 4), nullable=False),
        sa.Column("credit_repaid", ExactDecimal(18, 4), nullable=False),
        sa.Column("refunded", ExactDecimal(18, 4), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("tenant_id", "order_id", name=f"pk_{RECEIPTS}"),
        **OPTIONS,
    )
    op.create_index(f"ix_{RECEIPTS}_account_id", RECEIPTS, ["tenant_id", "account_id", "order_id"])
    op.create_table(
        PLAN,
        sa.Column("tenant_id", code(64), nullable=False),
        sa.Column("order_id", code(32), nullable=False),
        sa.Column("order_number", code(64), nullable=False),
        sa.Column("account_id", code(32), nullable=False),
        sa.Column("customer_id", code(64), nullable=False),
        sa.Column("currency", code(3), nullable=False),
        sa.Column("total", ExactDecimal(18, 4), nullable=False),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("offsets", sa.Text(), nullable=False),
        sa.Column("instalments", sa.Text(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("tenant_id", "order_id", name=f"pk_{PLAN}"),
        **OPTIONS,
    )
    for field in ("account_id", "customer_id"):
        op.create_index(f"ix_{PLAN}_{field}", PLAN, ["tenant_id", field, "order_id"])
    op.create_table(
        REFUND,
        sa.Column("tenant_id", code(64), nullable=False),
        sa.Column("id", code(32), nullable=False),
        sa.Column("number", code(64), nullable=False),
        sa.Column("account_id", code(32), nullable=False),
        sa.Column("customer_id", code(64), nullable=False),
        sa.Column("order_id", code(32), nullable=True),
        sa.Column("order_number", code(64), nullable=True),
        sa.Column("amount", ExactDecimal(18, 4), nullable=False),
        sa.Column("currency", code(3), nullable=False),
        sa.Column("reason", code(500), nullable=False),
        sa.Column("status", code(16), nullable=False),
        sa.Column("rejection_reason", code(500), nullable=True),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("updated_at", UtcDateTime(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=f"pk_{REFUND}"),
        sa.UniqueConstraint("tenant_id", "number", name=f"uq_{REFUND}_number"),
        **OPTIONS,
    )
    for field in ("number", "account_id", "customer_id", "order_id", "status"):
        op.create_index(f"ix_{REFUND}_{field}", REFUND, ["tenant_id", field, "id"])
    op.create_table(
        INVOICE,
        sa.Column("tenant_id", code(64), nullable=False),
        sa.Column("id", code(32), nullable=False),
        sa.Column("number", code(64), nullable=False),
        sa.Column("kind", code(16), nullable=False),
        sa.Column("order_id", code(32), nullable=False),
        sa.Column("order_number", code(64), nullable=False),
        sa.Column("customer_id", code(64), nullable=False),
        sa.Column("currency", code(3), nullable=False),
        sa.Column("amount", ExactDecimal(18, 4), nullable=False),
        sa.Column("status", code(16), nullable=False),
        sa.Column("invoice_number", code(64), nullable=True),
        sa.Column("issued_on", sa.Date(), nullable=True),
        sa.Column("rejection_reason", code(500), nullable=True),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("updated_at", UtcDateTime(), nullable=False),
        sa.Column("taxes", sa.Text(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=f"pk_{INVOICE}"),
        sa.UniqueConstraint("tenant_id", "number", name=f"uq_{INVOICE}_number"),
        **OPTIONS,
    )
    for field in ("number", "order_id", "customer_id", "status"):
        op.create_index(f"ix_{INVOICE}_{field}", INVOICE, ["tenant_id", field, "id"])
    op.create_table(
        INVOICING,
        sa.Column("tenant_id", code(64), nullable=False),
        sa.Column("order_id", code(32), nullable=False),
        sa.Column("requested", ExactDecimal(18, 4), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("tenant_id", "order_id", name=f"pk_{INVOICING}"),
        **OPTIONS,
    )
    op.create_table(
        CONTRACT,
        sa.Column("tenant_id", code(64), nullable=False),
        sa.Column("id", code(32), nullable=False),
        sa.Column("number", code(64), nullable=False),
        sa.Column("customer_id", code(64), nullable=False),
        sa.Column("currency", code(3), nullable=False),
        sa.Column("amount", ExactDecimal(18, 4), nullable=False),
        sa.Column("committed", ExactDecimal(18, 4), nullable=False),
        sa.Column("valid_from", sa.Date(), nullable=False),
        sa.Column("valid_until", sa.Date(), nullable=False),
        sa.Column("stored_status", code(16), nullable=False),
        sa.Column("termination_reason", code(500), nullable=True),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("updated_at", UtcDateTime(), nullable=False),
        sa.Column("orders", sa.Text(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=f"pk_{CONTRACT}"),
        sa.UniqueConstraint("tenant_id", "number", name=f"uq_{CONTRACT}_number"),
        **OPTIONS,
    )
    for field in ("number", "customer_id", "valid_until", "stored_status"):
        op.create_index(f"ix_{CONTRACT}_{field}", CONTRACT, ["tenant_id", field, "id"])


def downgrade() -> None:
    op.drop_table(CONTRACT)
    op.drop_table(INVOICING)
    op.drop_table(INVOICE)
    op.drop_table(REFUND)
    op.drop_table(PLAN)
    op.drop_table(RECEIPTS)
    op.drop_table(PAYMENT)
