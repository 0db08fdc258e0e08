"""The transactional outbox and document numbers.

Domain events are written in the same unit of work as the change they describe, as JSON
(``payload``) that a consumer outside Python can read. Each tenant's events have their own
positions 1, 2, 3, ...; each named consumer keeps its own acknowledged position. Event
names are stable (``sales_order.confirmed``) and every payload carries its
``schema_version``.

Document numbers (``SO-2026-000123``) come from a counter per tenant and series, taken in
the unit of work that creates the document: numbers are unique, and a rolled back unit of
work gives its number back (no gaps except from deleted records).
"""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import attrs

from crmkit.domain.errors import ValidationError
from crmkit.domain.ids import TenantId
from crmkit.domain.text import clean_text
from crmkit.domain.timestamps import utc_millis

EVENT_SCHEMA_VERSION = 1
CONSUMER_NAME_MAX_LENGTH = 64


class EventName:
    """The stable names of the order events (a workflow reacts to these)."""

    ORDER_CREATED = "sales_order.created"
    APPROVAL_REQUESTED = "sales_order.approval_requested"
    APPROVAL_REJECTED = "sales_order.approval_rejected"
    CONFIRMED = "sales_order.confirmed"
    FUNDS_HELD = "sales_order.funds_held"
    STOCK_RESERVED = "sales_order.stock_reserved"
    DELIVERED = "sales_order.delivered"
    FUNDS_POSTED = "sales_order.funds_posted"
    RETURNED = "sales_order.returned"
    CREDITED_BACK = "sales_order.credited_back"
    CANCELLED = "sales_order.cancelled"
    CLOSED = "sales_order.closed"
    RELEASED = "sales_order.released"
    RESERVATION_RELEASED = "stock.reservation_released"
    """A stock count fell below the reserved stock and took back part of an order's
    reservation: the order stays confirmed, the quantity is backordered."""


@attrs.frozen
class OutboxEvent:
    """One event at ``position`` in its tenant's outbox; ``payload`` is a JSON object text."""

    tenant_id: TenantId
    position: int
    name: str
    aggregate_id: str
    payload: str
    occurred_at: datetime = attrs.field(converter=utc_millis)
    version: int = 1

    def data(self) -> dict[str, Any]:
        """The payload as a dict."""
        loaded: dict[str, Any] = json.loads(self.payload)
        return loaded


def payload(**fields: object) -> str:
    """A JSON payload with ``schema_version``; Decimals become strings (exact)."""
    return _payload_text({"schema_version": EVENT_SCHEMA_VERSION, **fields})


def _payload_value(value: object) -> object:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime):
        return value.isoformat()
    raise TypeError(f"cannot put {type(value).__name__} in an event")


_payload_text = json.JSONEncoder(default=_payload_value, sort_keys=True, ensure_ascii=False).encode
"""``json.dumps`` with these options, its encoder made once (it keeps no state)."""


@attrs.frozen
class ConsumerPosition:
    """How far the consumer ``name`` has acknowledged the tenant's outbox."""

    tenant_id: TenantId
    name: str
    position: int
    updated_at: datetime = attrs.field(converter=utc_millis)
    version: int = 1


def consumer_name(value: object) -> str:
    """Validate a consumer name (text of at most 64 characters).

    Raises:
        ValidationError: not text, empty, too long or with control characters.
    """
    return clean_text(value, "outbox consumer name", max_length=CONSUMER_NAME_MAX_LENGTH)


@attrs.frozen
class DocumentCounter:
    """The last number taken in a tenant's ``series`` (``outbox`` for event positions)."""

    tenant_id: TenantId
    series: str
    value: int
    version: int = 1


_PATTERN_FIELDS = re.compile(r"\{(\w+)(?::[^}]*)?\}")
DEFAULT_PATTERNS = {
    "sales_order": "SO-{year}-{n:06d}",
    "delivery_note": "DN-{year}-{n:06d}",
    "return_order": "RO-{year}-{n:06d}",
}


@attrs.frozen
class NumberPatterns:
    """A tenant's number patterns per document kind (``{year}`` and ``{n}`` placeholders).

    The counter is per kind and tenant, not per year: numbers stay unique when the year
    changes, and ``{year}`` is only the creation year shown in the number.
    """

    patterns: dict[str, str] = attrs.field(factory=lambda: dict(DEFAULT_PATTERNS))

    def __attrs_post_init__(self) -> None:
        for kind, pattern in self.patterns.items():
            if kind not in DEFAULT_PATTERNS:
                raise ValidationError(
                    f"unknown document kind {kind!r} in number patterns; kinds are "
                    f"{sorted(DEFAULT_PATTERNS)}."
                )
            if not isinstance(pattern, str) or not 0 < len(pattern) <= 40:
                raise ValidationError(f"number pattern of {kind} must be text of 1..40 characters.")
            fields = set(_PATTERN_FIELDS.findall(pattern))
            if "n" not in fields or fields - {"n", "year"}:
                raise ValidationError(
                    f"number pattern {pattern!r} of {kind} needs {{n}} and may use only "
                    f"{{n}} and {{year}}."
                )
            self.format(kind, 1, datetime(2000, 1, 1, tzinfo=UTC))  # refuses a broken format spec

    def format(self, kind: str, n: int, at: datetime) -> str:
        """The number ``n`` of ``kind`` created at ``at``."""
        pattern = self.patterns.get(kind, DEFAULT_PATTERNS[kind])
        try:
            return pattern.format(n=n, year=at.year)
        except (ValueError, IndexError, KeyError) as exc:
            raise ValidationError(
                f"number pattern {pattern!r} of {kind} is broken: {exc}."
            ) from None
