"""Availability masks, night and weekend eligibility; a shift crossing midnight."""

from __future__ import annotations

from tests.roster.factory import agent, make_requirements, mask, simple_rules, window_need
from tests.roster.helpers import assert_valid, covered, plan


def test_availability_exactly_the_shift_is_enough_and_one_hour_less_is_not() -> None:
    req = make_requirements(window_need(2, [(9, 17, 1.0)]))
    rules = simple_rules(cyclic=False)
    exact = mask({(0, h) for h in range(9, 17)})
    result = plan(req, [agent("a", cap=1, available=exact)], rules)
    assert_valid(result)
    assert covered(result)
    short = mask({(0, h) for h in range(9, 16)})
    result = plan(req, [agent("a", cap=1, available=short)], rules)
    assert_valid(result)
    assert not covered(result)
    assert any("Mon" in f.text for f in result.diagnosis)


def test_a_shift_crossing_midnight_uses_both_days_availability() -> None:
    req = make_requirements(window_need(2, [(20, 28, 1.0)]))  # Mon 20:00 - Tue 04:00
    hours = {(0, h) for h in range(20, 24)} | {(1, h) for h in range(0, 4)}
    result = plan(req, [agent("a", cap=1, available=mask(hours))], simple_rules(cyclic=False))
    assert_valid(result)
    assert covered(result)
    (shift,) = result.roster.shifts
    assert shift.start.hour == 20 and shift.end.hour == 4 and shift.end.day != shift.start.day


def test_night_hours_need_a_night_eligible_agent() -> None:
    req = make_requirements(window_need(2, [(23, 31, 1.0)]))  # Mon 23:00 - Tue 07:00
    rules = simple_rules(cyclic=False)
    day_only = plan(req, [agent("a", cap=1, night_ok=False)], rules)
    assert_valid(day_only)
    assert not day_only.roster.shifts
    assert len(day_only.short_intervals) == 8
    night = plan(req, [agent("a", cap=1, night_ok=True)], rules)
    assert_valid(night)
    assert covered(night)


def test_weekend_hours_need_a_weekend_eligible_agent() -> None:
    sat = 5 * 24
    req = make_requirements(window_need(7, [(sat + 9, sat + 17, 1.0)]))
    weekday_mask = mask({(d, h) for d in range(7) for h in range(8, 18)})
    rules = simple_rules()
    no = plan(req, [agent("a", cap=1, weekend_ok=False, available=weekday_mask)], rules)
    assert_valid(no)
    assert not covered(no)
    assert any("Sat" in f.text for f in no.diagnosis)
    yes = plan(req, [agent("a", cap=1, weekend_ok=True, available=weekday_mask)], rules)
    assert_valid(yes)
    assert covered(yes)
