"""Shift shapes (8-hour only vs flexible), the cyclic wrap and the week's last interval."""

from __future__ import annotations

from datetime import timedelta

from tests.roster.factory import MONDAY, agent, make_requirements, mask, simple_rules, window_need
from tests.roster.helpers import assert_valid, covered, plan

SUN = 6 * 24


def test_eight_hour_only_and_flexible_shifts_both_solve() -> None:
    # cap 1 only: the requirement is one whole agent an hour (efficiency's yardstick)
    req = make_requirements(window_need(1, [(9, 13, 1.0), (18, 22, 1.0)]), caps=(1,))
    team = [agent(f"a{i}", cap=1) for i in range(2)]
    eight = plan(req, team, simple_rules(cyclic=False))
    flexible = plan(req, team, simple_rules(cyclic=False, shift_lengths_hours=(4.0, 6.0, 8.0)))
    for result in (eight, flexible):
        assert_valid(result)
        assert covered(result)
    assert eight.agent_hours == 16.0
    assert flexible.agent_hours == 8.0
    assert flexible.efficiency == 1.0 and eight.efficiency == 0.5


def test_sunday_evening_shift_wraps_into_monday_morning() -> None:
    need = window_need(7, [(SUN + 20, SUN + 24, 1.0), (0, 4, 1.0)])
    req = make_requirements(need)
    hours = {(6, h) for h in range(20, 24)} | {(0, h) for h in range(4)}
    team = [agent("night", cap=1, available=mask(hours))]
    result = plan(req, team, simple_rules(cyclic=True))
    assert_valid(result)
    assert covered(result)
    (shift,) = result.roster.shifts
    # dated on the Sunday before the week (domain.Roster's convention), 20:00 -> Monday 04:00
    assert shift.start == MONDAY - timedelta(hours=4)
    assert shift.end == MONDAY + timedelta(hours=4)
    assert result.coverage["scheduled_agents"].iloc[0] == 1  # Monday 00:00
    assert result.coverage["scheduled_agents"].iloc[-1] == 1  # Sunday 23:00, the last interval


def test_without_the_wrap_the_week_ends_at_sunday_midnight() -> None:
    need = window_need(7, [(SUN + 20, SUN + 24, 1.0), (0, 4, 1.0)])
    req = make_requirements(need)
    hours = {(6, h) for h in range(16, 24)} | {(0, h) for h in range(8)}
    team = [agent("night", cap=1, available=mask(hours))]
    result = plan(req, team, simple_rules(cyclic=False))
    assert_valid(result)
    assert covered(result)
    assert result.agent_hours == 16.0
    assert max(s.end for s in result.roster.shifts) == MONDAY + timedelta(days=7)
