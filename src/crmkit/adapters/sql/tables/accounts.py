"""Tables of the customer account: accounts, rebate grants, holds, journal, policies."""

from __future__ import annotations

from sqlalchemy import Column, Index, Integer, Table, UniqueConstraint

from crmkit.adapters.sql.tables.base import TABLE_OPTIONS, metadata
from crmkit.adapters.sql.tables.columns import (
    AMOUNT_PRECISION,
    AMOUNT_SCALE,
    amounts,
    codes,
    identity,
    stamped,
    texts,
    times,
)

__all__ = ["AMOUNT_PRECISION", "AMOUNT_SCALE"]

JOURNAL_BY_TIME = "ix_crmkit_journal_entry_time_seq"
JOURNAL_FUND_BY_TIME = "ix_crmkit_journal_entry_fund_time_seq"
FUNDS = ("prepayment", "rebate", "credit")

customer_accounts = Table(
    "crmkit_customer_account",
    metadata,
    *identity("crmkit_customer_account"),
    *codes(customer_id=64, currency=3),
    *amounts(*(f"{fund}_{part}" for fund in FUNDS for part in ("balance", "held"))),
    *amounts("credit_limit"),
    Column("last_seq", Integer, nullable=False),
    *stamped("created_at", "updated_at"),
    *amounts(*(f"{fund}_posted" for fund in FUNDS)),
    UniqueConstraint("tenant_id", "customer_id", "currency"),
    **TABLE_OPTIONS,
)

rebate_grants = Table(
    "crmkit_rebate_grant",
    metadata,
    *identity("crmkit_rebate_grant"),
    *codes(account_id=32),
    *amounts("granted", "balance", "held"),
    *times("expires_at", nullable=True),
    *texts("products", "categories"),
    *stamped("created_at"),
    Index(None, "tenant_id", "account_id", "id"),
    **TABLE_OPTIONS,
)

account_holds = Table(
    "crmkit_account_hold",
    metadata,
    *identity("crmkit_account_hold"),
    *codes(account_id=32, order_id=64, fund=16),
    *amounts("amount", "posted", "voided", "refunded"),
    *texts("shares"),
    *codes(status=16),
    *times("expires_at", nullable=True),
    *stamped("created_at", "updated_at"),
    Index(None, "tenant_id", "account_id", "order_id", "id"),
    Index(None, "tenant_id", "status", "expires_at"),
    **TABLE_OPTIONS,
)

journal_entries = Table(
    "crmkit_journal_entry",
    metadata,
    *identity(
        "crmkit_journal_entry",
        *codes(account_id=32),
        Column("seq", Integer, autoincrement=False, nullable=False),
    ),
    *codes(key=128, kind=32, fund=16),
    *amounts("balance_delta", "held_delta", "balance_after", "held_after"),
    *codes(nullable=True, grant_id=32, hold_id=32, order_id=64),
    *stamped("created_at"),
    Index(None, "tenant_id", "account_id", "fund", "seq"),
    # a statement's opening balance and first page by time: one probe, not a walk by seq
    Index(JOURNAL_BY_TIME, "tenant_id", "account_id", "created_at", "seq"),
    Index(JOURNAL_FUND_BY_TIME, "tenant_id", "account_id", "fund", "created_at", "seq"),
    **TABLE_OPTIONS,
)

deduction_policies = Table(
    "crmkit_deduction_policy",
    metadata,
    *identity("crmkit_deduction_policy", "scope"),
    *texts("document"),
    *stamped("updated_at"),
    **TABLE_OPTIONS,
)
