"""Tables of the approval flows' declared record types (generated from the declarations)."""

from __future__ import annotations

from sqlalchemy import Table

from crmkit.adapters.sql.tables.base import metadata
from crmkit.adapters.sql.tables.records import record_table
from crmkit.domain.approvals import APPROVAL_TYPES

process_tables: dict[str, Table] = {t.name: record_table(t, metadata) for t in APPROVAL_TYPES}
