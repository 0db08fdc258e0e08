"""Visits (拜访): planned -> checked in -> steps in order -> completed | cancelled | missed."""

from __future__ import annotations

import enum
import math
from datetime import datetime, timedelta
from decimal import Decimal

import attrs

from crmkit.domain.errors import InvalidStateTransition, ValidationError
from crmkit.domain.field_work.errors import (
    OutsideRadius,
    StepInvalid,
    StepOutOfOrder,
    StepsMissing,
    VisitMissed,
)
from crmkit.domain.field_work.templates import FieldValue, StepKind, VisitActionTemplate, check_form
from crmkit.domain.ids import TenantId, new_id
from crmkit.domain.lifecycle import require_status
from crmkit.domain.records import FieldKind, RecordType, decimal, scalar, text
from crmkit.domain.text import clean_text
from crmkit.domain.timestamps import utc_millis

EARTH_RADIUS_METRES = 6_371_008.8
"""The mean Earth radius (IUGG) the great-circle distance uses."""


class VisitStatus(enum.Enum):
    """Where a visit stands."""

    PLANNED = "planned"
    CHECKED_IN = "checked_in"
    COMPLETED = "completed"
    CANCELLED = "cancelled"
    MISSED = "missed"


@attrs.frozen
class StepEntry:
    """A step done during a visit: when, and its checked values (form steps)."""

    step_code: str
    at: datetime
    values: tuple[FieldValue, ...] = ()


