"""Average time per stage: the calculation agrees with a brute-force reference, and the
service's monitoring query answers the same over stored instances."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from fractions import Fraction

from hypothesis import given, settings
from hypothesis import strategies as st

from crmkit.adapters.memory import InMemoryStorage
from crmkit.domain import TenantId
from crmkit.domain.processes import PROCESS_INSTANCES
from crmkit.process import InstanceStatus, ProcessInstance, StageVisit, average_stage_times
from tests.process.support import place
from tests.process.test_processes import sales_process

T0 = datetime(2026, 1, 1, tzinfo=UTC)
STAGES = ("qualify", "review", "won", "lost")


@st.composite
def instances(draw: st.DrawFn) -> ProcessInstance:
    """An instance with 1 to 5 visits at millisecond times, the last maybe still open."""
    steps = draw(st.lists(st.integers(0, 10**10), min_size=1, max_size=5))
    at = T0 + timedelta(milliseconds=draw(st.integers(0, 10**9)))
    visits = []
    for n, spent in enumerate(steps):
        left = at + timedelta(milliseconds=spent)
        is_last = n == len(steps) - 1
        still = is_last and draw(st.booleans())
        visits.append(StageVisit(draw(st.sampled_from(STAGES)), at, None if still else left))
        at = left
    return ProcessInstance(
        "i", TenantId("t"), "deal", "r", visits[-1].stage, InstanceStatus.RUNNING, T0,
        visits[-1].entered_at, (), tuple(visits),
    )  # fmt: skip


def brute_force(found: list[ProcessInstance]) -> dict[str, timedelta]:
    """The average per stage as exact fractions of milliseconds, floored."""
    spans: dict[str, list[Fraction]] = {}
    for instance in found:
        for visit in instance.history:
            if visit.left_at is not None:
                ms = Fraction((visit.left_at - visit.entered_at) // timedelta(microseconds=1), 1000)
                spans.setdefault(visit.stage, []).append(ms)
    return {stage: timedelta(milliseconds=int(sum(v) / len(v))) for stage, v in spans.items()}


class TestAverageTimePerStage:
    """average_stage_times against a brute-force reference."""

    @settings(max_examples=200)
    @given(st.lists(instances(), max_size=6))
    def test_agrees_with_brute_force(self, found: list[ProcessInstance]) -> None:
        """Same stages, same floored millisecond averages."""
        assert average_stage_times(found) == brute_force(found)

    @settings(max_examples=15, deadline=None)
    @given(st.lists(instances(), min_size=1, max_size=4))
    def test_service_query_reads_the_stored_instances(self, found: list[ProcessInstance]) -> None:
        """The monitoring query averages what is stored for the process."""
        where = place(InMemoryStorage(), customers=1)
        sales_process(where)
        stored = []
        with where.uow() as uow:
            for n, instance in enumerate(found):
                copy = ProcessInstance(
                    f"i{n}", where.tenant, "deal", "r", instance.stage, instance.status,
                    instance.started_at, instance.stage_entered_at, (), instance.history,
                )  # fmt: skip
                stored.append(uow.records(PROCESS_INSTANCES).add(copy))
            uow.commit()
        assert where.services.processes.average_time_per_stage("deal") == brute_force(stored)
