"""Tables of the order lifecycle: number series, the outbox and its consumers."""

from __future__ import annotations

from sqlalchemy import BigInteger, Column, Integer, Table

from crmkit.adapters.sql.tables.base import TABLE_OPTIONS, TENANT, metadata
from crmkit.adapters.sql.tables.pricing import long_text
from crmkit.adapters.sql.types import UtcDateTime, code

counters = Table(
    "crmkit_counter",
    metadata,
    Column("tenant_id", code(TENANT), primary_key=True),
    Column("series", code(32), primary_key=True),
    Column("value", BigInteger, nullable=False),
    **TABLE_OPTIONS,
)

outbox_events = Table(
    "crmkit_outbox_event",
    metadata,
    Column("tenant_id", code(TENANT), primary_key=True),
    Column("position", BigInteger, primary_key=True, autoincrement=False),
    Column("name", code(64), nullable=False),
    Column("aggregate_id", code(64), nullable=False),
    Column("payload", long_text(), nullable=False),
    Column("occurred_at", UtcDateTime, nullable=False),
    **TABLE_OPTIONS,
)

outbox_consumers = Table(
    "crmkit_outbox_consumer",
    metadata,
    Column("tenant_id", code(TENANT), primary_key=True),
    Column("name", code(64), primary_key=True),
    Column("position", BigInteger, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
    Column("version", Integer, nullable=False),
    **TABLE_OPTIONS,
)
