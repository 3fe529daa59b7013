"""The bound in agent-hours (the aggregate model's LP over shift counts per cap class) counts the
rules it can state over counts: one shift a day, weekly hours, days off. Without a rule's rows
it would be looser; each test fails when that rule's relaxation leaves the aggregate model."""

from __future__ import annotations

import pytest

from tests.roster.factory import agent, make_requirements, simple_rules, window_need
from tests.roster.helpers import assert_valid, plan

SPLIT = simple_rules(cyclic=False, shift_lengths_hours=(1.0, 8.0))
"""1- or 8-hour shifts: two 1-hour blocks 7 h apart cost 2 h as two shifts, 8 h as one."""


def _blocks(days: range) -> list[tuple[int, int, float]]:
    """02:00-03:00 and 09:00-10:00 on each of ``days``."""
    return [(d * 24 + h, d * 24 + h + 1, 1.0) for d in days for h in (2, 9)]


def test_the_bound_counts_one_shift_per_agent_per_day() -> None:
    # one agent, Monday's two blocks: one 8-hour shift (02:00-10:00), not two 1-hour ones
    # (a week, so that the days-off count of 5 shifts does not say the same)
    req = make_requirements(window_need(7, _blocks(range(1))))
    result = plan(req, [agent("a", cap=1)], SPLIT)
    assert_valid(result)
    assert result.short_intervals == ()
    assert result.agent_hours == 8.0
    assert result.bound_hours == pytest.approx(8.0)
    assert result.gap == pytest.approx(0.0)


def test_the_bound_counts_weekly_hours_per_cap_class() -> None:
    # Monday and Tuesday need one agent at cap 3 or 2.5 at cap 1; the cap-3 agent may work
    # 8 h a week, so one day falls to the cap-1 agents: at least 8 + 2.5 x 8 = 28 h
    req = make_requirements(window_need(2, [(9, 17, 2.5), (33, 41, 2.5)]))
    team = [agent("high", cap=3, max_hours=8)] + [agent(f"low{i}", cap=1) for i in range(3)]
    result = plan(req, team, simple_rules(cyclic=False))
    assert_valid(result)
    assert result.short_intervals == ()
    assert result.agent_hours == 32.0  # three whole cap-1 agents on the second day
    assert result.bound_hours is not None
    assert 27.9 <= result.bound_hours <= 28.0  # 2.5 agents' cover, to the rounding


def test_the_bound_counts_days_off() -> None:
    # two full-timers (5 days each) for 7 days of two blocks: 10 shifts for 7 days, so at
    # least 4 days take one 8-hour shift and 3 days two 1-hour ones: 4 x 8 + 3 x 2 = 38 h
    req = make_requirements(window_need(7, _blocks(range(7))))
    result = plan(req, [agent("a", cap=1), agent("b", cap=1)], SPLIT)
    assert_valid(result)
    assert result.short_intervals == ()
    assert result.bound_hours == pytest.approx(38.0)
    assert result.agent_hours >= 38.0
