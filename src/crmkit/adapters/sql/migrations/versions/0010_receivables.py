"""Receivables: payments received, what each order received, payment plans, refunds,
invoice requests, contracts.

Revision ID: 0010_receivables
Revises: 0009_request_results
Create Date: 2026-11-27
"""

from __future__ import annotations

from crmkit.adapters.sql.migrate import create_record_tables, drop_record_tables
from crmkit.domain.receivables.contracts import CONTRACTS
from crmkit.domain.receivables.invoices import INVOICE_REQUESTS, ORDER_INVOICING
from crmkit.domain.receivables.payments import ORDER_RECEIPTS, PAYMENTS
from crmkit.domain.receivables.plans import PAYMENT_PLANS
from crmkit.domain.receivables.refunds import REFUNDS

revision = "0010_receivables"
down_revision = "0009_request_results"
branch_labels = None
depends_on = None

TYPES = (
    PAYMENTS,
    ORDER_RECEIPTS,
    PAYMENT_PLANS,
    REFUNDS,
    INVOICE_REQUESTS,
    ORDER_INVOICING,
    CONTRACTS,
)
"""The record types this revision creates, in order (their tables come from the declarations)."""


def upgrade() -> None:
    create_record_tables(*TYPES)


def downgrade() -> None:
    drop_record_tables(*TYPES)
