"""Business calendars: SLA deadlines over evenings, weekends, holidays and 调休 days."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from crmkit.domain import TenantId, ValidationError
from crmkit.domain.field_work.calendar import BusinessCalendar, Priority, SlaTarget
from crmkit.testing.field_work import calendar

SHANGHAI = ZoneInfo("Asia/Shanghai")
CAL = calendar(TenantId("t-cal"))


def local(day: int, month: int, hour: int, minute: int = 0) -> datetime:
    """A Shanghai wall-clock time in 2026, as UTC."""
    return datetime(2026, month, day, hour, minute, tzinfo=SHANGHAI).astimezone(UTC)


class TestDeadlines:
    """Working minutes are counted only inside working hours of working days."""

    def test_within_one_day(self) -> None:
        """Two hours from 10:00 on a Monday end at 12:00 the same day."""
        assert CAL.add_working_minutes(local(28, 9, 10), 120) == local(28, 9, 12)

    def test_before_opening_starts_at_opening(self) -> None:
        """An hour from 07:00 ends at 10:00."""
        assert CAL.add_working_minutes(local(28, 9, 7), 60) == local(28, 9, 10)

    def test_at_closing_moves_to_next_day(self) -> None:
        """An hour from 18:00 on Monday ends at 10:00 on Tuesday."""
        assert CAL.add_working_minutes(local(28, 9, 18), 60) == local(29, 9, 10)

    def test_over_a_weekend(self) -> None:
        """An hour from Friday 17:30 (9 October) ends Monday 09:30: Saturday and Sunday are off."""
        assert CAL.add_working_minutes(local(9, 10, 17, 30), 60) == local(12, 10, 9, 30)

    def test_over_a_worked_sunday(self) -> None:
        """Two hours from Friday 17:00 (25 September) end Sunday 10:00: the Sunday is worked."""
        assert CAL.add_working_minutes(local(25, 9, 17), 120) == local(27, 9, 10)

    def test_without_the_worked_sunday(self) -> None:
        """Without the 调休 day the same deadline falls on Monday 10:00."""
        plain = attrs.evolve(CAL, extra_working_days=())
        assert plain.add_working_minutes(local(25, 9, 17), 120) == local(28, 9, 10)

    def test_over_holidays_and_a_weekend(self) -> None:
        """Four hours from Wednesday 30 September 17:00 end Tuesday 6 October 12:00."""
        assert CAL.add_working_minutes(local(30, 9, 17), 240) == local(6, 10, 12)

    def test_ending_exactly_at_closing(self) -> None:
        """Nine hours from 09:00 end at 18:00 the same day, not the next morning."""
        assert CAL.add_working_minutes(local(28, 9, 9), 540) == local(28, 9, 18)


def _working(moment: datetime) -> bool:
    here = moment.astimezone(SHANGHAI)
    return CAL.is_working_day(here.date()) and time(9) <= here.time() <= time(18)


class TestDeadlineProperties:
    """Deadlines are additive, monotonic and land in working hours."""

    @settings(max_examples=200, deadline=None)
    @given(
        st.integers(0, 61 * 24 * 60).map(lambda m: local(1, 9, 0) + timedelta(minutes=m)),
        st.integers(1, 3000),
        st.integers(1, 3000),
    )
    def test_additive_monotonic_in_hours(self, start: datetime, first: int, second: int) -> None:
        """start + a + b = (start + a) + b, later for more minutes, and inside working hours."""
        once = CAL.add_working_minutes(start, first + second)
        twice = CAL.add_working_minutes(CAL.add_working_minutes(start, first), second)
        assert once == twice
        assert CAL.add_working_minutes(start, first) < once
        assert _working(once)


class TestCalendarRules:
    """A calendar is checked when it is declared."""

    def test_unknown_zone_is_refused(self) -> None:
        """An unknown time zone raises ValidationError."""
        with pytest.raises(ValidationError, match="time zone"):
            attrs_free_calendar(time_zone="Mars/Olympus")

    def test_a_day_both_holiday_and_worked_is_refused(self) -> None:
        """One day cannot be a holiday and an extra working day."""
        with pytest.raises(ValidationError, match="both holidays"):
            attrs_free_calendar(holidays=(date(2026, 10, 1),), extra=(date(2026, 10, 1),))

    def test_every_priority_needs_a_target(self) -> None:
        """A calendar without a target for each priority is refused."""
        with pytest.raises(ValidationError, match="one SlaTarget per priority"):
            attrs_free_calendar(targets=CAL.targets[:3])

    def test_no_working_day_at_all_is_reported(self) -> None:
        """A calendar whose every weekday is a holiday cannot place a deadline."""
        start = date(2026, 1, 1)
        days = tuple(start + timedelta(days=n) for n in range(3700))
        empty = attrs.evolve(CAL, holidays=days, extra_working_days=())
        with pytest.raises(ValidationError, match="no working day"):
            empty.add_working_minutes(local(1, 1, 9), 60)


def attrs_free_calendar(
    *,
    time_zone: str = "Asia/Shanghai",
    holidays: tuple[date, ...] = (),
    extra: tuple[date, ...] = (),
    targets: tuple[SlaTarget, ...] = CAL.targets,
) -> BusinessCalendar:
    """A calendar declared through ``BusinessCalendar.new`` with some values changed."""
    return BusinessCalendar.new(
        TenantId("t-cal"),
        code="X",
        time_zone=time_zone,
        working_hours=(time(9), time(18)),
        targets=targets,
        holidays=holidays,
        extra_working_days=extra,
    )


def test_priorities_have_targets() -> None:
    """The test calendar has a target per priority."""
    assert {t.priority for t in CAL.targets} == set(Priority)
