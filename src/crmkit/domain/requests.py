"""Processed requests: what makes a command with a caller-supplied key idempotent."""

from __future__ import annotations

from datetime import datetime

import attrs

from crmkit.domain.ids import TenantId
from crmkit.domain.text import clean_text
from crmkit.domain.timestamps import utc_millis

REQUEST_KEY_MAX_LENGTH = 128


def request_key(value: object) -> str:
    """Validate an idempotency key (non-empty text of at most 128 characters).

    Raises:
        ValidationError: the key is empty, too long or has control characters.
    """
    return clean_text(value, "request key", max_length=REQUEST_KEY_MAX_LENGTH)


@attrs.frozen
class ProcessedRequest:
    """A command that ran under an idempotency key, with what it returned.

    ``fingerprint`` identifies the command's content; the same key with another
    fingerprint is a different request and is refused. ``result`` is the command's answer
    (an id, or JSON), returned again when the same request is repeated.
    """

    tenant_id: TenantId
    key: str = attrs.field(converter=request_key)
    operation: str
    fingerprint: str
    result: str
    created_at: datetime = attrs.field(converter=utc_millis)
    version: int = 1
