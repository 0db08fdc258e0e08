"""How the contract suites run their racing writers and their hypothesis state machines."""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence

from hypothesis import HealthCheck, settings
from hypothesis.stateful import RuleBasedStateMachine, run_state_machine_as_test

MACHINE_CHECKS = (HealthCheck.too_slow, HealthCheck.filter_too_much)
"""The health checks a state machine run leaves out unless told otherwise."""


def run_threads(target: Callable[[int], object], count: int, *, timeout: float) -> None:
    """Run ``target(n)`` for every ``n`` below ``count``, each in a thread of its own and
    all at once, and wait for them (at most ``timeout`` seconds for each)."""
    threads = [threading.Thread(target=target, args=(n,)) for n in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=timeout)


def run_machine(
    machine: type[RuleBasedStateMachine],
    *,
    examples: int,
    steps: int,
    checks: Sequence[HealthCheck] = MACHINE_CHECKS,
) -> None:
    """Run the state machine class ``machine`` for ``examples`` examples of at most
    ``steps`` steps, with no deadline and the health checks ``checks`` suppressed."""
    run_state_machine_as_test(
        machine,
        settings=settings(
            max_examples=examples,
            stateful_step_count=steps,
            deadline=None,
            suppress_health_check=checks,
        ),
    )
