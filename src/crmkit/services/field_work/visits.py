"""Visit action templates and visits: plan, check in, fill steps, check out, cancel, miss."""

from __future__ import annotations

from collections import deque
from datetime import UTC, date, datetime, time, timedelta
from decimal import ROUND_HALF_EVEN, Decimal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from crmkit.domain import NotFound, ProductId, ValidationError
from crmkit.domain.field_work.shelf import SHELF_CHECKS, ShelfCheck
from crmkit.domain.field_work.templates import (
    VISIT_ACTION_TEMPLATES,
    Step,
    StepKind,
    VisitActionTemplate,
)
from crmkit.domain.field_work.visits import VISITS, Visit, VisitStatus
from crmkit.domain.front_office.customers import CUSTOMERS, MapPoint
from crmkit.domain.front_office.people import USERS
from crmkit.domain.ids import record_id
from crmkit.domain.record_query import Between, Equals
from crmkit.domain.text import clean_text
from crmkit.domain.timestamps import utc_millis
from crmkit.services.boundary import checked_calls
from crmkit.services.ports import UnitOfWork
from crmkit.services.tenant_service import MAX_LISTED, TenantService

PERCENT_STEP = Decimal("0.01")


@checked_calls
class VisitService(TenantService):
    """Visit action templates (拜访动作) and visits (拜访) of one tenant."""

    def define_template(
        self,
        visit_type: str,
        *,
        name: str,
        steps: tuple[Step, ...],
        grace_minutes: int,
        radius_metres: int | None = None,
    ) -> VisitActionTemplate:
        """Store the next version of the visit type's template (version 1 if it is new).

        Visits already planned keep the version they were planned with.

        Raises:
            ValidationError: the steps, grace period or radius break their rules.
            DuplicateRecord: another version was defined at the same moment; try again.
        """

        def make(uow: UnitOfWork) -> VisitActionTemplate:
            kind = clean_text(visit_type, "visit type", max_length=32)
            latest = _latest(uow, kind)
            return VisitActionTemplate.new(
                uow.tenant_id,
                visit_type=kind,
                version_no=1 if latest is None else latest.version_no + 1,
                name=name,
                grace_minutes=grace_minutes,
                radius_metres=radius_metres,
                steps=steps,
                now=self._clock.now(),
            )

        return self._add_record(VISIT_ACTION_TEMPLATES, make)

    def template(self, visit_type: str) -> VisitActionTemplate:
        """The latest version of the visit type's template.

        Raises:
            NotFound: the visit type has no template.
        """
        with self._uow() as uow:
            kind = clean_text(visit_type, "visit type", max_length=32)
            latest = _latest(uow, kind)
            if latest is None:
                raise NotFound("VisitActionTemplate", "visit_type", kind, uow.tenant_id)
            return latest

    def plan(
        self, *, customer_id: str, rep_id: str, visit_type: str, planned_at: datetime
    ) -> Visit:
        """Plan a visit of an active rep to a customer, on the latest template version.

        Raises:
            ValidationError: a bad id or time, or the rep is not active.
            NotFound: no such customer, rep or visit type.
        """
        customer = record_id(customer_id, "customer id")
        rep = record_id(rep_id, "rep id")
        when = utc_millis(planned_at)
        kind = clean_text(visit_type, "visit type", max_length=32)

        def make(uow: UnitOfWork) -> Visit:
            uow.records(CUSTOMERS).get(customer)
            user = uow.records(USERS).get(rep)
            if not user.active:
                raise ValidationError(
                    f"user {user.login!r} is not active; plan the visit for an active rep."
                )
            template = _latest(uow, kind)
            if template is None:
                raise NotFound("VisitActionTemplate", "visit_type", kind, uow.tenant_id)
            return Visit.plan(
                uow.tenant_id,
                customer_id=customer,
                rep_id=rep,
                template=template,
                planned_at=when,
                now=self._clock.now(),
            )

        return self._add_record(VISITS, make)

    def check_in(
        self, visit_id: str, *, latitude: Decimal | int | str, longitude: Decimal | int | str
    ) -> Visit:
        """Check the visit in now at the given location.

        Raises:
            ValidationError: a bad id or location; the radius rule without a customer point.
            NotFound: no such visit.
            InvalidStateTransition: it is not planned.
            VisitMissed: it is past the planned start plus the grace period.
            OutsideRadius: the location is outside the visit type's radius.
        """
        key = record_id(visit_id, "visit id")
        point = MapPoint.of(latitude, longitude)

        def change(uow: UnitOfWork) -> Visit:
            visit, template = _visit(uow, key)
            customer = uow.records(CUSTOMERS).get(visit.customer_id)
            spot = None
            if customer.latitude is not None and customer.longitude is not None:
                spot = (customer.latitude, customer.longitude)
            return visit.checked_in(
                template,
                now=utc_millis(self._clock.now()),
                latitude=point.latitude,
                longitude=point.longitude,
                customer_point=spot,
                customer_code=customer.code,
            )

        return self._update_record(VISITS, change)

    def fill_step(self, visit_id: str, step_code: str, values: dict[str, object]) -> Visit:
        """Fill in the next form step of a checked-in visit.

        Raises:
            ValidationError: a bad id.
            NotFound: no such visit.
            InvalidStateTransition: it is not checked in.
            StepInvalid: no such form step, or values not matching its fields.
            StepOutOfOrder: it is not the next step.
        """
        key = record_id(visit_id, "visit id")

        def change(uow: UnitOfWork) -> Visit:
            visit, template = _visit(uow, key)
            step = template.step(step_code) if isinstance(step_code, str) else None
            if step is not None and step.kind is StepKind.SHELF_CHECK:
                raise ValidationError(
                    f"step {step_code!r} of visit {key!r} is a shelf check; record it "
                    f"with record_shelf_check."
                )
            return visit.with_step(template, step_code, values, self._clock.now())

        return self._update_record(VISITS, change)

    def record_shelf_check(self, visit_id: str, step_code: str, lines: object) -> ShelfCheck:
        """Record the shelf counted in the visit's shelf-check step (both in one unit of work).

        Raises:
            ValidationError: a bad id or line.
            NotFound: no such visit.
            InvalidStateTransition: it is not checked in.
            StepInvalid: no such shelf-check step.
            StepOutOfOrder: it is not the next step.
            NotFound: a product is not in the catalog.
        """
        key = record_id(visit_id, "visit id")

        def record(uow: UnitOfWork) -> ShelfCheck:
            visit, template = _visit(uow, key)
            step = template.step(step_code) if isinstance(step_code, str) else None
            if step is None or step.kind is not StepKind.SHELF_CHECK:
                raise ValidationError(f"visit {key!r} has no shelf-check step {step_code!r}.")
            now = utc_millis(self._clock.now())
            changed = visit.with_step(template, step_code, {}, now)
            check = ShelfCheck.new(
                uow.tenant_id, customer_id=visit.customer_id, visit_id=key, lines=lines, now=now
            )
            _in_catalog(uow, check, key)
            uow.records(VISITS).update(changed)
            return uow.records(SHELF_CHECKS).add(check)

        return self._retried(record)

    def check_out(self, visit_id: str) -> Visit:
        """Check the visit out: it is completed.

        Raises:
            ValidationError: a bad id.
            NotFound: no such visit.
            InvalidStateTransition: it is not checked in.
            StepsMissing: a required step is not done.
        """
        key = record_id(visit_id, "visit id")

        def change(uow: UnitOfWork) -> Visit:
            visit, template = _visit(uow, key)
            return visit.completed(template, utc_millis(self._clock.now()))

        return self._update_record(VISITS, change)

    def cancel(self, visit_id: str, reason: str) -> Visit:
        """Cancel a planned or checked-in visit with a reason.

        Raises:
            ValidationError: a bad id or no reason.
            NotFound: no such visit.
            InvalidStateTransition: it is completed, cancelled or missed.
        """
        key = record_id(visit_id, "visit id")

        return self._update_record(
            VISITS, lambda uow: uow.records(VISITS).get(key).cancelled(reason)
        )

    def mark_missed(self) -> list[Visit]:
        """Mark missed every planned visit not checked in by its start plus grace (up to 500
        a call, earliest first); returns the visits marked."""

        def run(uow: UnitOfWork) -> list[Visit]:
            now = utc_millis(self._clock.now())
            marked = []
            page = uow.records(VISITS).find(
                Equals("status", VisitStatus.PLANNED.value),
                Between("planned_at", None, now),
                order_by="planned_at",
                limit=MAX_LISTED,
            )
            templates: dict[str, VisitActionTemplate] = {}
            for visit in page.items:
                if visit.template_id not in templates:
                    templates[visit.template_id] = uow.records(VISIT_ACTION_TEMPLATES).get(
                        visit.template_id
                    )
                template = templates[visit.template_id]
                if visit.is_overdue(template, now):
                    marked.append(uow.records(VISITS).update(visit.missed(template, now)))
            return marked

        return self._retried(run)

    def day_plan(self, rep_id: str, day: date, time_zone: str = "UTC") -> list[Visit]:
        """The rep's visits planned on a local day, by planned time (at most 500).

        Raises:
            ValidationError: a bad id, day or time zone.
        """
        rep = record_id(rep_id, "rep id")
        if type(day) is not date:
            raise ValidationError(f"day of the plan of rep {rep!r} must be a date.")
        try:
            zone = ZoneInfo(time_zone)
        except (ZoneInfoNotFoundError, ValueError, TypeError):
            raise ValidationError(f"unknown time zone {time_zone!r}.") from None
        start = datetime.combine(day, time(0), tzinfo=zone).astimezone(UTC)
        end = datetime.combine(day + timedelta(days=1), time(0), tzinfo=zone).astimezone(UTC)
        return self._listed(
            VISITS,
            Equals("rep_id", rep),
            Between("planned_at", start, end - timedelta(milliseconds=1)),
            order_by="planned_at",
        )

    def visits_of(self, customer_id: str) -> list[Visit]:
        """The customer's visits by planned time (at most 500)."""
        customer = record_id(customer_id, "customer id")
        return self._listed(VISITS, Equals("customer_id", customer), order_by="planned_at")

    def completion_rate(self, rep_id: str, start: datetime, end: datetime) -> Decimal | None:
        """Percent of the rep's visits planned in [start, end) that were completed, cancelled
        ones left out; half even to 2 decimals; ``None`` if there were none.

        Raises:
            ValidationError: a bad id or period.
        """
        rep = record_id(rep_id, "rep id")
        low, high = utc_millis(start), utc_millis(end)
        if low >= high:
            raise ValidationError(f"completion rate of rep {rep!r}: start must be before end.")
        counted = completed = 0
        with self._uow() as uow:
            for visit in uow.records(VISITS).every(
                Equals("rep_id", rep),
                Between("planned_at", low, high - timedelta(milliseconds=1)),
                order_by="planned_at",
                page=MAX_LISTED,
            ):
                if visit.status is not VisitStatus.CANCELLED:
                    counted += 1
                    completed += visit.status is VisitStatus.COMPLETED
        if not counted:
            return None
        return (Decimal(completed) * 100 / counted).quantize(PERCENT_STEP, ROUND_HALF_EVEN)


def _latest(uow: UnitOfWork, visit_type: str) -> VisitActionTemplate | None:
    """The highest version of the visit type's template (pages through every version)."""
    versions = uow.records(VISIT_ACTION_TEMPLATES).every(
        Equals("visit_type", visit_type), order_by="version_no", page=MAX_LISTED
    )
    last = deque(versions, maxlen=1)
    return last[0] if last else None


def _in_catalog(uow: UnitOfWork, check: ShelfCheck, visit_id: str) -> None:
    """Every product counted is one of the catalog's products."""
    wanted = [ProductId(line.product_id) for line in check.lines]
    known = uow.products.get_many(wanted)
    unknown = [p for p in wanted if p not in known]
    if unknown:
        raise NotFound("Product", "id", unknown[0], uow.tenant_id)


def _visit(uow: UnitOfWork, key: str) -> tuple[Visit, VisitActionTemplate]:
    visit = uow.records(VISITS).get(key)
    return visit, uow.records(VISIT_ACTION_TEMPLATES).get(visit.template_id)
