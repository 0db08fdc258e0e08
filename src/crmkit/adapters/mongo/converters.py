"""cattrs conversion between domain objects and BSON documents."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any, TypeVar

import cattrs
from bson.decimal128 import Decimal128

T = TypeVar("T")

converter = cattrs.Converter()
converter.register_unstructure_hook(Decimal, Decimal128)
converter.register_unstructure_hook(datetime, lambda d: d)


def _decimal(value: Any, _: object) -> Decimal:
    return value.to_decimal() if isinstance(value, Decimal128) else Decimal(value)


def _datetime(value: datetime, _: object) -> datetime:
    # A client opened without tz_aware=True returns naive UTC datetimes.
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


converter.register_structure_hook(Decimal, _decimal)
converter.register_structure_hook(datetime, _datetime)


def to_document(record: object) -> dict[str, Any]:
    """The BSON document of a domain record (MongoDB adds its own ``_id``)."""
    document: dict[str, Any] = converter.unstructure(record)
    return document


def from_document(document: Mapping[str, Any], cls: type[T]) -> T:
    """The domain record of type ``cls`` stored in ``document``."""
    values = {k: v for k, v in document.items() if k != "_id"}
    return converter.structure(values, cls)
