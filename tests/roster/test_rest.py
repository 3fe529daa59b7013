"""Rest between shifts (default 11 h), including across midnight and the cyclic week's wrap."""

from __future__ import annotations

from datetime import timedelta

from scheduler.domain import Roster, Shift
from scheduler.params import Rules
from tests.roster.factory import MONDAY, agent, make_requirements, simple_rules
from tests.roster.helpers import assert_valid, covered, hard_violations, plan, problem

HALF = 30


def _rules(rest: float, *, cyclic: bool = False) -> Rules:
    return simple_rules(
        interval_minutes=HALF, start_step_minutes=HALF, min_rest_hours=rest, cyclic=cyclic
    )


def _two_shifts_need(days: int, first_h: float, second_h: float) -> list[float]:
    """1 solo unit for 8 h from ``first_h`` and from ``second_h`` (hours from Monday 00:00)."""
    need = [0.0] * (days * 48)
    for h0 in (first_h, second_h):
        for t in range(int(h0 * 2), int(h0 * 2) + 16):
            need[t % len(need)] = 1.0
    return need


def test_gap_of_10_5_hours_needs_rest_of_at_most_10_5() -> None:
    # Mon 16:00-24:00, then Tue 10:30-18:30: a 10.5-hour gap across midnight
    req = make_requirements(_two_shifts_need(2, 16, 34.5), interval_minutes=HALF)
    one = [agent("solo", cap=1)]
    inside = plan(req, one, _rules(10.5))
    assert_valid(inside)
    assert covered(inside)
    assert inside.agent_hours == 16.0
    outside = plan(req, one, _rules(11.0))
    assert_valid(outside)
    assert not covered(outside)
    # sliding one shift by 30 min keeps 11 h of rest and leaves one half-hour uncovered
    assert len(outside.short_intervals) == 1


def test_rest_is_checked_across_the_cyclic_wrap() -> None:
    # Sun 16:00-24:00 and Mon 10:30-18:30 of the same standing week: 10.5 h apart via the wrap
    need = _two_shifts_need(7, 6 * 24 + 16, 10.5)
    req = make_requirements(need, interval_minutes=HALF)
    one = [agent("solo", cap=1)]
    wrapped = plan(req, one, _rules(11.0, cyclic=True))
    assert_valid(wrapped)
    assert not covered(wrapped)
    straight = plan(req, one, _rules(11.0, cyclic=False))
    assert_valid(straight)
    assert covered(straight)  # Monday first, Sunday last: no wrap, no conflict


def test_a_sunday_night_shift_wrapping_into_monday_needs_rest_before_monday_work() -> None:
    # Sun 20:00 - Mon 04:00 (across the wrap), then Mon 14:00-22:00: 10 h apart
    need = _two_shifts_need(7, 6 * 24 + 20, 14)
    req = make_requirements(need, interval_minutes=HALF)
    one = [agent("solo", cap=1)]
    tight = plan(req, one, _rules(11.0, cyclic=True))
    assert_valid(tight)
    assert not covered(tight)
    loose = plan(req, one, _rules(10.0, cyclic=True))
    assert_valid(loose)
    assert covered(loose)
    assert any(s.start < MONDAY < s.end for s in loose.roster.shifts)


def _roster(*hours: tuple[float, float]) -> Roster:
    return Roster(MONDAY.date(), tuple(
        Shift("a", MONDAY + timedelta(hours=h0), MONDAY + timedelta(hours=h1), 3)
        for h0, h1 in hours))


def test_validator_flags_a_short_rest_and_an_overlap() -> None:
    req = make_requirements([0.0] * 96, interval_minutes=HALF)
    team = [agent("a")]
    short_rest = _roster((16, 24), (34.5, 42.5))  # 10.5 h apart
    assert hard_violations(problem(req, team, _rules(11.0)), short_rest, "rest")
    assert not hard_violations(problem(req, team, _rules(10.5)), short_rest)
    overlap = _roster((8, 16), (30, 38), (34, 42))
    found = hard_violations(problem(req, team, _rules(0.0)), overlap, "rest")
    assert found  # an overlap breaks the rule even with no rest required
