"""Tables of the order lifecycle: number series, the outbox and its consumers."""

from __future__ import annotations

from sqlalchemy import BigInteger, Column, Table

from crmkit.adapters.sql.tables.base import TABLE_OPTIONS, metadata
from crmkit.adapters.sql.tables.columns import codes, identity, stamped, times
from crmkit.adapters.sql.tables.pricing import long_text

counters = Table(
    "crmkit_counter",
    metadata,
    *identity("crmkit_counter", "series"),
    Column("value", BigInteger, nullable=False),
    **TABLE_OPTIONS,
)

outbox_events = Table(
    "crmkit_outbox_event",
    metadata,
    *identity(
        "crmkit_outbox_event", Column("position", BigInteger, autoincrement=False, nullable=False)
    ),
    *codes(name=64, aggregate_id=64),
    Column("payload", long_text(), nullable=False),
    *times("occurred_at"),
    **TABLE_OPTIONS,
)

outbox_consumers = Table(
    "crmkit_outbox_consumer",
    metadata,
    *identity("crmkit_outbox_consumer", *codes(name=64)),
    Column("position", BigInteger, nullable=False),
    *stamped("updated_at"),
    **TABLE_OPTIONS,
)
