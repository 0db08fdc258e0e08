"""Tables of the customer account: accounts, rebate grants, holds, journal, policies."""

from __future__ import annotations

from sqlalchemy import Column, Index, Integer, Table, Text, UniqueConstraint

from crmkit.adapters.sql.tables.base import ID, TABLE_OPTIONS, TENANT, metadata
from crmkit.adapters.sql.types import ExactDecimal, UtcDateTime, code

AMOUNT_PRECISION = 18
AMOUNT_SCALE = 4
"""Amounts keep 4 decimals (the largest minor unit crmkit knows) and 14 integer digits."""


JOURNAL_BY_TIME = "ix_crmkit_journal_entry_time_seq"
JOURNAL_FUND_BY_TIME = "ix_crmkit_journal_entry_fund_time_seq"
HOLDS_DUE = "ix_crmkit_account_hold_account_due"


def _amount(name: str) -> Column[object]:
    return Column(name, ExactDecimal(AMOUNT_PRECISION, AMOUNT_SCALE), nullable=False)


customer_accounts = Table(
    "crmkit_customer_account",
    metadata,
    Column("tenant_id", code(TENANT), primary_key=True),
    Column("id", code(ID), primary_key=True),
    Column("customer_id", code(64), nullable=False),
    Column("currency", code(3), nullable=False),
    _amount("prepayment_balance"),
    _amount("prepayment_held"),
    _amount("rebate_balance"),
    _amount("rebate_held"),
    _amount("credit_balance"),
    _amount("credit_held"),
    _amount("credit_limit"),
    Column("last_seq", Integer, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
    Column("version", Integer, nullable=False),
    _amount("prepayment_posted"),
    _amount("rebate_posted"),
    _amount("credit_posted"),
    UniqueConstraint("tenant_id", "customer_id", "currency"),
    **TABLE_OPTIONS,
)

rebate_grants = Table(
    "crmkit_rebate_grant",
    metadata,
    Column("tenant_id", code(TENANT), primary_key=True),
    Column("id", code(ID), primary_key=True),
    Column("account_id", code(ID), nullable=False),
    _amount("granted"),
    _amount("balance"),
    _amount("held"),
    Column("expires_at", UtcDateTime, nullable=True),
    Column("products", Text, nullable=False),
    Column("categories", Text, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("version", Integer, nullable=False),
    Index(None, "tenant_id", "account_id", "id"),
    **TABLE_OPTIONS,
)

account_holds = Table(
    "crmkit_account_hold",
    metadata,
    Column("tenant_id", code(TENANT), primary_key=True),
    Column("id", code(ID), primary_key=True),
    Column("account_id", code(ID), nullable=False),
    Column("order_id", code(64), nullable=False),
    Column("fund", code(16), nullable=False),
    _amount("amount"),
    _amount("posted"),
    _amount("voided"),
    _amount("refunded"),
    Column("shares", Text, nullable=False),
    Column("status", code(16), nullable=False),
    Column("expires_at", UtcDateTime, nullable=True),
    Column("created_at", UtcDateTime, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
    Column("version", Integer, nullable=False),
    Index(None, "tenant_id", "account_id", "order_id", "id"),
    Index(None, "tenant_id", "status", "expires_at"),
    Index(HOLDS_DUE, "tenant_id", "account_id", "status", "expires_at"),
    **TABLE_OPTIONS,
)

journal_entries = Table(
    "crmkit_journal_entry",
    metadata,
    Column("tenant_id", code(TENANT), primary_key=True),
    Column("account_id", code(ID), primary_key=True),
    Column("seq", Integer, primary_key=True, autoincrement=False),
    Column("key", code(128), nullable=False),
    Column("kind", code(32), nullable=False),
    Column("fund", code(16), nullable=False),
    _amount("balance_delta"),
    _amount("held_delta"),
    _amount("balance_after"),
    _amount("held_after"),
    Column("grant_id", code(ID), nullable=True),
    Column("hold_id", code(ID), nullable=True),
    Column("order_id", code(64), nullable=True),
    Column("created_at", UtcDateTime, nullable=False),
    Column("version", Integer, nullable=False),
    Index(None, "tenant_id", "account_id", "fund", "seq"),
    # a statement's opening balance and first page by time: one probe, not a walk by seq
    Index(JOURNAL_BY_TIME, "tenant_id", "account_id", "created_at", "seq"),
    Index(JOURNAL_FUND_BY_TIME, "tenant_id", "account_id", "fund", "created_at", "seq"),
    **TABLE_OPTIONS,
)

deduction_policies = Table(
    "crmkit_deduction_policy",
    metadata,
    Column("tenant_id", code(TENANT), primary_key=True),
    Column("scope", code(ID), primary_key=True),
    Column("document", Text, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
    Column("version", Integer, nullable=False),
    **TABLE_OPTIONS,
)
