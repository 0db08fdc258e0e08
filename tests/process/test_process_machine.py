"""Process instances as a state machine: random starts, task completions, advances and
time, against a model of where each instance stands; refused steps change nothing."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

import attrs
import pytest
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    Bundle,
    RuleBasedStateMachine,
    initialize,
    invariant,
    rule,
    run_state_machine_as_test,
)

from crmkit.domain.front_office.people import Role
from crmkit.errors import ProcessStepRefused
from crmkit.process import InstanceStatus
from crmkit.services import Storage
from tests.process.support import Place, place
from tests.process.test_processes import STAGES, TRANSITIONS, sales_process

ROLE_OF = {s.code: tuple(t.role for t in s.tasks) for s in STAGES}
ENDS = {"won", "lost"}


@attrs.define
class Model:
    """Where one instance stands: stage, open task count, stages visited, ended."""

    stage: str = "qualify"
    open: int = 1
    visited: list[str] = attrs.field(factory=lambda: ["qualify"])
    done: bool = False


def allowed(stage: str, target: str, amount: Decimal) -> bool:
    """Whether the model lets an instance in ``stage`` move to ``target``."""
    for move in TRANSITIONS:
        if (move.source, move.target) != (stage, target):
            continue
        if move.condition == "":
            return True
        big = '"gt"' in move.condition
        return amount > 1000 if big else amount <= 1000
    return False


def machine(storage: Storage) -> type[RuleBasedStateMachine]:
    """A state machine over process instances stored in ``storage``."""

    class ProcessMachine(RuleBasedStateMachine):
        instances = Bundle("instances")

        @initialize()
        def setup(self) -> None:
            self.where: Place = place(storage, customers=1)
            sales_process(self.where)
            self.models: dict[str, Model] = {}
            self.users = {
                Role.REP: self.where.rep,
                Role.MANAGER: self.where.manager,
                Role.ADMIN: self.where.admin,
            }

        @rule(target=instances, record=st.sampled_from(["C-1", "C-2", "C-3"]))
        def start(self, record: str) -> str:
            started = self.where.services.processes.start("deal", record)
            self.models[started.id] = Model()
            return started.id

        @rule(instance=instances, role=st.sampled_from(list(Role)))
        def complete(self, instance: str, role: Role) -> None:
            model = self.models[instance]
            ok = model.open > 0 and role.value in (*ROLE_OF[model.stage], "admin")
            self._attempt(
                ok,
                lambda: self.where.services.processes.complete_task(
                    instance, len(self._tasks(instance)) - model.open + 1,
                    user_id=self.users[role].id,
                ),
            )  # fmt: skip
            if ok:
                model.open -= 1

        @rule(
            instance=instances,
            to=st.sampled_from([s.code for s in STAGES]),
            amount=st.sampled_from([Decimal(5), Decimal(1000), Decimal(1001)]),
        )
        def advance(self, instance: str, to: str, amount: Decimal) -> None:
            model = self.models[instance]
            ok = not model.done and model.open == 0 and allowed(model.stage, to, amount)
            self._attempt(
                ok,
                lambda: self.where.services.processes.advance(
                    instance, to, user_id=self.where.admin.id, values={"amount": amount}
                ),
            )
            if ok:
                model.stage = to
                model.open = len(ROLE_OF[to])
                model.visited.append(to)
                model.done = to in ENDS

        @rule(hours=st.integers(1, 30))
        def tick(self, hours: int) -> None:
            self.where.clock.advance(timedelta(hours=hours))

        def _tasks(self, instance: str) -> tuple[Any, ...]:
            return self.where.services.processes.get(instance).tasks

        def _attempt(self, ok: bool, step: Any) -> None:
            if ok:
                step()
                return
            before = self.where.snapshot()
            with pytest.raises(ProcessStepRefused):
                step()
            assert self.where.snapshot() == before

        @invariant()
        def stored_matches_model(self) -> None:
            if not hasattr(self, "models"):
                return
            for instance_id, model in self.models.items():
                stored = self.where.services.processes.get(instance_id)
                assert stored.stage == model.stage
                assert len(stored.open_tasks()) == model.open
                assert [v.stage for v in stored.history] == model.visited
                assert (stored.status is InstanceStatus.COMPLETED) == model.done
                assert sum(v.left_at is None for v in stored.history) == (0 if model.done else 1)
            counts = self.where.services.processes.instances_per_stage("deal")
            running = [m.stage for m in self.models.values() if not m.done]
            assert counts == {s.code: running.count(s.code) for s in STAGES}

    return ProcessMachine


@pytest.mark.parametrize(
    "backend",
    [
        pytest.param("memory", marks=pytest.mark.memory),
        pytest.param("sqlite", marks=pytest.mark.sqlite),
    ],
)
def test_process_instances_follow_the_model(backend: str, request: pytest.FixtureRequest) -> None:
    """Random steps on process instances keep stage, tasks, history and counts as modelled."""
    storage: Storage = request.getfixturevalue(f"{backend}_storage")
    examples = 25 if backend == "memory" else 8
    run_state_machine_as_test(
        machine(storage),
        settings=settings(max_examples=examples, stateful_step_count=25, deadline=None),
    )
