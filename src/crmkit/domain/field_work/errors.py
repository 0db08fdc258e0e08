"""Errors of field work and service, each with a stable ``code``."""

from __future__ import annotations

from datetime import datetime

from crmkit.domain.errors import CrmkitError, ValidationError

__all__ = [
    "OutsideRadius",
    "ReopenWindowClosed",
    "StepInvalid",
    "StepOutOfOrder",
    "StepsMissing",
    "VisitMissed",
]


class VisitMissed(CrmkitError):
    """The visit was not checked in by its planned start plus the grace period."""

    code = "visit_missed"
    template = (
        "visit {visit!r} could be checked in until {deadline} (planned start plus the grace "
        "period); it is missed: plan a new visit."
    )

    def __init__(self, visit: str, deadline: datetime) -> None:
        self._tell(visit=visit, deadline=deadline.isoformat())


class OutsideRadius(CrmkitError):
    """The check-in location is farther from the customer's map point than allowed."""

    code = "outside_radius"
    template = (
        "check-in of visit {visit!r} is {distance} m from customer {customer!r}, more than the "
        "{radius} m its visit type allows; check in at the store."
    )

    def __init__(self, visit: str, customer: str, distance: int, radius: int) -> None:
        self._tell(visit=visit, customer=customer, distance=distance, radius=radius)


class StepOutOfOrder(CrmkitError):
    """A visit step was filled in before the steps that come before it."""

    code = "step_out_of_order"
    template = "step {step!r} of visit {visit!r} is not the next one: {next}."

    def __init__(self, visit: str, step: str, expected: str | None) -> None:
        nxt = f"fill in step {expected!r} next" if expected else "every step is already done"
        self._tell({"next": nxt}, visit=visit, step=step)


class StepInvalid(ValidationError):
    """A filled-in step does not match its template step."""

    code = "step_invalid"


class StepsMissing(CrmkitError):
    """A visit cannot be completed while required steps are not done."""

    code = "steps_missing"
    template = "visit {visit!r} cannot be checked out: required steps {missing} are not done."

    def __init__(self, visit: str, missing: list[str]) -> None:
        self._tell(visit=visit, missing=missing)


class ReopenWindowClosed(CrmkitError):
    """A work order may be reopened only within N days of its resolution."""

    code = "reopen_window_closed"
    template = (
        "work order {number!r} could be reopened until {until}; open a new work order instead."
    )

    def __init__(self, number: str, until: datetime) -> None:
        self._tell(number=number, until=until.isoformat())
