"""Tables of the customer account: accounts, rebate grants, holds, journal, policies."""

from __future__ import annotations

from sqlalchemy import Column, Index, Integer, Table, UniqueConstraint

from crmkit.adapters.sql.tables import columns as col
from crmkit.adapters.sql.tables.base import TABLE_OPTIONS, metadata
from crmkit.adapters.sql.tables.columns import AMOUNT_PRECISION, AMOUNT_SCALE

__all__ = ["AMOUNT_PRECISION", "AMOUNT_SCALE"]

JOURNAL_BY_TIME = "ix_crmkit_journal_entry_time_seq"
JOURNAL_FUND_BY_TIME = "ix_crmkit_journal_entry_fund_time_seq"
HOLDS_DUE = "ix_crmkit_account_hold_account_due"
FUNDS = ("prepayment", "rebate", "credit")

customer_accounts = Table(
    "crmkit_customer_account",
    metadata,
    *col.identity("crmkit_customer_account"),
    *col.codes(customer_id=64, currency=3),
    *col.amounts(*(f"{fund}_{part}" for fund in FUNDS for part in ("balance", "held"))),
    *col.amounts("credit_limit"),
    Column("last_seq", Integer, nullable=False),
    *col.stamped("created_at", "updated_at"),
    *col.amounts(*(f"{fund}_posted" for fund in FUNDS)),
    UniqueConstraint("tenant_id", "customer_id", "currency"),
    **TABLE_OPTIONS,
)

rebate_grants = Table(
    "crmkit_rebate_grant",
    metadata,
    *col.identity("crmkit_rebate_grant"),
    *col.codes(account_id=32),
    *col.amounts("granted", "balance", "held"),
    *col.times("expires_at", nullable=True),
    *col.texts("products", "categories"),
    *col.stamped("created_at"),
    Index(None, "tenant_id", "account_id", "id"),
    **TABLE_OPTIONS,
)

account_holds = Table(
    "crmkit_account_hold",
    metadata,
    *col.identity("crmkit_account_hold"),
    *col.codes(account_id=32, order_id=64, fund=16),
    *col.amounts("amount", "posted", "voided", "refunded"),
    *col.texts("shares"),
    *col.codes(status=16),
    *col.times("expires_at", nullable=True),
    *col.stamped("created_at", "updated_at"),
    Index(None, "tenant_id", "account_id", "order_id", "id"),
    Index(None, "tenant_id", "status", "expires_at"),
    Index(HOLDS_DUE, "tenant_id", "account_id", "status", "expires_at"),
    **TABLE_OPTIONS,
)

journal_entries = Table(
    "crmkit_journal_entry",
    metadata,
    *col.identity(
        "crmkit_journal_entry",
        *col.codes(account_id=32),
        Column("seq", Integer, autoincrement=False, nullable=False),
    ),
    *col.codes(key=128, kind=32, fund=16),
    *col.amounts("balance_delta", "held_delta", "balance_after", "held_after"),
    *col.codes(nullable=True, grant_id=32, hold_id=32, order_id=64),
    *col.stamped("created_at"),
    Index(None, "tenant_id", "account_id", "fund", "seq"),
    # a statement's opening balance and first page by time: one probe, not a walk by seq
    Index(JOURNAL_BY_TIME, "tenant_id", "account_id", "created_at", "seq"),
    Index(JOURNAL_FUND_BY_TIME, "tenant_id", "account_id", "fund", "created_at", "seq"),
    **TABLE_OPTIONS,
)

deduction_policies = Table(
    "crmkit_deduction_policy",
    metadata,
    *col.identity("crmkit_deduction_policy", "scope"),
    *col.texts("document"),
    *col.stamped("updated_at"),
    **TABLE_OPTIONS,
)
