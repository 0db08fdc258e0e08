"""Tables of field work and service's declared record types (generated from the declarations)."""

from __future__ import annotations

from sqlalchemy import Table

from crmkit.adapters.sql.tables.base import metadata
from crmkit.adapters.sql.tables.records import record_table
from crmkit.domain.field_work.types import FIELD_WORK_TYPES

field_work_tables: dict[str, Table] = {t.name: record_table(t, metadata) for t in FIELD_WORK_TYPES}
