"""Linear coverage with mixed caps, checked by hand: an interval is covered when
``sum over the agents on duty of 1 / need[cap] >= 1`` (to within 0.2%), with ``need[cap]`` the
fractional number of agents at that cap that meet the target, read off the service curve."""

from __future__ import annotations

from datetime import timedelta

import numpy as np
import pytest

from scheduler.domain import Requirements
from tests.roster.factory import MONDAY, agent, mask, simple_rules
from tests.roster.helpers import assert_valid, plan

WINDOW = range(9, 17)
HOURS = mask({(0, h) for h in WINDOW})
RULES = simple_rules(cyclic=False, allowed_caps=(3, 6))
TEAM = [agent("three", cap=3, available=HOURS), agent("six", cap=6, available=HOURS)]


def _table(curve3: list[float], curve6: list[float]) -> Requirements:
    """One day, sessions 09:00-17:00 only, the given service curves (n = 0, 1, 2, ...)."""
    t_count, top = 24, 5
    service = np.ones((t_count, 2, top + 1))
    required = np.zeros((t_count, 2), dtype=np.int64)
    sessions = np.zeros(t_count)
    for t in WINDOW:
        sessions[t] = 10.0
        for k, curve in enumerate((curve3, curve6)):
            row = (curve + [1.0] * top)[: top + 1]
            service[t, k] = row
            required[t, k] = next(n for n, s in enumerate(row) if s >= 0.8)
    return Requirements(
        interval_starts=tuple(MONDAY + timedelta(hours=t) for t in range(t_count)),
        interval_minutes=60, sessions=sessions, caps=(3, 6),
        feasible=np.ones((t_count, 2), dtype=bool), required=required, service=service,
        target=0.8)


def test_one_agent_at_each_cap_just_covers_when_each_alone_is_half_the_need() -> None:
    # cap 3: 0.4 per agent, 0.8 at two -> need 2.0; cap 6: 0.45 then 0.8 -> need 2.0
    # one of each: 1/2 + 1/2 = 1.0, covered
    result = plan(_table([0.0, 0.4, 0.8], [0.0, 0.45, 0.8]), TEAM, RULES)
    assert_valid(result)
    assert result.short_intervals == ()
    assert sorted(s.max_concurrent for s in result.roster.shifts) == [3, 6]
    busy = result.coverage.iloc[list(WINDOW)]
    assert busy["cover_ratio"].to_numpy() == pytest.approx(1.0)
    assert (busy["scheduled_agents"] == 2).all() and (busy["shortfall_agents"] == 0).all()


def test_one_agent_at_each_cap_just_misses_when_cap_6_needs_a_little_more() -> None:
    # cap 6: 0.78 at two, 1.0 at three -> need 2 + 0.02 / 0.22 = 2.0909 agents
    # one of each: 1/2 + 1/2.0909 = 0.9783 < 0.998: short by one agent (at cap 6)
    need6 = 2 + 0.02 / 0.22
    result = plan(_table([0.0, 0.4, 0.8], [0.0, 0.45, 0.78, 1.0]), TEAM, RULES)
    assert_valid(result)
    assert result.short_intervals == tuple(WINDOW)
    busy = result.coverage.iloc[list(WINDOW)]
    assert busy["cover_ratio"].to_numpy() == pytest.approx(0.5 + 1 / need6, abs=1e-4)
    assert (busy["scheduled_agents"] == 2).all()  # the best it can do: both agents on duty
    assert (busy["shortfall_agents"] == 1).all()
    assert (busy["cap"] == 6).all()


def test_one_cap_6_agent_alone_covers_what_two_cap_3_agents_do() -> None:
    # cap 3: need 2.0; cap 6: 0.8 at one -> need 1.0; the cheaper cover is the cap-6 agent
    team = [*TEAM, agent("three_b", cap=3, available=HOURS)]
    result = plan(_table([0.0, 0.4, 0.8], [0.0, 0.8]), team, RULES)
    assert_valid(result)
    assert result.short_intervals == ()
    assert [s.agent_id for s in result.roster.shifts] == ["six"]
    assert result.coverage.iloc[list(WINDOW)]["cover_ratio"].to_numpy() == pytest.approx(1.0)
    assert result.agent_hours == 8.0
