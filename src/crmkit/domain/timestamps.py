"""Timestamps as crmkit stores them: aware UTC datetimes with millisecond precision.

Every backend keeps milliseconds (BSON dates cannot hold more), so the domain truncates
to milliseconds once, here, and all backends return exactly what was saved.
"""

from __future__ import annotations

from datetime import UTC, datetime

from crmkit.domain.errors import ValidationError


def utc_millis(moment: datetime) -> datetime:
    """``moment`` in UTC, truncated to whole milliseconds.

    Raises:
        ValidationError: ``moment`` is naive (has no time zone).
    """
    if moment.tzinfo is UTC and not moment.microsecond % 1000 and not moment.fold:
        return moment  # already clean (every stored record's own timestamps): as is
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValidationError(
            f"timestamp {moment.isoformat()} has no time zone; pass an aware datetime "
            f"(for example datetime.now(UTC)).",
        )
    moment = moment.astimezone(UTC)
    # fold only disambiguates local wall times; in UTC it means nothing and no store keeps it.
    return moment.replace(microsecond=moment.microsecond // 1000 * 1000, fold=0)


def optional_utc_millis(moment: datetime | None) -> datetime | None:
    """:func:`utc_millis` for an optional timestamp (``None`` stays ``None``)."""
    return None if moment is None else utc_millis(moment)
