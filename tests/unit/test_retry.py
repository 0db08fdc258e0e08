"""Conflicting units of work are retried with jittered backoff for a time, not a count."""

from __future__ import annotations

import threading
import time

import pytest

from crmkit import ConcurrencyConflict
from crmkit.services.retry import retrying


class FakeTime:
    """A monotonic clock that moves only when slept on or when an attempt takes time.

    Only the test's own thread sees it: other threads of the process (a database driver's,
    a test server's) keep the real clock and their sleeps are not recorded.
    """

    def __init__(self) -> None:
        self.now = 1000.0
        self.sleeps: list[float] = []
        self.thread = threading.current_thread()
        self.real_monotonic = time.monotonic
        self.real_sleep = time.sleep

    def monotonic(self) -> float:
        if threading.current_thread() is not self.thread:
            return self.real_monotonic()
        return self.now

    def sleep(self, seconds: float) -> None:
        if threading.current_thread() is not self.thread:
            self.real_sleep(seconds)
            return
        self.sleeps.append(seconds)
        self.now += seconds


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> FakeTime:
    """The clock and sleep the retry module uses (the ``time`` module's), faked for the test."""
    fake = FakeTime()
    monkeypatch.setattr(time, "monotonic", fake.monotonic)
    monkeypatch.setattr(time, "sleep", fake.sleep)
    return fake


class TestRetryBudget:
    """How long and how often a conflicting command is run again."""

    def test_slow_attempts_are_retried_past_the_attempt_count_within_the_budget(
        self, clock: FakeTime
    ) -> None:
        """40 conflicts of 0.3 s each (a loaded server) still end in the result."""
        calls = [0]

        def operation() -> str:
            calls[0] += 1
            clock.now += 0.3
            if calls[0] <= 40:
                raise ConcurrencyConflict("Payment", "P1", "acme", "changed meanwhile")
            return "done"

        assert retrying(operation, attempts=10, budget_s=30) == "done"
        assert calls[0] == 41

    def test_a_command_that_keeps_conflicting_gives_up_after_the_budget(
        self, clock: FakeTime
    ) -> None:
        """Always conflicting: the last conflict is raised once the next try would start late."""
        calls = [0]

        def operation() -> str:
            calls[0] += 1
            clock.now += 0.05
            raise ConcurrencyConflict("Payment", "P1", "acme", f"conflict {calls[0]}")

        began = clock.now
        with pytest.raises(ConcurrencyConflict, match=r"conflict \d+"):
            retrying(operation, attempts=3, budget_s=5, max_delay=0.2)
        assert calls[0] > 3
        assert 5 - 0.25 <= clock.now - began <= 5 + 0.05
        assert max(clock.sleeps) <= 0.2

    def test_the_attempt_count_is_a_floor_when_attempts_are_slower_than_the_budget(
        self, clock: FakeTime
    ) -> None:
        """Attempts of 10 s each against a 1 s budget: still ``attempts`` attempts."""
        calls = [0]

        def operation() -> str:
            calls[0] += 1
            clock.now += 10
            raise ConcurrencyConflict("Payment", "P1", "acme", "changed meanwhile")

        with pytest.raises(ConcurrencyConflict):
            retrying(operation, attempts=4, budget_s=1)
        assert calls[0] == 4

    def test_backoff_is_jittered_grows_and_stays_under_the_cap(self, clock: FakeTime) -> None:
        """Sleeps are random, below base * 2**attempt and never above ``max_delay``."""
        calls = [0]

        def operation() -> str:
            calls[0] += 1
            if calls[0] <= 2000:
                raise ConcurrencyConflict("Payment", "P1", "acme", "changed meanwhile")
            return "done"

        assert retrying(operation, budget_s=10_000, base_delay=0.001, max_delay=0.5) == "done"
        caps = [min(0.5, 0.001 * 2 ** min(n, 32)) for n in range(1, len(clock.sleeps) + 1)]
        assert all(0 <= s <= cap for s, cap in zip(clock.sleeps, caps, strict=True))
        assert len(set(clock.sleeps)) > 1900
        assert max(clock.sleeps) > 0.4

    def test_other_errors_are_not_retried(self, clock: FakeTime) -> None:
        """Anything but a conflict propagates from the first attempt."""
        calls = [0]

        def operation() -> str:
            calls[0] += 1
            raise ValueError("not a conflict")

        with pytest.raises(ValueError, match="not a conflict"):
            retrying(operation)
        assert calls[0] == 1
        assert clock.sleeps == []
