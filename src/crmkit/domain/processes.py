"""业务流程管理 Business processes: stages with tasks for roles, transitions with conditions.

A :class:`ProcessDefinition` lists its stages (the first is where an instance starts; a
stage no transition leaves ends the process) and its transitions, each with an optional
condition (JSON, :mod:`crmkit.domain.conditions`) over the values the caller hands in.
A :class:`ProcessInstance` runs one definition for one record: it keeps the tasks of the
stages it entered and its history (each stage visit with when it was entered and left).

An instance may leave a stage when every task of that stage is done and the condition of
the transition it takes holds. Monitoring reads instances: per stage, overdue tasks, and
the average time per stage over finished visits (:func:`average_stage_times`).
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from datetime import datetime, timedelta

import attrs

from crmkit.domain.errors import CrmkitError
from crmkit.domain.ids import TenantId
from crmkit.domain.records import FieldKind, RecordType, scalar, text

MAX_STAGES = 30
MAX_TASKS = 10
MAX_TRANSITIONS = 60


class ProcessStepRefused(CrmkitError):
    """A process instance cannot take this step: its stage has open tasks, no such
    transition leaves the stage, its condition does not hold, or the user may not do
    the task."""

    code = "process_step_refused"

    def __init__(self, process: str, record: str, stage: str, reason: str) -> None:
        super().__init__(
            f"process {process!r} of record {record!r} cannot move on from stage "
            f"{stage!r}: {reason}.",
            process=process,
            record=record,
            stage=stage,
            reason=reason,
        )


@attrs.frozen
class StageTask:
    """A task of a stage, for a user with ``role``, due ``due_in_days`` after the stage
    is entered."""

    title: str
    role: str
    due_in_days: int = 1


@attrs.frozen
class ProcessStage:
    """A stage of a process and the tasks it creates when an instance enters it."""

    code: str
    name: str
    tasks: tuple[StageTask, ...] = ()


@attrs.frozen
class Transition:
    """From stage ``source`` to ``target`` when ``condition`` (JSON text, ``""`` for
    always) holds."""

    source: str
    target: str
    condition: str = ""


@attrs.frozen
class ProcessDefinition:
    """A business process: its stages (the first is the start) and transitions."""

    id: str
    tenant_id: TenantId
    code: str
    name: str
    stages: tuple[ProcessStage, ...]
    transitions: tuple[Transition, ...]
    created_at: datetime
    version: int = 1

    def stage(self, code: str) -> ProcessStage | None:
        """The stage ``code``, if the process has one."""
        return next((s for s in self.stages if s.code == code), None)

    def leaving(self, code: str) -> tuple[Transition, ...]:
        """The transitions out of stage ``code``."""
        return tuple(t for t in self.transitions if t.source == code)


class InstanceStatus(enum.Enum):
    """Whether an instance still runs."""

    RUNNING = "running"
    COMPLETED = "completed"


@attrs.frozen
class InstanceTask:
    """A task of an instance (numbered from 1 in the order created)."""

    no: int
    stage: str
    title: str
    role: str
    due_at: datetime
    done_at: datetime | None = None
    done_by: str | None = None


@attrs.frozen
class StageVisit:
    """One stay of an instance in a stage (``left_at`` is ``None`` while it stays)."""

    stage: str
    entered_at: datetime
    left_at: datetime | None = None
    by: str | None = None


@attrs.frozen
class ProcessInstance:
    """One run of process ``process_code`` for record ``record_id``."""

    id: str
    tenant_id: TenantId
    process_code: str
    record_id: str
    stage: str
    status: InstanceStatus
    started_at: datetime
    stage_entered_at: datetime
    tasks: tuple[InstanceTask, ...]
    history: tuple[StageVisit, ...]
    version: int = 1

    def open_tasks(self) -> tuple[InstanceTask, ...]:
        """The tasks of the current stage not done yet."""
        return tuple(t for t in self.tasks if t.stage == self.stage and t.done_at is None)


def stage_tasks(stage: ProcessStage, first_no: int, at: datetime) -> tuple[InstanceTask, ...]:
    """The tasks entering ``stage`` at ``at`` creates, numbered from ``first_no``."""
    return tuple(
        InstanceTask(first_no + n, stage.code, t.title, t.role, at + timedelta(days=t.due_in_days))
        for n, t in enumerate(stage.tasks)
    )


def enter(
    instance: ProcessInstance, definition: ProcessDefinition, target: str, at: datetime, by: str
) -> ProcessInstance:
    """``instance`` moved into stage ``target`` at ``at`` by user ``by`` (its current visit
    closed, the new stage's tasks created, completed if no transition leaves it)."""
    stage = definition.stage(target)
    assert stage is not None  # the definition was checked when saved
    history = (*instance.history[:-1], attrs.evolve(instance.history[-1], left_at=at, by=by))
    done = not definition.leaving(target)
    return attrs.evolve(
        instance,
        stage=target,
        status=InstanceStatus.COMPLETED if done else InstanceStatus.RUNNING,
        stage_entered_at=at,
        tasks=(*instance.tasks, *stage_tasks(stage, len(instance.tasks) + 1, at)),
        history=(*history, StageVisit(target, at, at if done else None, by if done else None)),
    )


def average_stage_times(instances: Iterable[ProcessInstance]) -> dict[str, timedelta]:
    """The average time spent per stage over every finished visit (a visit to an end stage
    takes no time), by stage code; stages never left are absent. Averages are whole
    milliseconds, rounded down."""
    totals: dict[str, tuple[int, int]] = {}
    for instance in instances:
        for visit in instance.history:
            if visit.left_at is None:
                continue
            spent = (visit.left_at - visit.entered_at) // timedelta(milliseconds=1)
            total, count = totals.get(visit.stage, (0, 0))
            totals[visit.stage] = (total + spent, count + 1)
    return {
        stage: timedelta(milliseconds=total // count)
        for stage, (total, count) in sorted(totals.items())
    }


PROCESS_DEFINITIONS: RecordType[ProcessDefinition] = RecordType(
    ProcessDefinition,
    entity="ProcessDefinition",
    name="process_definition",
    fields=(
        text("id", 32),
        text("code", 32, indexed=True),
        text("name", 200),
        scalar("created_at", FieldKind.DATETIME),
    ),
    unique=(("code",),),
    nested=("stages", "transitions"),
)
PROCESS_INSTANCES: RecordType[ProcessInstance] = RecordType(
    ProcessInstance,
    entity="ProcessInstance",
    name="process_instance",
    fields=(
        text("id", 32),
        text("process_code", 32, indexed=True),
        text("record_id", 64, indexed=True),
        text("stage", 32, indexed=True),
        text("status", 16, indexed=True),
        scalar("started_at", FieldKind.DATETIME),
        scalar("stage_entered_at", FieldKind.DATETIME),
    ),
    nested=("tasks", "history"),
)
