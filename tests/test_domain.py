"""Date helpers of the domain."""

from __future__ import annotations

from datetime import date, datetime

from scheduler.domain import Shift, next_monday, week_hours, week_start_of


def test_next_monday_after_a_history_ending_on_sunday_night() -> None:
    assert next_monday(datetime(2026, 11, 23, 0, 0)) == date(2026, 11, 23)  # Monday 00:00
    assert next_monday(datetime(2026, 11, 23, 0, 1)) == date(2026, 11, 30)  # just after it
    assert next_monday(datetime(2026, 11, 20, 13, 0)) == date(2026, 11, 23)  # a Friday


def test_week_helpers() -> None:
    assert week_start_of(date(2026, 11, 29)) == date(2026, 11, 23)
    hours = week_hours(date(2026, 11, 23))
    assert len(hours) == 168 and hours[-1] == datetime(2026, 11, 29, 23, 0)


def test_shift_paid_hours_and_duty_cross_midnight_with_break() -> None:
    s = Shift("A1", datetime(2026, 11, 29, 20), datetime(2026, 11, 30, 4), 3,
              datetime(2026, 11, 29, 23, 30), datetime(2026, 11, 30, 0, 0))
    assert s.paid_hours == 7.5
    assert s.on_duty(datetime(2026, 11, 30, 3, 59))
    assert not s.on_duty(datetime(2026, 11, 30, 4, 0))  # end is exclusive
    assert not s.on_duty(datetime(2026, 11, 29, 23, 45))  # on break