def distance_metres(
    latitude: Decimal, longitude: Decimal, other_latitude: Decimal, other_longitude: Decimal
) -> int:
    """The great-circle (haversine) distance between two map points, in whole metres, rounded
    half up. Trigonometry needs binary floats; the result is a whole number of metres."""
    phi1, phi2 = math.radians(float(latitude)), math.radians(float(other_latitude))
    d_phi = phi2 - phi1
    d_lambda = math.radians(float(other_longitude) - float(longitude))
    h = math.sin(d_phi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(d_lambda / 2) ** 2
    return math.floor(2 * EARTH_RADIUS_METRES * math.asin(min(1.0, math.sqrt(h))) + 0.5)


@attrs.frozen
class Visit:
    """A rep's visit to a customer, following one version of its visit type's template."""

    id: str
    tenant_id: TenantId
    customer_id: str
    rep_id: str
    visit_type: str
    template_id: str
    template_version: int
    planned_at: datetime
    status: VisitStatus
    checked_in_at: datetime | None
    latitude: Decimal | None
    longitude: Decimal | None
    distance_metres: int | None
    checked_out_at: datetime | None
    cancel_reason: str | None
    created_at: datetime
    entries: tuple[StepEntry, ...]
    version: int = 1

    @classmethod
    def plan(
        cls,
        tenant_id: TenantId,
        *,
        customer_id: str,
        rep_id: str,
        template: VisitActionTemplate,
        planned_at: datetime,
        now: datetime,
    ) -> Visit:
        """A planned visit keeping ``template``'s version."""
        return cls(
            id=new_id(),
            tenant_id=tenant_id,
            customer_id=customer_id,
            rep_id=rep_id,
            visit_type=template.visit_type,
            template_id=template.id,
            template_version=template.version_no,
            planned_at=utc_millis(planned_at),
            status=VisitStatus.PLANNED,
            checked_in_at=None,
            latitude=None,
            longitude=None,
            distance_metres=None,
            checked_out_at=None,
            cancel_reason=None,
            created_at=utc_millis(now),
            entries=(),
        )

    def deadline(self, template: VisitActionTemplate) -> datetime:
        """The last moment the visit can be checked in."""
        return self.planned_at + timedelta(minutes=template.grace_minutes)

    def is_overdue(self, template: VisitActionTemplate, now: datetime) -> bool:
        """Planned and not checked in by the planned start plus the grace period."""
        return self.status is VisitStatus.PLANNED and now > self.deadline(template)

    def checked_in(
        self,
        template: VisitActionTemplate,
        *,
        now: datetime,
        latitude: Decimal,
        longitude: Decimal,
        customer_point: tuple[Decimal, Decimal] | None,
        customer_code: str,
    ) -> Visit:
        """The visit checked in at ``now`` at the given location.

        Raises:
            InvalidStateTransition: it is not planned.
            VisitMissed: ``now`` is after the planned start plus the grace period.
            OutsideRadius: the template has a radius and the location is outside it.
            ValidationError: the template has a radius and the customer has no map point.
        """
        self._must_be((VisitStatus.PLANNED,), "check in")
        if self.is_overdue(template, now):
            raise VisitMissed(self.id, self.deadline(template))
        distance = None
        if customer_point is not None:
            distance = distance_metres(latitude, longitude, *customer_point)
        if template.radius_metres is not None:
            if distance is None:
                raise ValidationError(
                    f"visit type {template.visit_type!r} checks in within "
                    f"{template.radius_metres} m of the customer, but customer "
                    f"{customer_code!r} has no map point; set its map point first."
                )
            if distance > template.radius_metres:
                raise OutsideRadius(self.id, customer_code, distance, template.radius_metres)
        entry = StepEntry(template.steps[0].code, utc_millis(now))
        return attrs.evolve(
            self,
            status=VisitStatus.CHECKED_IN,
            checked_in_at=utc_millis(now),
            latitude=latitude,
            longitude=longitude,
            distance_metres=distance,
            entries=(entry,),
        )

    def next_steps(self, template: VisitActionTemplate) -> list[str]:
        """Codes of the steps not done yet that may come next (optional ones may be skipped)."""
        done = {e.step_code for e in self.entries}
        last = max((i for i, s in enumerate(template.steps) if s.code in done), default=-1)
        found = []
        for step in template.steps[last + 1 :]:
            found.append(step.code)
            if step.required:
                break
        return found

    def with_step(
        self, template: VisitActionTemplate, code: str, values: object, now: datetime
    ) -> Visit:
        """The visit with form or shelf-check step ``code`` done.

        Raises:
            InvalidStateTransition: it is not checked in.
            StepInvalid: no such step, or a check-in/check-out step, or bad values.
            StepOutOfOrder: a required step before it is not done, or it is done.
        """
        self._must_be((VisitStatus.CHECKED_IN,), f"fill in step {code!r} of")
        step = template.step(code) if isinstance(code, str) else None
        if step is None or step.kind in (StepKind.CHECK_IN, StepKind.CHECK_OUT):
            raise StepInvalid(
                f"visit {self.id!r} (template {template.visit_type!r} v{template.version_no}) "
                f"has no form or shelf-check step {code!r}."
            )
        allowed = self.next_steps(template)
        if code not in allowed:
            raise StepOutOfOrder(self.id, code, allowed[0] if allowed else None)
        filled = check_form(self.id, step, values) if step.kind is StepKind.FORM else ()
        entry = StepEntry(code, utc_millis(now), filled)
        return attrs.evolve(self, entries=(*self.entries, entry))

    def completed(self, template: VisitActionTemplate, now: datetime) -> Visit:
        """The visit checked out and completed.

        Raises:
            InvalidStateTransition: it is not checked in.
            StepsMissing: a required step is not done.
        """
        self._must_be((VisitStatus.CHECKED_IN,), "check out")
        done = {e.step_code for e in self.entries}
        missing = [
            s.code
            for s in template.steps
            if s.required and s.kind is not StepKind.CHECK_OUT and s.code not in done
        ]
        if missing:
            raise StepsMissing(self.id, missing)
        entry = StepEntry(template.steps[-1].code, utc_millis(now))
        return attrs.evolve(
            self,
            status=VisitStatus.COMPLETED,
            checked_out_at=utc_millis(now),
            entries=(*self.entries, entry),
        )

    def cancelled(self, reason: object) -> Visit:
        """The visit cancelled with a reason.

        Raises:
            InvalidStateTransition: it is completed, cancelled or missed.
            ValidationError: no reason.
        """
        self._must_be((VisitStatus.PLANNED, VisitStatus.CHECKED_IN), "cancel")
        why = clean_text(reason, f"cancel reason of visit {self.id!r}", max_length=200)
        return attrs.evolve(self, status=VisitStatus.CANCELLED, cancel_reason=why)

    def missed(self, template: VisitActionTemplate, now: datetime) -> Visit:
        """The visit marked missed.

        Raises:
            InvalidStateTransition: it is not planned, or its deadline has not passed.
        """
        if not self.is_overdue(template, now):
            raise InvalidStateTransition("Visit", self.id, self.status.value, "mark missed")
        return attrs.evolve(self, status=VisitStatus.MISSED)

    def _must_be(self, allowed: tuple[VisitStatus, ...], action: str) -> None:
        require_status("Visit", self.id, self.status, allowed, action)


VISITS: RecordType[Visit] = RecordType(
    Visit,
    entity="Visit",
    name="visit",
    fields=(
        text("id", 32),
        text("customer_id", 32, indexed=True),
        text("rep_id", 32, indexed=True),
        text("visit_type", 32, indexed=True),
        text("template_id", 32),
        scalar("template_version", FieldKind.INTEGER),
        scalar("planned_at", FieldKind.DATETIME, indexed=True),
        text("status", 16, indexed=True),
        scalar("checked_in_at", FieldKind.DATETIME, nullable=True),
        decimal("latitude", 9, 6, nullable=True),
        decimal("longitude", 10, 6, nullable=True),
        scalar("distance_metres", FieldKind.INTEGER, nullable=True),
        scalar("checked_out_at", FieldKind.DATETIME, nullable=True),
        text("cancel_reason", 200, nullable=True),
        scalar("created_at", FieldKind.DATETIME),
    ),
    nested=("entries",),
)
