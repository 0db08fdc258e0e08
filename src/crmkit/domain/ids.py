"""Typed identifiers. Every record belongs to a tenant and has an opaque string id."""

from __future__ import annotations

import os
from collections.abc import Iterable
from typing import NewType

from crmkit.domain.text import clean_text

TenantId = NewType("TenantId", str)
"""The enterprise (SaaS customer) a record belongs to."""

ProductId = NewType("ProductId", str)


_UUID4_CLEAR = ~((0xF000 << 64) | (0xC000 << 48))
_UUID4_SET = (4 << 76) | (0x8000 << 48)


def new_id() -> str:
    """A new random identifier (32 lower-case hex digits): a version 4 UUID's hex, made
    without building the ``uuid.UUID``."""
    return f"{int.from_bytes(os.urandom(16)) & _UUID4_CLEAR | _UUID4_SET:032x}"


def tenant_id(value: str) -> TenantId:
    """Validate and return a tenant id (a non-empty code of at most 64 characters).

    Raises:
        ValidationError: the id is empty, too long or has control characters.
    """
    return TenantId(clean_text(value, "tenant id", max_length=64))


RECORD_ID_MAX_LENGTH = 128


def record_id(value: object, what: str) -> str:
    """Validate an id handed in by a caller before it reaches any query.

    Only ``str`` is accepted (no ints, which some databases compare numerically with text,
    and no dicts or lists, which MongoDB would read as query operators); the text is
    cleaned as every stored code is, so a lookup finds what a write stored.

    Raises:
        ValidationError: not text, empty, longer than 128 characters, or with control
            characters.
    """
    if (  # the common case, printable ASCII with no space at either end: clean as it is
        type(value) is str
        and 0 < len(value) <= RECORD_ID_MAX_LENGTH
        and value.isascii()
        and value.isprintable()
        and value[0] != " " != value[-1]
    ):
        return value
    return clean_text(value, what, max_length=RECORD_ID_MAX_LENGTH)


def record_ids(values: Iterable[object], what: str) -> list[str]:
    """:func:`record_id` of each of ``values``, in order: a clean id (what
    :func:`record_id` returns as it is) is kept without the call.

    Raises:
        ValidationError: a value is not a valid id (the first).
    """
    return [
        value
        if type(value) is str
        and 0 < len(value) <= RECORD_ID_MAX_LENGTH
        and value.isascii()
        and value.isprintable()
        and value[0] != " " != value[-1]
        else record_id(value, what)
        for value in values
    ]
