"""A stateful test of one public pool against a model, with a controlled clock.

Reps claim, return and follow up customers while the clock moves across the rules'
boundaries (the cool-down's end, the Nth day); after every step every read agrees with
the model, which applies auto-return lazily, and sweeps never change what reads say.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import attrs
import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule, run_state_machine_as_test

from crmkit.domain.front_office.errors import (
    ClaimLimitReached,
    CoolingDown,
    NotInPool,
    NotOwner,
)
from crmkit.domain.front_office.follow_ups import FollowUpKind, FollowUpSubject
from crmkit.services import Storage
from crmkit.testing.front_office import add_reps, customer_pool, office

LIMIT = 2
COOL = timedelta(minutes=30)
DAYS = 3
STEPS = [
    timedelta(milliseconds=1),
    timedelta(minutes=1),
    COOL - timedelta(milliseconds=1),
    COOL,
    timedelta(days=1),
    timedelta(days=DAYS) - timedelta(milliseconds=1),
]


@attrs.frozen
class Held:
    """The model's stored state of one customer."""

    owner: str | None = None
    since: datetime | None = None
    last: datetime | None = None
    returned_by: str | None = None
    returned_at: datetime | None = None

    def now_(self, now: datetime) -> Held:
        """The state as reads see it at ``now`` (auto-return applied)."""
        if self.owner is None or self.since is None:
            return self
        deadline = max(self.since, self.last or self.since) + timedelta(days=DAYS)
        if now >= deadline:
            return Held(None, None, None, self.owner, deadline)
        return self


def machine_for(storage: Storage) -> type[RuleBasedStateMachine]:
    class PoolMachine(RuleBasedStateMachine):
        def __init__(self) -> None:
            super().__init__()
            self.place = office(storage)
            reps = add_reps(self.place, 2)
            self.reps = [r.id for r in reps]
            _, customers = customer_pool(
                self.place,
                reps,
                customers=4,
                claim_limit=LIMIT,
                cool_down_minutes=int(COOL.total_seconds() // 60),
                return_after_days=DAYS,
            )
            self.customers = [c.id for c in customers]
            self.model = {c: Held() for c in self.customers}

        @property
        def now(self) -> datetime:
            return self.place.clock.now()

        def count(self, rep: str) -> int:
            return sum(1 for h in self.model.values() if h.now_(self.now).owner == rep)

        @rule(rep=st.integers(0, 1), n=st.integers(0, 3))
        def claim(self, rep: int, n: int) -> None:
            user, key = self.reps[rep], self.customers[n]
            held = self.model[key].now_(self.now)
            if held.owner is not None:
                expected: type[Exception] | None = NotInPool
            elif (
                held.returned_by == user
                and held.returned_at is not None
                and self.now < held.returned_at + COOL
            ):
                expected = CoolingDown
            elif self.count(user) >= LIMIT:
                expected = ClaimLimitReached
            else:
                expected = None
            if expected is not None:
                with pytest.raises(expected):
                    self.place.pools.claim("SH", key, user_id=user)
                return
            self.place.pools.claim("SH", key, user_id=user)
            self.model[key] = Held(user, self.now, None, held.returned_by, held.returned_at)

        @rule(rep=st.integers(0, 1), n=st.integers(0, 3))
        def give_back(self, rep: int, n: int) -> None:
            user, key = self.reps[rep], self.customers[n]
            if self.model[key].now_(self.now).owner != user:
                with pytest.raises(NotOwner):
                    self.place.pools.give_back("SH", key, user_id=user, reason="not now")
                return
            self.place.pools.give_back("SH", key, user_id=user, reason="not now")
            self.model[key] = Held(None, None, None, user, self.now)

        @rule(rep=st.integers(0, 1), n=st.integers(0, 3))
        def follow_up(self, rep: int, n: int) -> None:
            key = self.customers[n]
            self.place.activity.log_follow_up(
                FollowUpSubject.CUSTOMER,
                key,
                kind=FollowUpKind.VISIT,
                user_id=self.reps[rep],
                outcome="visited",
            )
            held = self.model[key]
            if held.now_(self.now).owner is not None:
                self.model[key] = attrs.evolve(held, last=self.now)

        @rule(step=st.sampled_from(STEPS))
        def wait(self, step: timedelta) -> None:
            self.place.clock.advance(step)

        @rule(n=st.integers(0, 3), early=st.booleans())
        def to_a_boundary(self, n: int, early: bool) -> None:
            """Move the clock to a customer's deadline or cool-down end (or 1 ms before)."""
            held = self.model[self.customers[n]]
            if held.owner is not None and held.since is not None:
                moment = max(held.since, held.last or held.since) + timedelta(days=DAYS)
            elif held.returned_at is not None:
                moment = held.returned_at + COOL
            else:
                return
            moment -= timedelta(milliseconds=1) if early else timedelta(0)
            if moment > self.now:
                self.place.clock.set(moment)

        @rule()
        def sweep(self) -> None:
            self.place.pools.sweep("SH")
            self.model = {k: h.now_(self.now) for k, h in self.model.items()}

        @invariant()
        def reads_agree_with_the_model(self) -> None:
            for key, held in self.model.items():
                assert self.place.pools.owner_of("SH", key) == held.now_(self.now).owner
            for rep in self.reps:
                assert self.place.pools.owned_count("SH", rep) == self.count(rep) <= LIMIT

    return PoolMachine


@pytest.mark.parametrize(
    "backend",
    [
        pytest.param("memory", marks=pytest.mark.memory),
        pytest.param("sqlite", marks=pytest.mark.sqlite),
    ],
)
class TestPoolMachine:
    """Claims, returns, follow-ups, sweeps and time, checked step by step."""

    def test_reads_follow_the_rules(self, storage: Storage, examples: int) -> None:
        """Every read equals the lazily evaluated model after every step."""
        run_state_machine_as_test(
            machine_for(storage),
            settings=settings(
                max_examples=examples,
                stateful_step_count=25,
                deadline=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
            ),
        )
