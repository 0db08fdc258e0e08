"""A record kit: what the generic record contract needs to know about a record type."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any, Generic, TypeVar

import attrs
from hypothesis import strategies as st

from crmkit.domain import TenantId, utc_millis
from crmkit.domain.records import RecordType
from crmkit.testing.strategies import texts
from crmkit.testing.strategies import timestamps as any_timestamps

R = TypeVar("R")
T0 = datetime(2026, 1, 5, 9, 30, tzinfo=UTC)


def timestamps() -> st.SearchStrategy[datetime]:
    """Timestamps as the domain keeps them (UTC, milliseconds, fold 0)."""
    return any_timestamps().map(utc_millis)


_SHORT = st.sampled_from(["a", "ab", "b", "ba", "B", "é", "😀", "10", "9", "a b"])


def small_texts(max_size: int) -> st.SearchStrategy[str]:
    """Texts from a small alphabet (so filters and prefixes hit), or any text."""
    few = st.lists(_SHORT, min_size=1, max_size=3).map("".join)
    return st.one_of(few, texts(max_size)).map(lambda t: t[:max_size].strip()).filter(bool)


@attrs.frozen
class RecordKit(Generic[R]):
    """A record type with a strategy for its records and the custom fields to define first."""

    record_type: RecordType[R]
    records: Callable[[TenantId], st.SearchStrategy[R]]
    example: Callable[[TenantId, int], R]
    """The ``n``-th plain record of a tenant (distinct keys and unique values per ``n``)."""
    custom_fields: tuple[dict[str, Any], ...] = ()
    setup: Callable[[Any, TenantId], None] | None = None
    """Stores what the records need in a fresh tenant (given a unit of work and the tenant)."""
