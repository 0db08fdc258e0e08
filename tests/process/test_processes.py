"""Business processes on every backend: instances move through stages when their tasks are
done and a transition's condition holds; monitoring counts, lists and averages them."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import timedelta
from decimal import Decimal

import pytest

from crmkit.errors import NotFound, ProcessStepRefused
from crmkit.process import (
    InstanceStatus,
    ProcessStage,
    StageTask,
    Transition,
    condition_to_json,
    gt,
    le,
)
from crmkit.services import Storage
from tests.process.support import Place, place

BIG = json.dumps(condition_to_json(gt("amount", Decimal(1000))))
SMALL = json.dumps(condition_to_json(le("amount", Decimal(1000))))
STAGES = (
    ProcessStage("qualify", "Qualify", (StageTask("Call the buyer", "rep", 1),)),
    ProcessStage("review", "Manager review", (StageTask("Check the terms", "manager", 2),)),
    ProcessStage("won", "Won"),
    ProcessStage("lost", "Lost"),
)
TRANSITIONS = (
    Transition("qualify", "review", BIG),
    Transition("qualify", "won", SMALL),
    Transition("qualify", "lost"),
    Transition("review", "won"),
    Transition("review", "lost"),
)


def sales_process(where: Place) -> None:
    """Define the ``deal`` process of :data:`STAGES` and :data:`TRANSITIONS`."""
    where.services.processes.define("deal", "Deal", STAGES, TRANSITIONS)


class TestInstances:
    """An instance goes stage by stage and keeps its tasks and history."""

    def test_big_deal_goes_through_review(self, storage: Storage) -> None:
        """Tasks of each stage are done by their role; the condition picks the path."""
        where = place(storage)
        sales_process(where)
        processes = where.services.processes
        started = processes.start("deal", "C-1")
        assert (started.stage, started.status) == ("qualify", InstanceStatus.RUNNING)
        assert [(t.no, t.role) for t in started.open_tasks()] == [(1, "rep")]
        processes.complete_task(started.id, 1, user_id=where.rep.id)
        where.clock.advance(timedelta(hours=5))
        big = {"amount": Decimal(5000)}
        with pytest.raises(ProcessStepRefused):
            processes.advance(started.id, "won", user_id=where.rep.id, values=big)
        reviewed = processes.advance(started.id, "review", user_id=where.rep.id, values=big)
        assert [(t.no, t.role) for t in reviewed.open_tasks()] == [(2, "manager")]
        processes.complete_task(started.id, 2, user_id=where.manager.id)
        where.clock.advance(timedelta(hours=3))
        done = processes.advance(started.id, "won", user_id=where.manager.id)
        assert (done.stage, done.status) == ("won", InstanceStatus.COMPLETED)
        assert [(v.stage, v.left_at is not None) for v in done.history] == [
            ("qualify", True),
            ("review", True),
            ("won", True),
        ]
        assert processes.get(started.id) == done

    def test_monitoring(self, storage: Storage) -> None:
        """Instances per stage, overdue tasks and the average time per stage."""
        where = place(storage)
        sales_process(where)
        processes = where.services.processes
        first = processes.start("deal", "C-1")
        second = processes.start("deal", "C-2")
        processes.start("deal", "C-3")
        for instance in (first, second):
            processes.complete_task(instance.id, 1, user_id=where.rep.id)
        where.clock.advance(timedelta(hours=2))
        processes.advance(first.id, "lost", user_id=where.rep.id)
        where.clock.advance(timedelta(hours=4))
        processes.advance(second.id, "won", user_id=where.rep.id, values={"amount": Decimal(9)})
        assert processes.instances_per_stage("deal") == {
            "qualify": 1,
            "review": 0,
            "won": 0,
            "lost": 0,
        }
        averages = processes.average_time_per_stage("deal")
        assert averages == {
            "lost": timedelta(0),
            "qualify": timedelta(hours=4),
            "won": timedelta(0),
        }
        assert processes.overdue_tasks() == []
        where.clock.advance(timedelta(days=1))
        (late,) = processes.overdue_tasks()
        assert (late.record_id, late.task.title) == ("C-3", "Call the buyer")


class TestRefusals:
    """Every refused step raises the documented error and changes nothing."""

    def test_refused_steps_change_nothing(self, storage: Storage) -> None:
        """Open tasks, wrong role, false condition, unknown stage, completed instance."""
        where = place(storage)
        sales_process(where)
        processes = where.services.processes
        instance = processes.start("deal", "C-1")
        attempts: list[Callable[[], object]] = [
            lambda: processes.advance(instance.id, "lost", user_id=where.rep.id),
            lambda: processes.complete_task(instance.id, 1, user_id=where.manager.id),
            lambda: processes.complete_task(instance.id, 7, user_id=where.rep.id),
        ]
        for attempt in attempts:
            before = where.snapshot()
            with pytest.raises(ProcessStepRefused):
                attempt()
            assert where.snapshot() == before
        processes.complete_task(instance.id, 1, user_id=where.admin.id)
        small = {"amount": Decimal(10)}
        for target in ("review", "nowhere", "qualify"):
            before = where.snapshot()
            with pytest.raises(ProcessStepRefused):
                processes.advance(instance.id, target, user_id=where.rep.id, values=small)
            assert where.snapshot() == before
        processes.advance(instance.id, "lost", user_id=where.rep.id)
        before = where.snapshot()
        with pytest.raises(ProcessStepRefused, match="completed"):
            processes.advance(instance.id, "won", user_id=where.rep.id)
        with pytest.raises(NotFound):
            processes.start("no-such", "C-1")
        assert where.snapshot() == before
