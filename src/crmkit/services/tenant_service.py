"""The base of the services of one tenant: its units of work and the clock."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from crmkit.domain import ConcurrencyConflict
from crmkit.domain.records import RecordType
from crmkit.services.ports import Clock, UnitOfWork
from crmkit.services.retry import DEFAULT_ATTEMPTS, retrying
from crmkit.services.store_ports import RecordStore

T = TypeVar("T")
R = TypeVar("R")

MAX_LISTED = 500
"""The most records a listing returns (the first ones in its order)."""


def expect_version(
    uow: UnitOfWork, entity: str, record_id: str, version: int, expected: int | None
) -> None:
    """Refuse a change of a record read at ``version`` if the caller expected another.

    Raises:
        ConcurrencyConflict: ``expected`` is given and is not ``version``.
    """
    if expected is not None and version != expected:
        raise ConcurrencyConflict(
            entity,
            record_id,
            uow.tenant_id,
            f"expected version {expected}, stored version is {version}",
        )


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

    def _retried(self, step: Callable[[UnitOfWork], T], attempts: int = DEFAULT_ATTEMPTS) -> T:
        """:meth:`_committed`, run again from the start after a concurrency conflict (at
        least ``attempts`` times, see :func:`~crmkit.services.retry.retrying`)."""
        return retrying(lambda: self._committed(step), attempts=attempts)

    def _add(
        self, store: Callable[[UnitOfWork], RecordStore[R, Any]], make: Callable[[UnitOfWork], R]
    ) -> R:
        """Add the record ``make`` builds to the unit of work's ``store``, and return it."""
        with self._uow() as uow:
            record = make(uow)
            store(uow).add(record)
            uow.commit()
        return record

    def _add_record(self, kind: RecordType[R], make: Callable[[UnitOfWork], R]) -> R:
        """Store the record ``make`` builds in the unit of work, and return it as stored."""
        return self._committed(lambda uow: uow.records(kind).add(make(uow)))

    def _record(self, kind: RecordType[R], key: str) -> R:
        """The record of ``kind`` with this key, read in a unit of work of its own.

        Raises:
            NotFound: no such record in the tenant.
        """
        with self._uow() as uow:
            return uow.records(kind).get(key)

    def _listed(
        self, kind: RecordType[R], *filters: object, order_by: str | None = None
    ) -> list[R]:
        """The first :data:`MAX_LISTED` records of ``kind`` matching every filter, in the
        order of ``order_by`` (by key if not given)."""
        with self._uow() as uow:
            page = uow.records(kind).find(*filters, order_by=order_by, limit=MAX_LISTED)
        return list(page.items)

    def _update_record(self, kind: RecordType[R], change: Callable[[UnitOfWork], R]) -> R:
        """Store the changed record ``change`` returns (retried after a conflict)."""
        return self._retried(lambda uow: uow.records(kind).update(change(uow)))
