"""Keyset pagination: pages of a stable order, continued by an opaque cursor."""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Sequence
from typing import Generic, TypeVar

import attrs

from crmkit.domain import ValidationError
from crmkit.domain.errors import shown

T = TypeVar("T")

MAX_PAGE_SIZE = 500


@attrs.frozen
class Page(Generic[T]):
    """One page of a listing. ``next_cursor`` is ``None`` on the last page."""

    items: tuple[T, ...]
    next_cursor: str | None


def encode_cursor(key: Sequence[str]) -> str:
    """An opaque cursor for the row whose sort key is ``key``."""
    return base64.urlsafe_b64encode(json.dumps(list(key)).encode()).decode()


def decode_cursor(cursor: str, size: int) -> list[str]:
    """The sort key inside a cursor made by :func:`encode_cursor`.

    Raises:
        ValidationError: the cursor was not made by crmkit for this listing.
    """
    try:
        key = json.loads(base64.urlsafe_b64decode(cursor.encode()))
    except (binascii.Error, UnicodeDecodeError, ValueError):
        key = None
    if not (isinstance(key, list) and len(key) == size and all(isinstance(k, str) for k in key)):
        raise ValidationError(
            f"cursor {shown(cursor)} is not a cursor of this listing; pass the next_cursor of "
            f"the previous page unchanged, or none for the first page.",
        )
    return key


def check_page_size(limit: int) -> int:
    """Return ``limit`` if it is between 1 and :data:`MAX_PAGE_SIZE`.

    Raises:
        ValidationError: the page size is out of range.
    """
    if not 1 <= limit <= MAX_PAGE_SIZE:
        raise ValidationError(f"page size must be 1..{MAX_PAGE_SIZE}, got {limit}.")
    return limit
