"""Tables of the workflow rules' and business processes' declared record types."""

from __future__ import annotations

from sqlalchemy import Table

from crmkit.adapters.sql.tables.base import metadata
from crmkit.adapters.sql.tables.records import record_table
from crmkit.domain.workflow_types import WORKFLOW_TYPES

workflow_tables: dict[str, Table] = {t.name: record_table(t, metadata) for t in WORKFLOW_TYPES}
