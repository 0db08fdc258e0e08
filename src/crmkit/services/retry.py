"""Retries of a whole unit of work after a concurrency conflict, bounded by time."""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable
from typing import TypeVar

from crmkit.domain import ConcurrencyConflict

T = TypeVar("T")

DEFAULT_ATTEMPTS = 10
"""The fewest attempts a command makes before it may give up, however slow they are."""
DEFAULT_MAX_DELAY_S = 0.2
"""The longest sleep between two attempts (the sleeps grow exponentially up to it)."""
DEFAULT_BUDGET_S = 30.0
"""How long (seconds from the first attempt) a conflicting command is retried.

The bound is time, as in pymongo's ``ClientSession.with_transaction`` (120 s), not a count:
how many attempts a hot record needs grows with the writers racing for it and with how long
each transaction takes (MongoDB fails a conflicting write at once instead of waiting, so on
a slow or loaded server a command can lose dozens of times in a row), while what a caller
can afford is time.
"""

log = logging.getLogger("crmkit.retry")


def retrying(
    operation: Callable[[], T],
    *,
    attempts: int = DEFAULT_ATTEMPTS,
    budget_s: float = DEFAULT_BUDGET_S,
    base_delay: float = 0.002,
    max_delay: float = DEFAULT_MAX_DELAY_S,
) -> T:
    """Run ``operation`` (which opens its own unit of work) until it does not conflict.

    Only :class:`ConcurrencyConflict` is retried: it means another writer changed the same
    records, so re-reading and re-applying the change is safe. Between attempts it sleeps
    a random time up to ``base_delay * 2**attempt`` (at most ``max_delay``). It gives up
    once it has made at least ``attempts`` attempts and the next one would start more than
    ``budget_s`` seconds after the first.

    Raises:
        ConcurrencyConflict: the last attempt still conflicted.
    """
    started = time.monotonic()
    attempt = 0
    while True:
        attempt += 1
        try:
            return operation()
        except ConcurrencyConflict as conflict:
            delay = random.uniform(0, min(max_delay, base_delay * 2 ** min(attempt, 32)))
            elapsed = time.monotonic() - started
            if attempt >= attempts and elapsed + delay > budget_s:
                log.warning(
                    "giving up after %d conflicting attempts in %.1f s: %s",
                    attempt, elapsed, conflict,
                )  # fmt: skip
                raise
            log.info(
                "attempt %d conflicted (%.1f of %.0f s used), retrying in %.3f s: %s",
                attempt, elapsed, budget_s, delay, conflict,
            )  # fmt: skip
            time.sleep(delay)
