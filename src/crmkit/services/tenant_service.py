"""The base of the services of one tenant: its units of work and the clock."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from crmkit.domain.records import RecordType
from crmkit.services.ports import Clock, UnitOfWork
from crmkit.services.retry import retrying

T = TypeVar("T")
R = TypeVar("R")


class TenantService:
    """A service of one tenant, built from its unit-of-work factory and the clock."""

    def __init__(self, unit_of_work: Callable[[], UnitOfWork], clock: Clock) -> None:
        self._uow = unit_of_work
        self._clock = clock

    def _committed(self, step: Callable[[UnitOfWork], T]) -> T:
        """Run ``step`` in one unit of work and commit what it wrote."""
        with self._uow() as uow:
            result = step(uow)
            uow.commit()
        return result

    def _retried(self, step: Callable[[UnitOfWork], T]) -> T:
        """:meth:`_committed`, run again from the start after a concurrency conflict."""
        return retrying(lambda: self._committed(step))

    def _add_record(self, kind: RecordType[R], make: Callable[[UnitOfWork], R]) -> R:
        """Store the record ``make`` builds in the unit of work, and return it as stored."""
        return self._committed(lambda uow: uow.records(kind).add(make(uow)))

    def _update_record(self, kind: RecordType[R], change: Callable[[UnitOfWork], R]) -> R:
        """Store the changed record ``change`` returns (retried after a conflict)."""
        return self._retried(lambda uow: uow.records(kind).update(change(uow)))
