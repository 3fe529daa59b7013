"""What each labour rule costs: the plan's agent-hours minus a re-plan's without the rule,
started from the plan with the same seconds of the time limit as a control re-plan under the
rules (so never negative); the rules the budget cannot reach are named, not skipped."""

from __future__ import annotations

from dataclasses import replace

from scheduler.roster import Budget, RosterProblem, rule_costs, solve
from tests.roster.factory import agent, make_requirements, simple_rules, window_need
from tests.roster.helpers import SEED, assert_valid, problem, solved


def shop() -> RosterProblem:
    # Monday-Saturday 09:00-14:00 (5 h) with 4- or 8-hour shifts and two agents: the shapes
    # cost 3 h a day; rest, consecutive days and days off are in force but do not bind
    req = make_requirements(window_need(7, [(d * 24 + 9, d * 24 + 14, 1.0) for d in range(6)]))
    return problem(req, [agent("a", cap=1), agent("b", cap=1)],
                   simple_rules(cyclic=False, shift_lengths_hours=(4.0, 8.0)))


def budget(p: RosterProblem, seconds: float) -> Budget:
    """``seconds`` for the re-plans, one worker, the wall clock only as a safety cap."""
    return Budget(seconds, wall_seconds=60.0, search=p.search, workers=1)


def test_each_rule_cost_is_the_hours_a_replan_without_it_saves() -> None:
    p = shop()
    result = solved(p)
    assert_valid(result)
    assert result.short_intervals == ()
    assert result.agent_hours == 48.0
    left = budget(p, 20.0)
    priced, unpriced = rule_costs(p, result, budget=left, seed=SEED)
    costs = {c.rule: c for c in priced}
    relaxable = {r.key for r in p.constraints if r.in_force(p) and r.relax(p.rules)}
    assert set(costs) == relaxable == {"shape", "rest", "consecutive", "days_off"}
    assert unpriced == ()
    assert left.seconds == 0.0  # the control and four re-plans took 4 s each
    each = budget(p, 4.0).take(4.0)
    assert each.work > 0
    for rule in p.constraints:
        if rule.key not in costs:
            continue
        looser = replace(p, rules=rule.relax(p.rules))
        again = solve(looser, limits=each, seed=SEED, start=result.plan, bound=False)
        assert costs[rule.key].hours == round(result.agent_hours - again.agent_hours, 2)
        assert costs[rule.key].short_intervals_without == len(again.short_intervals)
        assert costs[rule.key].hours >= 0
    assert costs["shape"].hours == 6 * 3.0  # 5-hour shifts instead of 8-hour ones
    assert costs["shape"].statement == next(r for r in p.constraints
                                            if r.key == "shape").statement(p.rules)


def test_the_rules_the_budget_cannot_reach_are_named() -> None:
    """Seconds for three re-plans of their start alone (``replan_seconds`` each): the control
    and the first two rules are priced, the other two named; with less than two, none is."""
    p = shop()
    result = solved(p)
    statements = [r.statement(p.rules) for r in p.constraints
                  if r.in_force(p) and r.relax(p.rules)]
    priced, unpriced = rule_costs(p, result, budget=budget(p, 3 * p.search.replan_seconds),
                                  seed=SEED)
    assert [c.statement for c in priced] == statements[:2]
    assert unpriced == tuple(statements[2:])
    assert 0 < priced[0].hours <= 6 * 3.0  # the shapes first: cheap moves find part of it
    priced, unpriced = rule_costs(p, result, budget=budget(p, 1.9 * p.search.replan_seconds),
                                  seed=SEED)
    assert priced == () and unpriced == tuple(statements)
