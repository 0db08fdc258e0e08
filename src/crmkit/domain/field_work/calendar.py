"""Business calendars (工作日历) and SLA deadlines counted in working time.

A calendar names a time zone, the working hours of a working day, holidays (working
days off) and extra working days (weekend days worked in exchange for a holiday, 调休).
A deadline is the moment a number of working minutes after a start has elapsed.
"""

from __future__ import annotations

import enum
from collections.abc import Collection
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import attrs

from crmkit.domain.errors import ValidationError
from crmkit.domain.ids import TenantId, new_id
from crmkit.domain.records import FieldKind, RecordType, scalar, text
from crmkit.domain.text import clean_text
from crmkit.domain.timestamps import utc_millis

MAX_DAYS = 2000
MAX_DAYS_SEARCHED = 3660
"""A deadline further than ten years of calendar days means the calendar has no working day."""


class Priority(enum.Enum):
    """How urgent a work order is."""

    URGENT = "urgent"
    HIGH = "high"
    NORMAL = "normal"
    LOW = "low"


@attrs.frozen
class SlaTarget:
    """Working minutes until the first response and until resolution, for one priority."""

    priority: Priority
    response_minutes: int
    resolution_minutes: int


@attrs.frozen
class BusinessCalendar:
    """A declared business calendar of one tenant; ``code`` is unique in the tenant.

    Working hours run from ``day_start`` to ``day_end`` (minutes after local midnight)
    on Monday to Friday, except ``holidays``, and on every day of ``extra_working_days``.
    """

    id: str
    tenant_id: TenantId
    code: str
    time_zone: str
    day_start: int
    day_end: int
    reopen_days: int
    holidays: tuple[date, ...]
    extra_working_days: tuple[date, ...]
    targets: tuple[SlaTarget, ...]
    version: int = 1

    @classmethod
    def new(
        cls,
        tenant_id: TenantId,
        *,
        code: str,
        time_zone: str,
        working_hours: tuple[time, time],
        targets: tuple[SlaTarget, ...],
        holidays: Collection[date] = (),
        extra_working_days: Collection[date] = (),
        reopen_days: int = 7,
    ) -> BusinessCalendar:
        """A checked calendar.

        Raises:
            ValidationError: an unknown time zone, empty working hours, a day both holiday
                and extra working day, a priority without a target or with two.
        """
        code = clean_text(code, "calendar code", max_length=32)
        if not isinstance(time_zone, str) or len(time_zone) > 64:
            raise ValidationError(f"time zone of calendar {code!r} must be an IANA name.")
        try:
            ZoneInfo(time_zone)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValidationError(
                f"calendar {code!r}: unknown time zone {time_zone!r}; use an IANA name such "
                f"as 'Asia/Shanghai'."
            ) from None
        start, end = working_hours
        if not all(isinstance(t, time) and t.tzinfo is None for t in (start, end)) or start >= end:
            raise ValidationError(
                f"calendar {code!r}: working hours must be two local times, start before end."
            )
        for days in (holidays, extra_working_days):
            if (
                isinstance(days, str)
                or not isinstance(days, Collection)
                or not all(type(d) is date for d in days)
                or len(days) > MAX_DAYS
            ):
                raise ValidationError(
                    f"calendar {code!r}: days must be a collection of at most {MAX_DAYS} dates."
                )
        both = sorted(set(holidays) & set(extra_working_days))
        if both:
            raise ValidationError(
                f"calendar {code!r}: {both} are both holidays and extra working days; keep "
                f"each day in one list."
            )
        if type(reopen_days) is not int or not 0 <= reopen_days <= 365:
            raise ValidationError(f"calendar {code!r}: reopen_days must be 0..365.")
        priorities = [t.priority for t in targets if isinstance(t, SlaTarget)]
        if len(priorities) != len(targets) or sorted(p.value for p in priorities) != sorted(
            p.value for p in Priority
        ):
            raise ValidationError(
                f"calendar {code!r} needs exactly one SlaTarget per priority "
                f"{[p.value for p in Priority]}."
            )
        for target in targets:
            minutes = (target.response_minutes, target.resolution_minutes)
            if not all(type(m) is int and 0 < m <= 10**6 for m in minutes) or (
                minutes[0] > minutes[1]
            ):
                raise ValidationError(
                    f"calendar {code!r}, priority {target.priority.value}: minutes must be "
                    f"whole, positive, and response no later than resolution."
                )
        return cls(
            id=new_id(),
            tenant_id=tenant_id,
            code=code,
            time_zone=time_zone,
            day_start=start.hour * 60 + start.minute,
            day_end=end.hour * 60 + end.minute,
            reopen_days=reopen_days,
            holidays=tuple(sorted(set(holidays))),
            extra_working_days=tuple(sorted(set(extra_working_days))),
            targets=tuple(sorted(targets, key=lambda t: t.priority.value)),
        )

    def target(self, priority: Priority) -> SlaTarget:
        """The SLA target of ``priority``."""
        return next(t for t in self.targets if t.priority is priority)

    def is_working_day(self, day: date) -> bool:
        """Whether ``day`` (local) has working hours."""
        if day in self.extra_working_days:
            return True
        return day.weekday() < 5 and day not in self.holidays

    def add_working_minutes(self, start: datetime, minutes: int) -> datetime:
        """The UTC moment ``minutes`` working minutes after ``start``.

        Raises:
            ValidationError: the calendar has no working day within ten years.
        """
        zone = ZoneInfo(self.time_zone)
        local = start.astimezone(zone)
        day = local.date()
        left = timedelta(minutes=minutes)
        for _ in range(MAX_DAYS_SEARCHED):
            if self.is_working_day(day):
                opens = _local(day, self.day_start, zone)
                closes = _local(day, self.day_end, zone)
                begin = max(opens, start)
                if begin < closes:
                    if begin + left <= closes:
                        return utc_millis((begin + left).astimezone(UTC))
                    left -= closes - begin
            day += timedelta(days=1)
        raise ValidationError(f"calendar {self.code!r} has no working day within ten years.")


def _local(day: date, minute: int, zone: ZoneInfo) -> datetime:
    moment = datetime.combine(day, time(minute // 60, minute % 60), tzinfo=zone)
    return moment.astimezone(UTC)


BUSINESS_CALENDARS: RecordType[BusinessCalendar] = RecordType(
    BusinessCalendar,
    entity="BusinessCalendar",
    name="business_calendar",
    fields=(
        text("id", 32),
        text("code", 32, indexed=True),
        text("time_zone", 64),
        scalar("day_start", FieldKind.INTEGER),
        scalar("day_end", FieldKind.INTEGER),
        scalar("reopen_days", FieldKind.INTEGER),
    ),
    unique=(("code",),),
    nested=("holidays", "extra_working_days", "targets"),
)
