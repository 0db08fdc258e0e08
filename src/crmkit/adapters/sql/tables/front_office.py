"""Tables of the front office's declared record types (generated from the declarations)."""

from __future__ import annotations

from sqlalchemy import Table

from crmkit.adapters.sql.tables.base import metadata
from crmkit.adapters.sql.tables.records import record_table
from crmkit.domain.front_office.types import FRONT_OFFICE_TYPES

front_office_tables: dict[str, Table] = {
    t.name: record_table(t, metadata) for t in FRONT_OFFICE_TYPES
}
