"""The base of the services of one tenant: its units of work and the clock."""

from __future__ import annotations

from collections.abc import Callable

from crmkit.services.ports import Clock, UnitOfWork


class TenantService:
    """A service of one tenant, built from its unit-of-work factory and the clock."""

    def __init__(self, unit_of_work: Callable[[], UnitOfWork], clock: Clock) -> None:
        self._uow = unit_of_work
        self._clock = clock
