"""Bounded retries of a whole unit of work after a concurrency conflict."""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable
from typing import TypeVar

from crmkit.domain import ConcurrencyConflict

T = TypeVar("T")

DEFAULT_ATTEMPTS = 10

log = logging.getLogger("crmkit.retry")


def retrying(
    operation: Callable[[], T],
    *,
    attempts: int = DEFAULT_ATTEMPTS,
    base_delay: float = 0.002,
    max_delay: float = 0.2,
) -> T:
    """Run ``operation`` (which opens its own unit of work) until it does not conflict.

    Between attempts it sleeps with jittered exponential backoff. Only
    :class:`ConcurrencyConflict` is retried: it means another writer changed the same
    records, so re-reading and re-applying the change is safe.

    Raises:
        ConcurrencyConflict: the last attempt still conflicted.
    """
    for attempt in range(1, attempts + 1):
        try:
            return operation()
        except ConcurrencyConflict as conflict:
            if attempt == attempts:
                log.warning("giving up after %d conflicting attempts: %s", attempts, conflict)
                raise
            delay = random.uniform(0, min(max_delay, base_delay * 2**attempt))  # jitter only
            log.info(
                "attempt %d of %d conflicted, retrying in %.3f s: %s",
                attempt, attempts, delay, conflict,
            )  # fmt: skip
            time.sleep(delay)
    raise AssertionError("unreachable")
