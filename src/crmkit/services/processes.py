"""业务流程管理 ProcessService: process definitions, running instances and monitoring."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any

import attrs

from crmkit.domain import ValidationError
from crmkit.domain.conditions import InvalidCondition, condition_from_json, evaluate
from crmkit.domain.front_office.people import USERS, Role
from crmkit.domain.ids import new_id
from crmkit.domain.ids import record_id as checked_id
from crmkit.domain.processes import (
    MAX_STAGES,
    MAX_TASKS,
    MAX_TRANSITIONS,
    PROCESS_DEFINITIONS,
    PROCESS_INSTANCES,
    InstanceStatus,
    InstanceTask,
    ProcessDefinition,
    ProcessInstance,
    ProcessStage,
    ProcessStepRefused,
    StageVisit,
    Transition,
    average_stage_times,
    enter,
    stage_tasks,
)
from crmkit.domain.record_query import Equals
from crmkit.domain.text import clean_text
from crmkit.domain.timestamps import utc_millis
from crmkit.services.boundary import checked_calls
from crmkit.services.ports import UnitOfWork
from crmkit.services.tenant_service import TenantService

PAGE = 200
ROLES = frozenset(r.value for r in Role)


@attrs.frozen
class OverdueTask:
    """A task of a running instance past its due time."""

    instance_id: str
    process_code: str
    record_id: str
    task: InstanceTask


@checked_calls
class ProcessService(TenantService):
    """Business processes (业务流程管理) of one tenant: definitions, instances, monitoring."""

    def define(
        self,
        code: str,
        name: str,
        stages: Sequence[ProcessStage],
        transitions: Sequence[Transition],
    ) -> ProcessDefinition:
        """Save a process: its stages (the first is the start) and transitions; each
        transition's condition is condition JSON text (``""``: always) over the values
        handed to :meth:`advance`.

        Raises:
            ValidationError: a bad code or name; no stages, repeated stage codes, a task
                for no known role, a transition naming an unknown stage, or a stage no
                instance can reach.
            InvalidCondition: a transition's condition is malformed.
            DuplicateRecord: a process with that code exists.
        """
        the_code = clean_text(code, "process code", max_length=32)
        title = clean_text(name, "process name", max_length=200)
        checked = _checked_stages(stages)
        moves = _checked_transitions(transitions, {s.code for s in checked})
        _reachable(checked, moves)
        return self._add_record(
            PROCESS_DEFINITIONS,
            lambda uow: ProcessDefinition(new_id(), uow.tenant_id, the_code, title, checked,
                                          moves, utc_millis(self._clock.now())),
        )  # fmt: skip

    def start(self, process_code: str, record_id: str) -> ProcessInstance:
        """Start an instance of the process for a record, in its first stage.

        Raises:
            NotFound: no such process.
            ValidationError: a bad record id.
        """
        record = checked_id(record_id, "record id")

        def make(uow: UnitOfWork) -> ProcessInstance:
            definition = _definition(uow, process_code)
            now = utc_millis(self._clock.now())
            first = definition.stages[0]
            done = not definition.leaving(first.code)
            return ProcessInstance(
                new_id(), uow.tenant_id, definition.code, record, first.code,
                InstanceStatus.COMPLETED if done else InstanceStatus.RUNNING, now, now,
                stage_tasks(first, 1, now), (StageVisit(first.code, now, now if done else None),),
            )  # fmt: skip

        return self._add_record(PROCESS_INSTANCES, make)

    def get(self, instance_id: str) -> ProcessInstance:
        """The instance ``instance_id``.

        Raises:
            NotFound: no such instance.
        """
        return self._record(PROCESS_INSTANCES, instance_id)

    def complete_task(self, instance_id: str, task_no: int, *, user_id: str) -> ProcessInstance:
        """Mark open task ``task_no`` of the instance's current stage done by a user who
        has the task's role (or is an admin).

        Raises:
            NotFound: no such instance or user.
            ProcessStepRefused: no such open task in the current stage, or the user has
                another role.
        """

        def change(uow: UnitOfWork) -> ProcessInstance:
            instance = uow.records(PROCESS_INSTANCES).get(instance_id)
            user = uow.records(USERS).get(user_id)
            task = next((t for t in instance.open_tasks() if t.no == task_no), None)
            if task is None:
                raise _refused(instance, f"it has no open task {task_no}")
            if user.role.value != task.role and user.role is not Role.ADMIN:
                raise _refused(
                    instance, f"task {task.title!r} is for a {task.role}, not {user.login!r}"
                )
            now = utc_millis(self._clock.now())
            done = attrs.evolve(task, done_at=now, done_by=user.id)
            tasks = tuple(done if t.no == task_no else t for t in instance.tasks)
            return attrs.evolve(instance, tasks=tasks)

        return self._update_record(PROCESS_INSTANCES, change)

    def advance(
        self,
        instance_id: str,
        to_stage: str,
        *,
        user_id: str,
        values: Mapping[str, object] | None = None,
    ) -> ProcessInstance:
        """Move the instance to ``to_stage`` along a transition whose condition holds for
        ``values`` (the record's fields as conditions read them), once every task of its
        current stage is done. Entering a stage no transition leaves completes it.

        Raises:
            NotFound: no such instance or user.
            ProcessStepRefused: the instance is completed, has open tasks, no transition
                leads to ``to_stage``, or its condition does not hold.
        """
        target = clean_text(to_stage, "stage", max_length=32)
        given = dict(values or {})

        def change(uow: UnitOfWork) -> ProcessInstance:
            instance = uow.records(PROCESS_INSTANCES).get(instance_id)
            user = uow.records(USERS).get(user_id)
            definition = _definition(uow, instance.process_code)
            if instance.status is InstanceStatus.COMPLETED:
                raise _refused(instance, "the process is completed")
            if instance.open_tasks():
                titles = ", ".join(repr(t.title) for t in instance.open_tasks()[:3])
                raise _refused(instance, f"tasks {titles} are still open")
            now = utc_millis(self._clock.now())
            moves = [t for t in definition.leaving(instance.stage) if t.target == target]
            if not moves:
                raise _refused(instance, f"no transition leads to {target!r}")
            if not any(_holds(t, given, now) for t in moves):
                raise _refused(instance, f"the condition to enter {target!r} does not hold")
            return enter(instance, definition, target, now, user.id)

        return self._update_record(PROCESS_INSTANCES, change)

    def instances_per_stage(self, process_code: str) -> dict[str, int]:
        """How many running instances of the process are in each of its stages (every
        stage listed, in the definition's order).

        Raises:
            NotFound: no such process.
        """
        with self._uow() as uow:
            definition = _definition(uow, process_code)
        counts = dict.fromkeys((s.code for s in definition.stages), 0)
        for instance in self._instances(definition.code):
            if instance.status is InstanceStatus.RUNNING:
                counts[instance.stage] += 1
        return counts

    def overdue_tasks(self, as_of: datetime | None = None) -> list[OverdueTask]:
        """Open tasks of running instances of every process due before ``as_of`` (now by
        the clock), most overdue first."""
        moment = utc_millis(self._clock.now() if as_of is None else as_of)
        found = [
            OverdueTask(i.id, i.process_code, i.record_id, t)
            for i in self._instances(None)
            if i.status is InstanceStatus.RUNNING
            for t in i.open_tasks()
            if t.due_at < moment
        ]
        return sorted(found, key=lambda o: (o.task.due_at, o.instance_id, o.task.no))

    def average_time_per_stage(self, process_code: str) -> dict[str, timedelta]:
        """The average time instances of the process spent in each stage they left
        (see :func:`~crmkit.domain.processes.average_stage_times`).

        Raises:
            NotFound: no such process.
        """
        with self._uow() as uow:
            definition = _definition(uow, process_code)
        return average_stage_times(self._instances(definition.code))

    def _instances(self, process_code: str | None) -> list[ProcessInstance]:
        found: list[ProcessInstance] = []
        after: str | None = None
        filters = () if process_code is None else (Equals("process_code", process_code),)
        with self._uow() as uow:
            while True:
                page = uow.records(PROCESS_INSTANCES).find(*filters, after=after, limit=PAGE)
                found.extend(page.items)
                if page.next_cursor is None:
                    return found
                after = page.next_cursor


def _definition(uow: UnitOfWork, code: object) -> ProcessDefinition:
    the_code = clean_text(code, "process code", max_length=32)
    return uow.records(PROCESS_DEFINITIONS).get_by("code", the_code)


def _refused(instance: ProcessInstance, reason: str) -> ProcessStepRefused:
    return ProcessStepRefused(instance.process_code, instance.record_id, instance.stage, reason)


def _holds(transition: Transition, values: Mapping[str, object], now: datetime) -> bool:
    if not transition.condition:
        return True
    return evaluate(condition_from_json(json.loads(transition.condition)), values, now=now)


def _checked_stages(stages: Sequence[ProcessStage]) -> tuple[ProcessStage, ...]:
    if isinstance(stages, str) or not 1 <= len(stages) <= MAX_STAGES:
        raise ValidationError(f"a process has 1 to {MAX_STAGES} stages.", field="stages")
    checked: list[ProcessStage] = []
    for stage in stages:
        code = clean_text(stage.code, "stage code", max_length=32)
        if not 0 <= len(stage.tasks) <= MAX_TASKS:
            raise ValidationError(f"stage {code!r} has at most {MAX_TASKS} tasks.", field="stages")
        tasks = []
        for task in stage.tasks:
            if task.role not in ROLES:
                raise ValidationError(
                    f"task {task.title!r} of stage {code!r} is for role {task.role!r}; roles "
                    f"are {sorted(ROLES)}.",
                    field="stages",
                )
            if not 0 <= task.due_in_days <= 3660:
                raise ValidationError("a task is due 0 to 3660 days in.", field="stages")
            title = clean_text(task.title, "task title", max_length=200)
            tasks.append(attrs.evolve(task, title=title))
        name = clean_text(stage.name, "stage name", max_length=200)
        checked.append(ProcessStage(code, name, tuple(tasks)))
    codes = [s.code for s in checked]
    if len(set(codes)) != len(codes):
        raise ValidationError("stage codes must differ within a process.", field="stages")
    return tuple(checked)


def _checked_transitions(
    transitions: Sequence[Transition], codes: set[str]
) -> tuple[Transition, ...]:
    if isinstance(transitions, str) or len(transitions) > MAX_TRANSITIONS:
        raise ValidationError(f"a process has at most {MAX_TRANSITIONS} transitions.")
    checked: list[Transition] = []
    for move in transitions:
        if move.source not in codes or move.target not in codes or move.source == move.target:
            raise ValidationError(
                f"transition {move.source!r} -> {move.target!r} must join two different "
                f"stages of the process.",
                field="transitions",
            )
        if move.condition:
            try:
                data: Any = json.loads(move.condition)
            except ValueError:
                raise InvalidCondition(
                    f"the condition of {move.source!r} -> {move.target!r} is not JSON.",
                    field="transitions",
                ) from None
            if not isinstance(data, dict):
                raise InvalidCondition("a transition's condition is a JSON object.")
            condition_from_json(data)
        checked.append(move)
    return tuple(checked)


def _reachable(stages: tuple[ProcessStage, ...], moves: tuple[Transition, ...]) -> None:
    seen = {stages[0].code}
    todo = [stages[0].code]
    while todo:
        here = todo.pop()
        for move in moves:
            if move.source == here and move.target not in seen:
                seen.add(move.target)
                todo.append(move.target)
    unreachable = [s.code for s in stages if s.code not in seen]
    if unreachable:
        raise ValidationError(
            f"stages {unreachable} cannot be reached from the first stage {stages[0].code!r}.",
            field="transitions",
        )
