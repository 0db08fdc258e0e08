"""Tables of the order lifecycle: number series, the outbox and its consumers."""

from __future__ import annotations

from sqlalchemy import BigInteger, Column, Table

from crmkit.adapters.sql.tables import columns as col
from crmkit.adapters.sql.tables.base import TABLE_OPTIONS, metadata
from crmkit.adapters.sql.tables.pricing import long_text

counters = Table(
    "crmkit_counter",
    metadata,
    *col.identity("crmkit_counter", "series"),
    Column("value", BigInteger, nullable=False),
    **TABLE_OPTIONS,
)

outbox_events = Table(
    "crmkit_outbox_event",
    metadata,
    *col.identity(
        "crmkit_outbox_event", Column("position", BigInteger, autoincrement=False, nullable=False)
    ),
    *col.codes(name=64, aggregate_id=64),
    Column("payload", long_text(), nullable=False),
    *col.times("occurred_at"),
    **TABLE_OPTIONS,
)

outbox_consumers = Table(
    "crmkit_outbox_consumer",
    metadata,
    *col.identity("crmkit_outbox_consumer", *col.codes(name=64)),
    Column("position", BigInteger, nullable=False),
    *col.stamped("updated_at"),
    **TABLE_OPTIONS,
)
