"""What each labour rule costs: the plan's agent-hours minus a re-plan's without the rule,
started from the plan with a share of its work (so never negative)."""

from __future__ import annotations

from dataclasses import replace

from scheduler.roster import rule_costs, solve
from tests.roster.factory import agent, make_requirements, simple_rules, window_need
from tests.roster.helpers import SEED, assert_valid, limits, problem, solved


def test_each_rule_cost_is_the_hours_a_replan_without_it_saves() -> None:
    # Monday-Saturday 09:00-14:00 (5 h) with 4- or 8-hour shifts and two agents: the shapes
    # cost 3 h a day; rest, consecutive days and days off are in force but do not bind
    req = make_requirements(window_need(7, [(d * 24 + 9, d * 24 + 14, 1.0) for d in range(6)]))
    p = problem(req, [agent("a", cap=1), agent("b", cap=1)],
                simple_rules(cyclic=False, shift_lengths_hours=(4.0, 8.0)))
    result = solved(p)
    assert_valid(result)
    assert result.short_intervals == ()
    assert result.agent_hours == 48.0
    costs = {c.rule: c for c in rule_costs(p, result, limits=limits(), seed=SEED)}
    relaxable = {r.key for r in p.constraints if r.in_force(p) and r.relax(p.rules)}
    assert set(costs) == relaxable == {"shape", "rest", "consecutive", "days_off"}
    share = limits().scaled(p.search.rule_cost_share)
    for rule in p.constraints:
        if rule.key not in costs:
            continue
        looser = replace(p, rules=rule.relax(p.rules))
        again = solve(looser, limits=share, seed=SEED, start=result.plan, bound=False)
        assert costs[rule.key].hours == round(result.agent_hours - again.agent_hours, 2)
        assert costs[rule.key].short_intervals_without == len(again.short_intervals)
        assert costs[rule.key].hours >= 0
    assert costs["shape"].hours == 6 * 3.0  # 5-hour shifts instead of 8-hour ones
    assert costs["shape"].statement == next(r for r in p.constraints
                                            if r.key == "shape").statement(p.rules)
