"""The roster's one entry: ``solve(problem, limits=..., seed=...) -> RosterResult``, and what
each labour rule costs (``rule_costs``)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import Any

import numpy as np

from scheduler.domain import Roster
from scheduler.roster.cost import Plan, evaluate
from scheduler.roster.problem import RosterProblem
from scheduler.roster.result import RosterResult, RuleCost, coverage_frame
from scheduler.roster.search import Budget, Limits, Operator, ProgressFn, solve_plan


def solve(problem: RosterProblem, *, limits: Limits, seed: int = 0, start: Plan | None = None,
          progress: ProgressFn | None = None, bound: bool = True,
          finish: Sequence[Operator] = ()) -> RosterResult:
    """Plan the horizon's shifts and caps for the named agents (see ``search``). ``start``: a
    plan to improve (a re-plan's warm start). ``bound``: work out the bound (off for the
    rule-cost re-plans and a re-plan, which do not report it).
    ``finish``: moves after the search's own (a re-plan's ``PutBack``)."""
    found = solve_plan(problem, limits, seed=seed, start=start, progress=progress,
                       bound=bound, finish=finish)
    cost = found.cost
    messages = list(found.messages)
    if cost.short_intervals:
        messages.append("no gap to the bound: the bound covers every interval, this plan "
                        f"leaves {cost.short_intervals} short")
    elif cost.weekly_gap:
        messages.append("no gap to the bound: the bound meets the 3-minute target of every "
                        f"period (week or day), this plan misses it by "
                        f"{cost.weekly_gap / 100:g} sessions")
    return RosterResult(problem, found.plan, cost, "OPTIMAL" if found.proved else "FEASIBLE",
                        found.bound_hours, found.seconds, found.work, tuple(messages))


def exact_shortfalls(p: RosterProblem, plan: Plan, rates: Callable[[Roster], np.ndarray]
                     ) -> dict[int, float]:
    """Intervals the plan counts as covered whose team misses the per-interval target
    (per-hour mode) by ``rates`` (the queueing model's 3-minute rate of each interval's real
    mix of caps, for a roster), with the factor to raise their requirement by: the team's
    linear cover times the share of the target it misses."""
    if p.service.mode != "per-hour":
        return {}
    rate = rates(p.roster(plan))
    ratio = coverage_frame(p, plan)["cover_ratio"].to_numpy(dtype=float)
    target = p.service.target
    covered = np.isfinite(ratio) & (ratio >= 0.99)  # short in the linear model: said already
    low = (np.asarray(p.requirements.sessions) > 0) & covered & (rate < target - 0.005)
    return {int(t): float(ratio[t] * (1 + (target - rate[t]) / target))
            for t in np.nonzero(low)[0]}


def recheck(problem: RosterProblem, result: RosterResult, *,
            rates: Callable[[Roster], np.ndarray],
            rebuild: Callable[[dict[int, float]], RosterProblem], replan: Callable[[], Limits],
            seed: int = 0, progress: ProgressFn | None = None
            ) -> tuple[RosterProblem, RosterResult]:
    """The exact mixed-team check: the roster's coverage is linear in each cap's agents, so
    check the real mixed teams (``exact_shortfalls``) and re-plan, from this plan, with the
    requirement of the intervals that fall short raised (``rebuild``: the problem with those
    factors; ``replan()``: each re-plan's limits), up to ``exact_check_rounds`` times. The
    problem and result it ends with (the problem's ``need_scale``)."""
    scale: dict[int, float] = {}
    for _ in range(problem.search.exact_check_rounds):
        low = exact_shortfalls(problem, result.plan, rates)
        if not low:
            break
        scale = {**scale, **{t: scale.get(t, 1.0) * f for t, f in low.items()}}
        problem = rebuild(scale)
        result = solve(problem, limits=replan(), seed=seed, start=result.plan,
                       progress=progress)
        result = replace(result, messages=(*result.messages, (
            f"the exact mixed-team check found {len(low)} interval(s) below target; "
            "re-planned with their requirement raised")))
    return problem, result


def roster_result(problem: RosterProblem, plan: Plan, **known: Any) -> RosterResult:
    """A plan judged (its cost evaluated: a broken hard rule raises ``RuleViolationError``);
    ``known``: what only the search that found it knew (status, bound, time, messages)."""
    return RosterResult(problem, plan, evaluate(problem, plan), **{
        "status": "FEASIBLE", "bound_hours": None, **known})


def rule_costs(problem: RosterProblem, result: RosterResult, *, budget: Budget, seed: int = 0
               ) -> tuple[tuple[RuleCost, ...], tuple[str, ...]]:
    """For each relaxable rule in force, the agent-hours it costs this week: two re-plans from
    this plan with the same seconds of ``budget`` and seed, one under the rules as they are
    (shared by all the rules) and one without the rule; the cost is the difference of their
    hours, so what more search alone would save is not blamed on the rule. The re-plans share
    what is left of ``budget`` evenly; when it cannot give each of them ``replan_seconds``
    (its start and cheap moves), the first rules (in ``RULES``' order) get that much while it
    lasts. The costs, and the statements of the rules left without one."""
    rules = [(rule, looser) for rule in problem.constraints
             if rule.in_force(problem) and (looser := rule.relax(problem.rules)) is not None]
    if not rules:
        return (), ()
    each = budget.seconds / (len(rules) + 1)
    if each < problem.search.replan_seconds:
        each = problem.search.replan_seconds
    afford = int(budget.seconds / each + 1e-9) - 1  # the rules priced besides the control
    if afford < 1:
        return (), tuple(rule.statement(problem.rules) for rule, _l in rules)
    limits = budget.take(each, times=afford + 1)
    control = solve(problem, limits=limits, seed=seed, start=result.plan, bound=False)
    out = []
    for rule, looser in rules[:afford]:
        without = solve(replace(problem, rules=looser), limits=limits, seed=seed,
                        start=result.plan, bound=False)
        out.append(RuleCost(rule.key, rule.statement(problem.rules),
                            round(max(0.0, control.agent_hours - without.agent_hours), 2),
                            len(without.short_intervals), len(control.short_intervals)))
    return tuple(out), tuple(rule.statement(problem.rules) for rule, _l in rules[afford:])
