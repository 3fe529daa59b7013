"""``solve`` end to end on a tiny instance: a valid plan that covers the demand, its bound and
gap in agent-hours, its progress reports."""

from __future__ import annotations

import pytest

from scheduler.params import ServiceTarget
from scheduler.roster import Progress, solve
from tests.roster.factory import agent, make_requirements, simple_rules, window_need
from tests.roster.helpers import SEED, assert_valid, covered, limits, plan, problem


def test_two_day_demand_is_covered_by_a_valid_plan() -> None:
    need = window_need(2, [(9, 21, 5.0), (33, 45, 5.0)])
    req = make_requirements(need)
    agents = [agent(f"a{i}") for i in range(4)]
    result = plan(req, agents, simple_rules(cyclic=False))
    assert_valid(result)
    assert covered(result)
    assert result.status in ("OPTIMAL", "FEASIBLE")
    # 12 h of 2 agents at cap 3 (5 solo units) per day with 8-hour shifts: 2 x 2 shifts a day
    assert result.agent_hours == 64.0
    assert result.bound_hours is not None and result.bound_hours <= result.agent_hours
    assert result.gap == pytest.approx((64.0 - result.bound_hours) / 64.0)
    assert result.diagnosis and result.diagnosis[0].text.startswith("Fully covered")
    assert result.violations == ()
    assert result.rules  # the statements of the rules in force


def test_a_plan_that_leaves_hours_short_has_no_gap_to_a_bound() -> None:
    req = make_requirements(window_need(1, [(9, 17, 5.0)]))
    result = plan(req, [agent("a")], simple_rules(cyclic=False))
    assert_valid(result)
    assert not covered(result)
    assert result.gap is None
    assert result.bound_hours is None  # even the relaxation cannot cover every interval


@pytest.mark.parametrize("mode", ["per-hour", "weekly"])
def test_progress_reports_the_start_and_the_end(mode: str) -> None:
    seen: list[Progress] = []
    req = make_requirements(window_need(1, [(9, 17, 2.0)]))
    p = problem(req, [agent("a0"), agent("a1")], simple_rules(cyclic=False),
                service=ServiceTarget(mode=mode))
    result = solve(p, limits=limits(), seed=SEED, progress=seen.append)
    stages = [x.stage for x in seen]
    assert stages[0] == "start" and stages[-1] == "done"
    assert set(stages) <= {"start", "search", "done"}
    assert seen[-1].agent_hours == result.agent_hours
    assert seen[-1].short_intervals == len(result.short_intervals)
    short = [x.short_intervals for x in seen]
    assert short == sorted(short, reverse=True)  # short intervals come first in the cost
